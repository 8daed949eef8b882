/**
 * Why the gradient of a vector RNN vanishes or explodes: per step the Jacobian J_t = W·diag(φ'(s_t))
 * and its spectral norm σ_max (the `factors`, the vector counterpart of the scalar |w·φ'(s_t)|),
 * ‖W‖₂ with Pascanu's bound, the horizon of each loss term (exact, by pulling its own gradient
 * back), an O(T) upper bound on the horizons from the products of σ_max, and which steps shrink
 * the gradient most. Pure TypeScript: no vscode, no DOM.
 *
 * `vectorFlow` returns plain arrays and numbers, ready for JSON.stringify (which writes a NaN or
 * ±∞ σ_max, from a non-finite φ'(s_t) or W, as null).
 */
import type { VectorTrace } from '../../core/vector/model';
import { FactorProducts } from '../jacobian';
import { computeHorizons } from '../horizons';
import { EXACT_MAX_N, jacobiansOf, pascanuBound, spectralNormW, stepSigmas, vectorPhiPrimes, type PascanuBound } from './jacobians';
import { DEFAULT_MAX_LAG, DEFAULT_MAX_WORK, vectorHorizons } from './horizons';

export * from './spectral';
export * from './jacobians';
export * from './horizons';

export interface VectorFlowOptions {
  /** Horizon threshold on ‖∂ℓ_τ/∂s_t‖/‖∂ℓ_τ/∂s_τ‖ (default 1e-3). */
  ratio?: number;
  /** Longest horizon followed per target (default 1000). */
  maxLag?: number;
  /** Multiply-adds the horizons may spend before they stop at an evenly spread sample (default 2e8). */
  maxWork?: number;
  /** Largest n for the exact σ_max (default 64); power iteration above. */
  exactMaxN?: number;
  /** How many steps to list as the smallest and largest σ_max (default 10). */
  top?: number;
  /** φ'(s_t,r) below this counts as saturated (tanh, sigmoid, softsign, softplus; default 0.01). */
  saturationLevel?: number;
}

export interface StepFactor {
  /** 1-based step */
  t: number;
  sigma: number;
}

export interface VectorFlowAttribution {
  /** The steps with the smallest σ_max, smallest first: where the gradient shrinks most. */
  smallest: StepFactor[];
  /** The steps with the largest σ_max, largest first: where it grows most. */
  largest: StepFactor[];
  /** Steps with σ_max < 1 (every direction shrinks) and > 1 (some direction grows). */
  shrinking: number;
  growing: number;
  /** Units × steps with φ' < saturationLevel (saturating φ), and with φ' = 0 (dead relu). */
  saturatedUnits: number;
  deadUnits: number;
  saturationLevel: number;
  text: string;
}

export interface VectorFlow {
  n: number;
  T: number;
  /** σ_max(J_t) per step t = 1..T. */
  factors: number[];
  method: 'exact' | 'power';
  normW: number;
  pascanu: PascanuBound;
  horizons: {
    ratio: number;
    median: number;
    max: number;
    maxAt: number;
    maxLag: number;
    /** Steps with a target, and how many of them the work budget let through (all, normally). */
    nTargets: number;
    evaluated: number;
    capped: number;
    silent: number;
    perTarget: { t: number; horizon: number; reachesStart: boolean }[];
  };
  /** Horizons from Π σ_max instead of the exact ratio: never shorter than the exact ones. */
  horizonBound: { median: number; max: number };
  attribution: VectorFlowAttribution;
}

/** The `top` steps ordered by σ (ascending or descending), NaN left out; O(T·top). */
function extremes(sigma: Float64Array, top: number, descending: boolean): StepFactor[] {
  const idx: number[] = [];
  const before = (a: number, b: number) => (descending ? sigma[a] > sigma[b] : sigma[a] < sigma[b]);
  for (let i = 0; i < sigma.length; i++) {
    if (Number.isNaN(sigma[i])) continue;
    if (idx.length === top && !before(i, idx[top - 1])) continue;
    if (idx.length < top) idx.push(i);
    let k = idx.length - 1;
    while (k > 0 && before(i, idx[k - 1])) {
      idx[k] = idx[k - 1];
      k--;
    }
    idx[k] = i;
  }
  return idx.map((i) => ({ t: i + 1, sigma: sigma[i] }));
}

function attribute(trace: VectorTrace, sigma: Float64Array, phiPrime: Float64Array, top: number, saturationLevel: number): VectorFlowAttribution {
  const reluLike = trace.model.phi === 'relu' || trace.model.phi === 'leaky_relu';
  let shrinking = 0, growing = 0, saturatedUnits = 0, deadUnits = 0;
  for (let i = 0; i < sigma.length; i++) {
    if (sigma[i] < 1) shrinking++;
    else if (sigma[i] > 1) growing++;
  }
  for (let o = 0; o < phiPrime.length; o++) {
    if (reluLike && phiPrime[o] === 0) deadUnits++;
    else if (!reluLike && Math.abs(phiPrime[o]) < saturationLevel) saturatedUnits++;
  }
  const T = sigma.length;
  const parts: string[] = [];
  if (saturatedUnits > 0) parts.push(`saturated: φ' < ${saturationLevel} at ${saturatedUnits} unit-step${saturatedUnits === 1 ? '' : 's'}`);
  if (deadUnits > 0) parts.push(`dead relu (φ' = 0) at ${deadUnits} unit-step${deadUnits === 1 ? '' : 's'}`);
  parts.push(`σ_max(J_t) < 1 at ${shrinking} of ${T} steps, > 1 at ${growing}`);
  return {
    smallest: extremes(sigma, top, false),
    largest: extremes(sigma, top, true),
    shrinking,
    growing,
    saturatedUnits,
    deadUnits,
    saturationLevel,
    text: parts.join('; '),
  };
}

export function vectorFlow(trace: VectorTrace, options: VectorFlowOptions = {}): VectorFlow {
  const ratio = options.ratio ?? 1e-3;
  const exactMaxN = options.exactMaxN ?? EXACT_MAX_N;
  const { n, W } = trace.model;
  const phiPrime = vectorPhiPrimes(trace);
  const { sigma, method } = stepSigmas(W, phiPrime, n, exactMaxN);
  const normW = spectralNormW(W, n, exactMaxN);
  const hz = vectorHorizons(trace, jacobiansOf(trace, phiPrime), ratio, options.maxLag ?? DEFAULT_MAX_LAG, options.maxWork ?? DEFAULT_MAX_WORK);
  // ‖∂ℓ_τ/∂s_t‖ ≤ Π σ_max·‖∂ℓ_τ/∂s_τ‖: the scalar horizons of the σ_max chain bound the exact ones.
  const bound = computeHorizons(new FactorProducts(sigma), trace.hasY, ratio);
  return {
    n,
    T: trace.T,
    factors: Array.from(sigma),
    method,
    normW,
    pascanu: pascanuBound(normW, trace.model.phi),
    horizons: {
      ratio,
      median: hz.median,
      max: hz.max,
      maxAt: hz.maxAt,
      maxLag: hz.maxLag,
      nTargets: hz.nTargets,
      evaluated: hz.evaluated,
      capped: hz.capped,
      silent: hz.silent,
      perTarget: Array.from(hz.targets, (t, q) => ({ t, horizon: hz.perTarget[q], reachesStart: hz.reachesStart[q] === 1 })),
    },
    horizonBound: { median: bound.median, max: bound.max },
    attribution: attribute(trace, sigma, phiPrime, options.top ?? 10, options.saturationLevel ?? 0.01),
  };
}
