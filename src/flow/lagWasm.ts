/**
 * Dense blocks of the gradient by lag, two at a time in WebAssembly SIMD (wasmLag.ts): block A
 * (rows k0..) in one lane, the block after it (B) in the other. Each lane does exactly what
 * blockLags does for its block alone, and the sums are added to G in the same order (for each lag,
 * A's before B's), so the result is the one-lag plain loop's bit for bit
 * (test/unit/flow-lag-wasm.test.ts).
 *
 * The kernel runs the lags d at which every row of A has a lag d + 3 (d + 3 ≤ τ), so no row leaves
 * its block's range mid-pass; the lags beyond (only in the first blocks, when K is large) go on in
 * JS from where the kernel stopped. A missing or short block B is padded with a_0 = 0 rows, which
 * add exactly +0.
 */
import { BLOCK, allZero, blockLags, lagStepDense, seedBlock, type LagState } from './lagKernel';
import { lagWasmInstance } from './wasmLag';

// Byte addresses in the module's memory: the lags' sums, the running products, the steps.
const OUT = 0, A = 512, DATA = A + 16 * BLOCK;

/**
 * A function doing the rows k0..k2−1 (at most two blocks; the dense layout, ti[k] = k), or null
 * where the engine has no WebAssembly SIMD. It returns k2.
 */
export function lagPairs(s: LagState): ((k0: number, k2: number) => number) | null {
  const { K, inp: { factor, hPrev, x }, G, sums } = s;
  const T = factor.length;
  // Steps j' = 0..R−1 below the top of block A: enough for lag K of its first row.
  const R = BLOCK + K + 4;
  const inst = lagWasmInstance(DATA + 48 * R);
  if (inst === null) return null;
  const kernels = [inst.exports.lags1, inst.exports.lags2, inst.exports.lags3, inst.exports.lags4];
  const out = new Float64Array(inst.buffer, OUT, 48);
  const a2 = new Float64Array(inst.buffer, A, 2 * BLOCK);
  const data = new Float64Array(inst.buffer, DATA, 6 * R);
  const aA = new Float64Array(BLOCK), aB = new Float64Array(BLOCK);

  /** Steps j' = from..to−1 of the pair whose block A ends at `top`: m = top − j' in A, m + BLOCK in B (0 past T). */
  const fill = (top: number, from: number, to: number): void => {
    for (let j = from; j < to; j++) {
      const m = top - j, mB = m + BLOCK, o = 6 * j;
      data[o] = factor[m]; data[o + 2] = hPrev[m]; data[o + 4] = x[m];
      const inB = mB < T;
      data[o + 1] = inB ? factor[mB] : 0; data[o + 3] = inB ? hPrev[mB] : 0; data[o + 5] = inB ? x[mB] : 0;
    }
  };

  return (k0, k2) => {
    const kB = Math.min(k0 + BLOCK, k2);
    const rows = kB - k0, rowsB = k2 - kB;
    const top = k0 + BLOCK - 1;
    seedBlock(s, aA, k0, kB);
    seedBlock(s, aB, kB, k2);
    // Lag 0 (no factor yet) in JS: A's sums, then B's.
    lag0(aA, k0, rows);
    if (rowsB > 0) lag0(aB, kB, rowsB);
    for (let r = 0; r < rows; r++) {
      a2[2 * r] = aA[r];
      a2[2 * r + 1] = r < rowsB ? aB[r] : 0;
    }
    // Lags 1.., up to four per call, while every row of A has them (d + L − 1 ≤ τ_min = k0).
    let d = 1, filled = 0, nextCheck = 65;
    while (d <= K && d <= k0) {
      const L = Math.min(4, K - d + 1, k0 - d + 1);
      const need = BLOCK + d + L - 1;
      if (filled < need) {
        const to = Math.min(R, need + 256, top + 1);
        fill(top, filled, to);
        filled = to;
      }
      kernels[L - 1](A, DATA + 48 * (BLOCK - 1 + d), rows, OUT);
      for (let k = 0; k < L; k++) {
        const o = 12 * k;
        G.w[d + k] += out[o]; G.v[d + k] += out[o + 2]; G.b[d + k] += out[o + 4];
        if (rowsB > 0) {
          G.w[d + k] += out[o + 1]; G.v[d + k] += out[o + 3]; G.b[d + k] += out[o + 5];
        }
      }
      d += L;
      // All products underflowed to 0: every later lag adds exactly 0 (as in blockLags).
      if (d >= nextCheck) {
        nextCheck += 64;
        if (allZero(a2, 0, 2 * rows)) return k2;
      }
    }
    if (d <= K) {
      // The lags the kernel cannot take: each block on its own in JS, A first.
      for (let r = 0; r < rows; r++) {
        aA[r] = a2[2 * r];
        if (r < rowsB) aB[r] = a2[2 * r + 1];
      }
      blockLags(s, aA, k0, kB, d);
      if (rowsB > 0) blockLags(s, aB, kB, k2, d);
    }
    return k2;
  };

  function lag0(a: Float64Array, i0: number, n: number): void {
    lagStepDense(a, i0, 0, n, 0, factor, hPrev, x, sums);
    G.w[0] += sums[0]; G.v[0] += sums[1]; G.b[0] += sums[2];
  }
}
