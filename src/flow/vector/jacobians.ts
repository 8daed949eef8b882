/**
 * The Jacobian of one step of the vector RNN and its spectral norm:
 *
 *   s_{t+1} = W·φ(s_t) + V·x_{t+1} + b    ⇒    J_t = ∂s_{t+1}/∂s_t = W·diag(φ'(s_t))
 *   ∂ℓ_τ/∂s_t = J_tᵀ·J_{t+1}ᵀ⋯J_{τ−1}ᵀ·∂ℓ_τ/∂s_τ                 ‖J_t‖₂ = σ_max(J_t) ≤ ‖W‖₂·max_r φ'(s_t,r)
 *
 * Pascanu et al. (2013): if ‖W‖₂·sup φ' < 1 every J_t shrinks every vector, so the gradient
 * vanishes geometrically whatever the data (a sufficient condition, not a necessary one).
 */
import { actCode, dact } from '../../core/activations';
import type { PhiName } from '../../core/model';
import type { VectorTrace } from '../../core/vector/model';
import type { StepJacobians } from '../jacobian';
import { SpectralWork, gram, sigmaMaxExact, sigmaMaxPower } from './spectral';

/** sup_z φ'(z) for each activation: the constant in Pascanu's bound. */
export const MAX_PHI_PRIME: Readonly<Record<PhiName, number>> = Object.freeze({
  tanh: 1, // at z = 0
  sigmoid: 0.25, // at z = 0
  relu: 1, // z > 0
  leaky_relu: 1, // z > 0 (0.01 for z ≤ 0)
  identity: 1,
  softsign: 1, // 1/(1 + |z|)², at z = 0
  softplus: 1, // σ(z) → 1 as z → ∞
});

/** Up to this n, σ_max is computed exactly; above it by power iteration. */
export const EXACT_MAX_N = 64;

/** φ'(s_t) for every step and unit (T×n), with the arithmetic of the core's backward pass. */
export function vectorPhiPrimes(trace: VectorTrace): Float64Array {
  const phi = actCode(trace.model.phi);
  const { s, h } = trace;
  const out = new Float64Array(s.length);
  for (let o = 0; o < s.length; o++) out[o] = dact(phi, s[o], h[o]);
  return out;
}

/** The chain of J_t, for the analyses written against StepJacobians: vjp pulls g back by Jᵀ = diag(φ')·Wᵀ. */
export class VectorJacobians implements StepJacobians {
  readonly T: number;
  readonly dim: number;
  /** Wᵀ, row-major, so that each (Wᵀ·g)_r reads a row (the same products in the same order as W's column). */
  private readonly WT: Float64Array;
  constructor(readonly W: Float64Array, readonly phiPrime: Float64Array, n: number) {
    this.dim = n;
    this.T = n > 0 ? phiPrime.length / n : 0;
    this.WT = new Float64Array(n * n);
    for (let r = 0; r < n; r++) for (let j = 0; j < n; j++) this.WT[r * n + j] = W[j * n + r];
  }
  vjp(i: number, g: Float64Array, out: Float64Array): void {
    const n = this.dim, WT = this.WT, d = this.phiPrime;
    for (let r = 0; r < n; r++) {
      let acc = WT[r * n] * g[0];
      for (let j = 1; j < n; j++) acc += WT[r * n + j] * g[j];
      out[r] = d[i * n + r] * acc;
    }
  }
}

export interface StepSigmas {
  /** σ_max(J_t) per step (0-based index t − 1); NaN where φ'(s_t) or W is not finite. */
  sigma: Float64Array;
  method: 'exact' | 'power';
}

/** σ_max(W·diag(φ'(s_t))) at every step; `exactMaxN` chooses the method (see spectral.ts). */
export function stepSigmas(W: Float64Array, phiPrime: Float64Array, n: number, exactMaxN = EXACT_MAX_N): StepSigmas {
  const T = n > 0 ? phiPrime.length / n : 0;
  const sigma = new Float64Array(T);
  const G = gram(W, n);
  const work = new SpectralWork(n);
  const exact = n <= exactMaxN;
  if (n === 1) {
    // |w·φ'(s_t)|: the scalar model's factor, to the bit.
    for (let i = 0; i < T; i++) sigma[i] = Math.abs(W[0] * phiPrime[i]);
    return { sigma, method: 'exact' };
  }
  for (let i = 0; i < T; i++) {
    const d = phiPrime.subarray(i * n, (i + 1) * n);
    sigma[i] = exact ? sigmaMaxExact(G, d, n, work) : sigmaMaxPower(G, d, n, work);
  }
  return { sigma, method: exact ? 'exact' : 'power' };
}

/** ‖W‖₂ (exact for n ≤ exactMaxN, else power iteration from a fixed start). */
export function spectralNormW(W: Float64Array, n: number, exactMaxN = EXACT_MAX_N): number {
  if (n === 0) return 0;
  if (n === 1) return Math.abs(W[0]);
  const ones = new Float64Array(n).fill(1);
  const work = new SpectralWork(n);
  const G = gram(W, n);
  return n <= exactMaxN ? sigmaMaxExact(G, ones, n, work) : sigmaMaxPower(G, ones, n, work);
}

export interface PascanuBound {
  normW: number;
  maxPhiPrime: number;
  /** ‖W‖₂·sup φ' ≥ every σ_max(J_t) */
  bound: number;
  /** bound < 1: every step shrinks the gradient, so it vanishes geometrically. */
  guaranteedVanishing: boolean;
}

export function pascanuBound(normW: number, phi: PhiName): PascanuBound {
  const maxPhiPrime = MAX_PHI_PRIME[phi];
  const bound = normW * maxPhiPrime;
  return { normW, maxPhiPrime, bound, guaranteedVanishing: bound < 1 };
}

/** A trace's chain of J_t. */
export function jacobiansOf(trace: VectorTrace, phiPrime = vectorPhiPrimes(trace)): VectorJacobians {
  return new VectorJacobians(trace.model.W, phiPrime, trace.model.n);
}
