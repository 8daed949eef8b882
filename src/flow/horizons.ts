/**
 * How far back each loss term reaches.
 *
 *   ∂ℓ_τ/∂s_t = ∂ℓ_τ/∂s_τ · Π_{j=t}^{τ−1} w·φ'(s_j)      so      |∂ℓ_τ/∂s_t| / |∂ℓ_τ/∂s_τ| = |Π_{j=t}^{τ−1} f_j|
 *
 * The horizon of ℓ_τ is the number of steps back d such that this ratio stays ≥ `ratio` at every
 * lag 1..d: lag d + 1 is the first below it (or s_1 was reached: `reachesStart`). Horizon 0 means
 * even s_{τ−1} gets less than `ratio` of what s_τ gets.
 *
 * In log space the ratio at s_t is exp(logAbs[τ] − logAbs[t]) (FactorProducts' prefix sums), so
 * the first step below going backward is the largest t < τ with logAbs[t] > logAbs[τ] − ln(ratio).
 * A monotone stack of the prefix indices that are greater than every later one (the only possible
 * answers) finds it by galloping down from the top: O(log horizon) per target, O(T) for the stack.
 * A zero or non-finite factor ends every horizon that crosses it (the ratio is 0 or not a number).
 */
import type { FactorProducts } from './jacobian';

export interface Horizons {
  ratio: number;
  /** 1-based steps τ that have a target, ascending. */
  targets: Int32Array;
  /** The horizon of each target (same order as `targets`). */
  perTarget: Int32Array;
  /** 1 where the ratio never fell below `ratio` down to s_1. */
  reachesStart: Uint8Array;
  /** Median of perTarget (the lower middle for an even count); 0 with no target. */
  median: number;
  max: number;
  /** 1-based τ of the (first) target with the maximum horizon, or 0. */
  maxAt: number;
}

export function computeHorizons(products: FactorProducts, hasY: Uint8Array, ratio = 1e-3): Horizons {
  const T = products.T;
  const { logHi, logLo, zeros, nonFinite } = products;
  const c = -Math.log(ratio); // ratio < 1 ⇒ c > 0
  let nTargets = 0;
  for (let i = 0; i < T; i++) if (hasY[i] !== 0) nTargets++;
  const targets = new Int32Array(nTargets);
  const perTarget = new Int32Array(nTargets);
  const reachesStart = new Uint8Array(nTargets);
  // Stack of prefix indices t with logAbs[t] strictly decreasing from bottom to top.
  const stack = new Int32Array(T + 1);
  let top = -1;
  // The latest zero / non-finite factor j: every ratio at s_t, t ≤ j, is 0 or NaN.
  let barrier = -1;
  let k = 0;
  for (let i = 0; i < T; i++) {
    // Push prefix index i − 1's successor state: index i − 1 as a candidate t for targets ≥ i.
    if (i > 0) {
      const j = i - 1;
      if (zeros[i] !== zeros[j] || nonFinite[i] !== nonFinite[j]) {
        barrier = j;
        top = -1;
      }
      const hi = logHi[j], lo = logLo[j];
      // logAbs[stack top] ≤ logAbs[j]: never an answer again (j is later and at least as large).
      while (top >= 0 && logHi[stack[top]] - hi + (logLo[stack[top]] - lo) <= 0) top--;
      stack[++top] = j;
    }
    if (hasY[i] === 0) continue;
    // Largest stacked t with logAbs[t] − logAbs[i] > c: gallop down from the top, then bisect.
    const hi = logHi[i], lo = logLo[i];
    const above = (t: number): boolean => logHi[t] - hi + (logLo[t] - lo) > c;
    let found = -1;
    if (top >= 0 && above(stack[top])) found = top;
    else if (top >= 0) {
      let step = 1, lo2 = top; // stack[lo2] is not above
      let hi2 = top - step;
      while (hi2 >= 0 && !above(stack[hi2])) {
        lo2 = hi2;
        step *= 2;
        hi2 = top - step;
      }
      if (hi2 < 0) hi2 = -1;
      // Now stack[hi2] is above (or hi2 = −1), stack[lo2] is not: bisect for the boundary.
      while (lo2 - hi2 > 1) {
        const mid = (lo2 + hi2) >> 1;
        if (above(stack[mid])) hi2 = mid;
        else lo2 = mid;
      }
      found = hi2;
    }
    const crossing = Math.max(found >= 0 ? stack[found] : -1, barrier);
    targets[k] = i + 1;
    perTarget[k] = i - crossing - 1;
    reachesStart[k] = crossing < 0 ? 1 : 0;
    k++;
  }
  // Median and maximum by counting (horizons are integers in [0, T)): O(T), no sort.
  let max = 0, maxAt = 0;
  const count = new Int32Array(T + 1);
  for (let q = 0; q < nTargets; q++) {
    const d = perTarget[q];
    count[d]++;
    if (d > max || maxAt === 0) {
      max = d;
      maxAt = targets[q];
    }
  }
  let median = 0;
  if (nTargets > 0) {
    const want = (nTargets - 1) >> 1;
    let seen = 0;
    for (let d = 0; d <= T; d++) {
      seen += count[d];
      if (seen > want) {
        median = d;
        break;
      }
    }
  }
  return { ratio, targets, perTarget, reachesStart, median, max, maxAt };
}
