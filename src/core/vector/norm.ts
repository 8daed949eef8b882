/** The Euclidean norm, for the step values, the hover, the step table and the norm series. Pure: no `vscode`, no DOM. */

/** Euclidean norm of v[from..from+len), scaled by the largest |v_j| so 1e200-sized gradients do not overflow. NaN and ±∞ propagate. */
export function norm2(v: ArrayLike<number>, from = 0, len = v.length - from): number {
  let big = 0;
  for (let j = from; j < from + len; j++) {
    const a = Math.abs(v[j]);
    if (a !== a) return NaN;
    if (a > big) big = a;
  }
  if (big === 0 || big === Infinity) return big;
  let sum = 0;
  for (let j = from; j < from + len; j++) sum += (v[j] / big) * (v[j] / big);
  return big * Math.sqrt(sum);
}
