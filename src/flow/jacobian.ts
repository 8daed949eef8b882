/**
 * The Jacobian of one step, ∂s_{t+1}/∂s_t, and its running products over a range of steps.
 *
 *   s_{t+1} = w·φ(s_t) + v·x_{t+1} + b    ⇒    ∂s_{t+1}/∂s_t = w·φ'(s_t)          (the factor f_t)
 *   ∂s_τ/∂s_t = Π_{j=t}^{τ−1} f_j                                                (the running product)
 *
 * Every analysis in src/flow is written against `StepJacobians`: a chain of T per-step Jacobians
 * that can pull a cotangent back by one step. For the scalar model (dim = 1) it is the array of
 * factors; a vector state would implement the same interface with a matrix per step (vjp = Jᵀg),
 * and the analyses that use only `vjp` (connectivity, the reference loops) carry over unchanged.
 * The scalar fast paths (prefix sums of log|f|, the blocked lag loops) read `factor` directly.
 *
 * Indices are 0-based in code: factor[i] = ∂s_{i+2}/∂s_{i+1} in the 1-based notation of the docs.
 */
import { Act, actCode, dact, type Trace } from '../core';
import { dtanh } from '../core/activations';

export interface StepJacobians {
  /** Number of steps T. */
  readonly T: number;
  /** State dimension (1 for the scalar model). */
  readonly dim: number;
  /** out = (∂s_{i+1}/∂s_i)ᵀ·g: pulls a cotangent on s_{i+1} back to s_i (0-based i). */
  vjp(i: number, g: Float64Array, out: Float64Array): void;
}

/** The scalar model's chain: factor[i] = w·φ'(s_i). */
export class ScalarJacobians implements StepJacobians {
  readonly dim = 1;
  constructor(readonly factor: Float64Array) {}
  get T(): number {
    return this.factor.length;
  }
  vjp(i: number, g: Float64Array, out: Float64Array): void {
    out[0] = this.factor[i] * g[0];
  }
}

/** φ'(s_t) at every step, with exactly the arithmetic of the core's forward pass (tanh: 1 − h², as there). */
export function phiPrimes(trace: Trace, out = new Float64Array(trace.T)): Float64Array {
  const phi = actCode(trace.model.phi);
  const { s, h } = trace;
  if (phi === Act.Tanh) for (let i = 0; i < trace.T; i++) out[i] = dtanh(h[i]);
  else if (phi === Act.Identity) out.fill(1);
  else for (let i = 0; i < trace.T; i++) out[i] = dact(phi, s[i], h[i]);
  return out;
}

/**
 * Running products of the factors in O(1) per query, from prefix sums:
 *
 *   logAbs[i] = Σ_{j<i} log|f_j|   (over the finite non-zero f_j; compensated, see below)
 *   zeros[i], negatives[i], nonFinite[i] = how many f_j, j < i, are 0, < 0, NaN or ±∞
 *
 *   Π_{j=a}^{b−1} f_j = (−1)^(neg[b]−neg[a]) · exp(logAbs[b] − logAbs[a])     if the range has no 0 / non-finite factor
 *
 * Accuracy: the prefix sums are Neumaier-compensated (a hi and a lo array), so the difference of
 * two of them is the range's Σ log|f_j| to a few ulps of |that sum| + T·ε² terms, and the product
 * has a relative error of about ε·(|log of the product| + log-rounding of each factor, ~1 ulp each)
 * — far below any threshold a horizon is compared with. A range that holds a zero gives exactly 0;
 * one that holds NaN or ±∞ gives NaN (0·∞ and ∞·ε are not meaningful as a product magnitude).
 * The counts are built on the first product query (the horizons need only logAbs and `breaks`).
 */
export class FactorProducts {
  readonly T: number;
  readonly logHi: Float64Array;
  readonly logLo: Float64Array;
  /** The j with f_j = 0 or non-finite, ascending (where every running product across j stops). */
  readonly breaks: Int32Array;
  private counts: { zeros: Int32Array; negatives: Int32Array; nonFinite: Int32Array } | null = null;

  /** `sums`: the prefix sums already built by the same arithmetic (the tuned scan in horizonsKernel.ts). */
  constructor(readonly factor: Float64Array, sums?: { logHi: Float64Array; logLo: Float64Array; breaks: Int32Array }) {
    const T = factor.length;
    this.T = T;
    if (sums) {
      this.logHi = sums.logHi;
      this.logLo = sums.logLo;
      this.breaks = sums.breaks;
      return;
    }
    const logHi = (this.logHi = new Float64Array(T + 1));
    const logLo = (this.logLo = new Float64Array(T + 1));
    // In blocks of short calls, each starting from the sums at its first index (see the core's BLOCK).
    breakList = [];
    for (let j = 0; j < T; j += BLOCK) prefixBlock(factor, j, Math.min(j + BLOCK, T), logHi, logLo);
    this.breaks = Int32Array.from(breakList);
    breakList = [];
  }

