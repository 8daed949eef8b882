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
 * The answer for τ is usually a step or two from the answer for τ − 1, so a pointer walk finds it
 * first (WALK compares at most); the search runs only when the threshold jumped.
 */
import type { FactorProducts } from './jacobian';

/** Stack positions the previous answer may move before the search takes over. */
const WALK = 8;

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

const BLOCK = 1024;
let stTop = -1, stBarrier = -1, stK = 0, stBreak = 0, stP = -1;

function horizonBlock(iLo: number, iHi: number, products: FactorProducts, hasY: Uint8Array, c: number, stack: Int32Array,
  targets: Int32Array, perTarget: Int32Array, reachesStart: Uint8Array): void {
  const { logHi, logLo, breaks } = products;
  let top = stTop, barrier = stBarrier, k = stK, bi = stBreak, p = stP;
  let nextBreak = bi < breaks.length ? breaks[bi] : -1;
  for (let i = iLo; i < iHi; i++) {
    // Push prefix index i − 1's successor state: index i − 1 as a candidate t for targets ≥ i.
    if (i > 0) {
      const j = i - 1;
      if (j === nextBreak) {
        barrier = j;
        top = -1;
        nextBreak = ++bi < breaks.length ? breaks[bi] : -1;
      }
      const hi = logHi[j], lo = logLo[j];
      // logAbs[stack top] ≤ logAbs[j]: never an answer again (j is later and at least as large).
      while (top >= 0 && logHi[stack[top]] - hi + (logLo[stack[top]] - lo) <= 0) top--;
      stack[++top] = j;
    }
    if (hasY[i] === 0) continue;
    // The answer is the largest t < i with logAbs[t] − logAbs[i] > c (or the barrier): the last
    // stacked t above that threshold, since the stack decreases. Consecutive thresholds differ by
    // one log|factor|, so the previous answer's stack position `p` moves a step or two: walk it
    // (at most WALK compares), else gallop down from the top and bisect.
    const hi = logHi[i], lo = logLo[i];
    if (p > top) p = top;
    let steps = 0;
    while (p < top && steps < WALK && logHi[stack[p + 1]] - hi + (logLo[stack[p + 1]] - lo) > c) { p++; steps++; }
    while (p >= 0 && steps < WALK && !(logHi[stack[p]] - hi + (logLo[stack[p]] - lo) > c)) { p--; steps++; }
    if (steps === WALK) {
      // Invariant of the bisection: stack[above] is above the threshold (or −1), stack[below] is not.
      let above = -1, below = top + 1, probe = top, step = 1;
      while (probe >= 0) {
        const q = stack[probe];
        if (logHi[q] - hi + (logLo[q] - lo) > c) break;
        below = probe;
        probe = top + 1 - (step <<= 1);
      }
      above = probe >= 0 ? probe : -1;
      while (below - above > 1) {
        const mid = (below + above) >> 1;
        const q = stack[mid];
        if (logHi[q] - hi + (logLo[q] - lo) > c) above = mid;
        else below = mid;
      }
      p = above;
    }
    const crossing = Math.max(p >= 0 ? stack[p] : -1, barrier);
    targets[k] = i + 1;
    perTarget[k] = i - crossing - 1;
    reachesStart[k] = crossing < 0 ? 1 : 0;
    k++;
  }
  stTop = top; stBarrier = barrier; stK = k; stBreak = bi; stP = p;
}

export function computeHorizons(products: FactorProducts, hasY: Uint8Array, ratio = 1e-3): Horizons {
  const T = products.T;
  const c = -Math.log(ratio); // ratio < 1 ⇒ c > 0
  const nTargets = countTargets(hasY.subarray(0, T));
  const targets = new Int32Array(nTargets);
  const perTarget = new Int32Array(nTargets);
  const reachesStart = new Uint8Array(nTargets);
  // Stack of prefix indices t with logAbs[t] strictly decreasing from bottom to top; the latest
  // zero / non-finite factor (`barrier`: every ratio at s_t, t ≤ barrier, is 0 or NaN). Blocks of
  // short calls (see the core's BLOCK), with the scan state in module variables.
  const stack = new Int32Array(T + 1);
  stTop = -1; stBarrier = -1; stK = 0; stBreak = 0; stP = -1;
  for (let i = 0; i < T; i += BLOCK) horizonBlock(i, Math.min(i + BLOCK, T), products, hasY, c, stack, targets, perTarget, reachesStart);
  return horizonStats(ratio, targets, perTarget, reachesStart);
}

/** The horizons with their median and maximum, counted (horizons are integers in [0, max]): O(targets + max), no sort. */
export function horizonStats(ratio: number, targets: Int32Array, perTarget: Int32Array, reachesStart: Uint8Array): Horizons {
  const n = targets.length;
  // Long loops run as blocks of short calls, which V8 optimizes (see the core's BLOCK).
  const mx = { max: 0, maxAt: 0 };
  for (let q = 0; q < n; q += BLOCK) maxBlock(perTarget, targets, q, Math.min(q + BLOCK, n), mx);
  const count = new Int32Array(mx.max + 1);
  for (let q = 0; q < n; q += BLOCK) countBlock(perTarget, q, Math.min(q + BLOCK, n), count);
  let median = 0;
  if (n > 0) {
    // The lower middle: the first d whose cumulative count passes (n − 1) / 2.
    const want = (n - 1) >> 1;
    const seen = { n: 0 };
    for (let d = 0; d < count.length; d += BLOCK) {
      const at = findCumulative(count, d, Math.min(d + BLOCK, count.length), want, seen);
      if (at >= 0) {
        median = at;
        break;
      }
    }
  }
  return { ratio, targets, perTarget, reachesStart, median, max: mx.max, maxAt: mx.maxAt };
}

function maxBlock(perTarget: Int32Array, targets: Int32Array, qLo: number, qHi: number, mx: { max: number; maxAt: number }): void {
  let max = mx.max, maxAt = mx.maxAt;
  for (let q = qLo; q < qHi; q++) {
    const d = perTarget[q];
    if (d > max || maxAt === 0) {
      max = d;
      maxAt = targets[q];
    }
  }
  mx.max = max; mx.maxAt = maxAt;
}

function countBlock(perTarget: Int32Array, qLo: number, qHi: number, count: Int32Array): void {
  for (let q = qLo; q < qHi; q++) count[perTarget[q]]++;
}

function findCumulative(count: Int32Array, dLo: number, dHi: number, want: number, seen: { n: number }): number {
  let acc = seen.n;
  for (let d = dLo; d < dHi; d++) {
    acc += count[d];
    if (acc > want) return d;
  }
  seen.n = acc;
  return -1;
}

/** Steps with a target, hasY[i] ≠ 0. */
export function countTargets(hasY: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < hasY.length; i += BLOCK) n += countBlockTargets(hasY, i, Math.min(i + BLOCK, hasY.length));
  return n;
}

function countBlockTargets(hasY: Uint8Array, iLo: number, iHi: number): number {
  let n = 0;
  for (let i = iLo; i < iHi; i++) n += hasY[i] !== 0 ? 1 : 0;
  return n;
}
