/**
 * Factors, their running-product prefix sums and the horizons in ONE pass over the trace: the
 * tuned twin of the plain path phiPrimes → factor = w·φ' → new FactorProducts → computeHorizons
 * (three passes, an index stack read through logHi/logLo). Same arithmetic, same answers, bit for
 * bit (test/unit/flow-kernel.test.ts); only the order of the work differs. At step i (0-based):
 *
 *   1. target i: the last stacked t with logAbs[t] − logAbs[i] > −ln(ratio)   (see horizons.ts)
 *   2. f_i = w·φ'(s_i), from the trace's s and h (tanh: 1 − h², as the core)
 *   3. push prefix i on the stack (a 0 or non-finite f_i first clears it: the barrier)
 *   4. logAbs[i+1] = logAbs[i] + log|f_i|   (Neumaier: hi + lo, as FactorProducts)
 *
 * Per block of steps, steps 2 and 4 run first (one tight loop) and then 1 and 3 over the sums just
 * written, still in cache: two short loops optimize better than one long one.
 */
import { Act, actCode, dact, type Trace } from '../core';
import { dtanh } from '../core/activations';
import { FactorProducts } from './jacobian';
import { countTargets, horizonStats, type Horizons } from './horizons';

const BLOCK = 1024;
/** Stack positions the previous answer may move before the search takes over (as horizons.ts). */
const WALK = 8;

export interface FactorsAndHorizons {
  factor: Float64Array;
  products: FactorProducts;
  horizons: Horizons;
}

/** Everything the scan reads and writes; the scalars carry its state from one block to the next. */
interface Scan {
  phi: Act; w: number; c: number;
  s: Float64Array; h: Float64Array; hasY: Uint8Array;
  factor: Float64Array; logHi: Float64Array; logLo: Float64Array;
  stack: Int32Array;
  targets: Int32Array; perTarget: Int32Array; reachesStart: Uint8Array;
  breaks: number[];
  top: number; barrier: number; k: number; p: number;
}

export function factorsAndHorizons(trace: Trace, ratio = 1e-3): FactorsAndHorizons {
  const T = trace.T;
  const nTargets = countTargets(trace.hasY.subarray(0, T));
  const sc: Scan = {
    phi: actCode(trace.model.phi), w: trace.model.w, c: -Math.log(ratio),
    s: trace.s, h: trace.h, hasY: trace.hasY,
    factor: new Float64Array(T), logHi: new Float64Array(T + 1), logLo: new Float64Array(T + 1),
    stack: new Int32Array(T + 1),
    targets: new Int32Array(nTargets), perTarget: new Int32Array(nTargets), reachesStart: new Uint8Array(nTargets),
    breaks: [],
    top: -1, barrier: -1, k: 0, p: -1,
  };
  // Blocks of short calls (see the core's BLOCK), each starting from the sums at its first index.
  for (let i = 0; i < T; i += BLOCK) scanBlock(sc, i, Math.min(i + BLOCK, T));
  const products = new FactorProducts(sc.factor, { logHi: sc.logHi, logLo: sc.logLo, breaks: Int32Array.from(sc.breaks) });
  return { factor: sc.factor, products, horizons: horizonStats(ratio, sc.targets, sc.perTarget, sc.reachesStart) };
}

function scanBlock(sc: Scan, iLo: number, iHi: number): void {
  prefixBlock(sc, iLo, iHi);
  stackBlock(sc, iLo, iHi);
}

/** f_i = w·φ'(s_i) and logAbs[i+1] = logAbs[i] + log|f_i| for the block. */
function prefixBlock(sc: Scan, iLo: number, iHi: number): void {
  const { phi, w, s, h, factor, logHi, logLo } = sc;
  let hi = logHi[iLo], lo = logLo[iLo];
  const isTanh = phi === Act.Tanh;
  for (let i = iLo; i < iHi; i++) {
    const f = w * (isTanh ? dtanh(h[i]) : dact(phi, s[i], h[i]));
    factor[i] = f;
    const a = Math.abs(f);
    if (a > 0 && a < Infinity) {
      const l = Math.log(a);
      const t = hi + l;
      lo += Math.abs(hi) >= Math.abs(l) ? hi - t + l : l - t + hi;
      hi = t;
    } else {
      sc.breaks.push(i);
    }
    logHi[i + 1] = hi;
    logLo[i + 1] = lo;
  }
}

/** The targets and the stack over the block, reading the prefix sums just written (in cache). */
function stackBlock(sc: Scan, iLo: number, iHi: number): void {
  const { c, hasY, factor, logHi, logLo, stack, targets, perTarget, reachesStart } = sc;
  let top = sc.top, barrier = sc.barrier, k = sc.k, p = sc.p;
  for (let i = iLo; i < iHi; i++) {
    const hi = logHi[i], lo = logLo[i];
    // 1. Target i against the stacked prefixes 0..i−1 (decreasing): walk the previous answer's
    //    position a few steps, else gallop down from the top and bisect.
    if (hasY[i] !== 0) {
      if (p > top) p = top;
      const p0 = p;
      const up = p + WALK < top ? p + WALK : top;
      while (p < up && logHi[stack[p + 1]] - hi + (logLo[stack[p + 1]] - lo) > c) p++;
      if (p === p0) {
        const down = p - WALK > -1 ? p - WALK : -1;
        while (p > down && !(logHi[stack[p]] - hi + (logLo[stack[p]] - lo) > c)) p--;
        if (p === down && p >= 0 && !(logHi[stack[p]] - hi + (logLo[stack[p]] - lo) > c)) p = search(stack, logHi, logLo, top, hi, lo, c);
      } else if (p === up && p < top && logHi[stack[p + 1]] - hi + (logLo[stack[p + 1]] - lo) > c) {
        p = search(stack, logHi, logLo, top, hi, lo, c);
      }
      const crossing = Math.max(p >= 0 ? stack[p] : -1, barrier);
      targets[k] = i + 1;
      perTarget[k] = i - crossing - 1;
      reachesStart[k] = crossing < 0 ? 1 : 0;
      k++;
    }
    // 3. Push prefix i; a stacked value ≤ it is never an answer again. A 0 or non-finite f_i
    //    (0 or NaN in every product across it) first clears the stack.
    const a = Math.abs(factor[i]);
    if (!(a > 0 && a < Infinity)) {
      barrier = i;
      top = -1;
    }
    while (top >= 0 && logHi[stack[top]] - hi + (logLo[stack[top]] - lo) <= 0) top--;
    top++;
    stack[top] = i;
  }
  sc.top = top; sc.barrier = barrier; sc.k = k; sc.p = p;
}

/** The last stack position above the threshold (−1 if none): gallop down from the top, then bisect. */
function search(stack: Int32Array, logHi: Float64Array, logLo: Float64Array, top: number, hi: number, lo: number, c: number): number {
  // Invariant of the bisection: position `above` is above the threshold (or −1), `below` is not.
  let below = top + 1, probe = top, step = 1;
  while (probe >= 0) {
    if (logHi[stack[probe]] - hi + (logLo[stack[probe]] - lo) > c) break;
    below = probe;
    probe = top + 1 - (step <<= 1);
  }
  let above = probe >= 0 ? probe : -1;
  while (below - above > 1) {
    const mid = (below + above) >> 1;
    if (logHi[stack[mid]] - hi + (logLo[stack[mid]] - lo) > c) above = mid;
    else below = mid;
  }
  return above;
}