  private countsOf(): { zeros: Int32Array; negatives: Int32Array; nonFinite: Int32Array } {
    if (this.counts) return this.counts;
    const T = this.T, f = this.factor;
    const zeros = new Int32Array(T + 1), negatives = new Int32Array(T + 1), nonFinite = new Int32Array(T + 1);
    for (let j = 0; j < T; j++) {
      const a = Math.abs(f[j]);
      zeros[j + 1] = zeros[j] + (a === 0 ? 1 : 0);
      nonFinite[j + 1] = nonFinite[j] + (a < Infinity ? 0 : 1);
      negatives[j + 1] = negatives[j] + (f[j] < 0 && a < Infinity ? 1 : 0);
    }
    return (this.counts = { zeros, negatives, nonFinite });
  }

  /** log|Π_{j=a}^{b−1} f_j| (0 ≤ a ≤ b ≤ T): −∞ if a factor is 0, NaN if one is non-finite. */
  logAbs(a: number, b: number): number {
    const { zeros, nonFinite } = this.countsOf();
    if (nonFinite[b] !== nonFinite[a]) return NaN;
    if (zeros[b] !== zeros[a]) return -Infinity;
    return this.logHi[b] - this.logHi[a] + (this.logLo[b] - this.logLo[a]);
  }

  /** Π_{j=a}^{b−1} f_j, signed; 1 for the empty range a = b. That is ∂s_b/∂s_a (0-based). */
  product(a: number, b: number): number {
    const l = this.logAbs(a, b);
    if (Number.isNaN(l)) return NaN;
    const { negatives } = this.countsOf();
    const sign = (negatives[b] - negatives[a]) % 2 === 0 ? 1 : -1;
    return sign * Math.exp(l);
  }
}

const BLOCK = 1024;
let breakList: number[] = [];

/** Prefix sums over factors jLo ≤ j < jHi; Neumaier's step keeps in lo what hi + l loses. */
function prefixBlock(factor: Float64Array, jLo: number, jHi: number, logHi: Float64Array, logLo: Float64Array): void {
  let hi = logHi[jLo], lo = logLo[jLo];
  for (let j = jLo; j < jHi; j++) {
    const a = Math.abs(factor[j]);
    if (a > 0 && a < Infinity) {
      const l = Math.log(a);
      const t = hi + l;
      lo += Math.abs(hi) >= Math.abs(l) ? hi - t + l : l - t + hi;
      hi = t;
    } else {
      breakList.push(j); // 0, NaN or ±∞ (NaN fails both tests above)
    }
    logHi[j + 1] = hi;
    logLo[j + 1] = lo;
  }
}

/** Why the gradient shrinks: the steps with the smallest |factor|, and the saturated or dead ones. */
export interface FactorAttribution {
  /** 1-based steps with the smallest |f_t|, smallest first (at most `top`). */
  smallest: { t: number; factor: number; phiPrime: number }[];
  /** Steps with φ'(s_t) < saturationLevel (tanh, sigmoid, softsign, softplus saturate; relu and leaky_relu do not count here). */
  saturated: number;
  /** Steps with φ'(s_t) = 0 (relu at s_t ≤ 0): the gradient stops there entirely. */
  dead: number;
  /** Steps with |f_t| < 1 (shrinking) and > 1 (growing). */
  shrinking: number;
  growing: number;
  saturationLevel: number;
  /** A one-line summary, e.g. "saturated: φ'(s_t) < 0.01 at 37 steps; dead relu at 4 steps". */
  text: string;
}

export function attributeFactors(trace: Trace, factor: Float64Array, top = 10, saturationLevel = 0.01): FactorAttribution {
  const T = factor.length;
  const w = trace.model.w;
  const phi = actCode(trace.model.phi);
  const reluLike = trace.model.phi === 'relu' || trace.model.phi === 'leaky_relu';
  let saturated = 0, dead = 0, shrinking = 0, growing = 0;
  // The `top` smallest |f_t|, kept sorted (top is small: insertion is O(top) per candidate).
  const idx: number[] = [];
  for (let i = 0; i < T; i++) {
    const f = factor[i];
    const a = Math.abs(f);
    if (a < 1) shrinking++;
    else if (a > 1) growing++;
    const phiPrime = dact(phi, trace.s[i], trace.h[i]);
    if (phiPrime === 0 && reluLike) dead++;
    else if (!reluLike && Math.abs(phiPrime) < saturationLevel) saturated++;
    if (idx.length < top || a < Math.abs(factor[idx[idx.length - 1]])) {
      let k = idx.length < top ? idx.length : idx.length - 1;
      if (idx.length < top) idx.push(i);
      while (k > 0 && Math.abs(factor[idx[k - 1]]) > a) {
        idx[k] = idx[k - 1];
        k--;
      }
      idx[k] = i;
    }
  }
  const smallest = idx.map((i) => ({ t: i + 1, factor: factor[i], phiPrime: dact(phi, trace.s[i], trace.h[i]) }));
  const parts: string[] = [];
  if (saturated > 0) parts.push(`saturated: φ'(s_t) < ${saturationLevel} at ${saturated} step${saturated === 1 ? '' : 's'}`);
  if (dead > 0) parts.push(`dead relu (φ'(s_t) = 0) at ${dead} step${dead === 1 ? '' : 's'}`);
  if (w === 0) parts.push('w = 0: no gradient crosses any step');
  parts.push(`|w·φ'(s_t)| < 1 at ${shrinking} of ${T} steps, > 1 at ${growing}`);
  return { smallest, saturated, dead, shrinking, growing, saturationLevel, text: parts.join('; ') };
}
