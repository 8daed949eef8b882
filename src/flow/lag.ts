/**
 * The gradient split by lag d = τ − t between a loss term ℓ_τ and the step s_t it reaches:
 *
 *   ∂L/∂w = Σ_τ Σ_{t≤τ} ∂ℓ_τ/∂s_t · h_{t−1} = Σ_d G_w(d),   G_w(d) = Σ_τ ∂ℓ_τ/∂s_{τ−d} · h_{τ−d−1}
 *   G_v(d) = Σ_τ ∂ℓ_τ/∂s_{τ−d} · x_{τ−d}      G_b(d) = Σ_τ ∂ℓ_τ/∂s_{τ−d}      G_h0(d) = w · ∂ℓ_{d+1}/∂s_1
 *
 * with ∂ℓ_τ/∂s_τ = ∂ℓ_τ/∂h_τ(local, reduction scale included) · φ'(s_τ) (the seed) and
 *   ∂ℓ_τ/∂s_{τ−d} = ∂ℓ_τ/∂s_{τ−d+1} · f_{τ−d}    (f_t = w·φ'(s_t), one factor per lag).
 * (u and c do not pass through the recurrence: all of ∂L/∂u and ∂L/∂c is at lag 0.)
 *
 * Lags 0..K are summed exactly, every (τ, d) pair visited once: O(N_targets·K). The loop runs over
 * d outside and τ inside, in blocks of targets, so a block's running products a[τ] and the slices
 * of f, h and x it reads stay in cache while d advances. The "> K" bin is the full gradient (the
 * core's backward pass) minus the lags ≤ K: exact up to the rounding of both sums; with K ≥ T − 1
 * there are no lags beyond K and the bin is exactly 0.
 */
import { act, actCode, dact, dloss, lossCode, reductionScale, type Trace } from '../core';
import { BLOCK, blockLags, seedBlock, type LagState } from './lagKernel';
import { lagPairs } from './lagWasm';

/** Called after each block; return false to stop (the result is then null). */
export type Progress = (done: number, total: number) => boolean | void;

/** ∂L/∂h_t's local part ∂L/∂ŷ_t·θ'(u·h_t + c)·u at every step (0 without a target), with the core's arithmetic. */
export function localTerms(trace: Trace, out = new Float64Array(trace.T)): Float64Array {
  const { model, y, hasY, h } = trace;
  const { u, c } = model;
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  const scale = reductionScale(model.reduction, trace.nTargets);
  for (let i = 0; i < trace.T; i++) {
    if (hasY[i] === 0) {
      out[i] = 0;
      continue;
    }
    const z = u * h[i] + c;
    const yhat = act(theta, z);
    out[i] = scale * dloss(ell, yhat, y[i]) * dact(theta, z, yhat) * u;
  }
  return out;
}

/** ∂ℓ_τ/∂s_τ = local_τ·φ'(s_τ) at every step (0 without a target). */
export function lossSeeds(local: Float64Array, phiPrime: Float64Array, out = new Float64Array(local.length)): Float64Array {
  for (let i = 0; i < local.length; i++) out[i] = local[i] * phiPrime[i];
  return out;
}

/** h_{t−1} at every step: h0, h_1, …, h_{T−1}. */
export function previousStates(trace: Trace): Float64Array {
  const hp = new Float64Array(trace.T);
  if (trace.T > 0) hp[0] = trace.model.h0;
  hp.set(trace.h.subarray(0, Math.max(trace.T - 1, 0)), 1);
  return hp;
}

/** What the lag kernel reads: one entry per step (0-based). */
export interface LagInputs {
  factor: Float64Array;
  seed: Float64Array;
  hPrev: Float64Array;
  x: Float64Array;
  hasY: Uint8Array;
}

export interface LagSums {
  /** Lags 0..K (length K + 1). */
  w: Float64Array;
  v: Float64Array;
  b: Float64Array;
  /** Σ_{τ} ∂ℓ_τ/∂s_t over the lags τ − t ≤ K, per step t (only when asked for). */
  perStep: Float64Array | null;
}

export type LagKernel = 'auto' | 'js' | 'plain';

/**
 * G_w, G_v, G_b at lags 0..K (and, with perStep, Σ_{d ≤ K} ∂ℓ_{t+d}/∂s_t at each t).
 * The recurrence, for each target τ in a block:  a_0 = seed_τ,  a_d = a_{d−1} · f_{τ−d}.
 *
 * Two layouts of the same sums. Dense: a block is every step, a_0 = 0 where there is no target,
 * so the inner loop is contiguous; exact only when every f, h and x is finite (a 0 that meets a
 * NaN or ∞ would make NaN where autograd never looks), which is checked first. Otherwise sparse:
 * the targets only, through an index array. Dense blocks run two at a time in WebAssembly SIMD
 * (lagWasm.ts) where the engine has it, else four lags per pass in JS (lagKernel.ts); `kernel`
 * 'js' asks for the latter, 'plain' for the one-lag loop both are tested against. All three give
 * the same doubles.
 */
export function lagSums(inp: LagInputs, K: number, perStep = false, onProgress?: Progress, kernel: LagKernel = 'auto'): LagSums | null {
  const { factor, hPrev, x, hasY } = inp;
  const T = factor.length;
  const dense = allFinite(factor) && allFinite(hPrev) && allFinite(x);
  // ti: the steps each block row stands for (every step when dense, the targets otherwise).
  let n = T;
  if (!dense) {
    n = 0;
    for (let i = 0; i < T; i++) if (hasY[i] !== 0) n++;
  }
  const ti = new Int32Array(n);
  for (let i = 0, k = 0; i < T; i++) if (dense || hasY[i] !== 0) ti[k++] = i;
  const s: LagState = {
    inp, K, ti, dense, four: dense && !perStep && kernel !== 'plain',
    G: { w: new Float64Array(K + 1), v: new Float64Array(K + 1), b: new Float64Array(K + 1) },
    perStep: perStep ? new Float64Array(T) : null, sums: new Float64Array(12),
  };
  const pairs = dense && !perStep && kernel === 'auto' ? lagPairs(s) : null;
  const a = new Float64Array(BLOCK);
  for (let k0 = 0; k0 < n;) {
    let k1 = Math.min(k0 + BLOCK, n);
    if (pairs !== null) {
      k1 = pairs(k0, Math.min(k0 + 2 * BLOCK, n));
    } else {
      seedBlock(s, a, k0, k1);
      blockLags(s, a, k0, k1, 0);
    }
    if (onProgress && onProgress(k1, n) === false) return null;
    k0 = k1;
  }
  return { ...s.G, perStep: s.perStep };
}

function allFinite(v: Float64Array): boolean {
  let bad = 0;
  for (let i = 0; i < v.length; i++) bad += v[i] * 0;
  return bad === 0;
}

/** G_h0(d) = w·∂ℓ_{d+1}/∂s_1 = w·seed_{d+1}·Π_{j=1}^{d} f_j for d = 0..K (0 where step d + 1 has no target). */
export function lagH0(inp: LagInputs, w: number, K: number): Float64Array {
  const { factor, seed, hasY } = inp;
  const n = Math.min(K + 1, factor.length);
  const G = new Float64Array(K + 1);
  let p = 1; // ∂s_{d+1}/∂s_1
  for (let d = 0; d < n; d++) {
    if (d > 0) p *= factor[d - 1];
    G[d] = hasY[d] !== 0 ? w * (seed[d] * p) : 0;
  }
  return G;
}

export type LagParam = 'w' | 'v' | 'b' | 'h0';
export const LAG_PARAMS: readonly LagParam[] = ['w', 'v', 'b', 'h0'];

export interface LagResult {
  /** Highest lag in the per-lag arrays (T − 1 when every lag is there). */
  K: number;
  /** true when K ≥ T − 1: every lag is in the arrays and the "> K" bins are 0. */
  allLags: boolean;
  G: Record<LagParam, Float64Array>;
  /** Σ_{d > K} G(d) = full gradient − Σ_{d ≤ K} G(d). */
  beyondK: Record<LagParam, number>;
  /** The full gradients (the core's backward pass), Σ_d G(d). */
  total: Record<LagParam, number>;
}

/** G(d) for every parameter through the recurrence; K defaults to all lags when T ≤ 10⁴, else 1000. */
export function gradientByLag(trace: Trace, inp: LagInputs, K?: number, onProgress?: Progress): LagResult | null {
  const T = trace.T;
  const kMax = Math.max(T - 1, 0);
  const k = Math.min(K ?? (T <= 10_000 ? kMax : 1000), kMax);
  const sums = lagSums(inp, k, false, onProgress);
  if (sums === null) return null;
  const allLags = k >= kMax;
  const G = { w: sums.w, v: sums.v, b: sums.b, h0: lagH0(inp, trace.model.w, k) };
  const total = { w: trace.grads.w, v: trace.grads.v, b: trace.grads.b, h0: trace.grads.h0 };
  const beyondK = { w: 0, v: 0, b: 0, h0: 0 };
  if (!allLags) for (const p of LAG_PARAMS) beyondK[p] = total[p] - sumOf(G[p]);
  return { K: k, allLags, G, beyondK, total };
}

function sumOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * The cumulative share of |G(d)|: share[d] = Σ_{d' ≤ d} |G(d')| / (Σ_d |G(d)| + |beyondK|), and the
 * smallest lag holding `level` of it ("90 % of ∂L/∂w comes from lags ≤ 7"); null if only "> K" does.
 * Absolute values, because lags of opposite sign cancel in the signed sum.
 */
export function lagShare(G: Float64Array, beyondK: number, level = 0.9): { share: Float64Array; lagAt: number | null } {
  let mass = Math.abs(beyondK);
  for (let d = 0; d < G.length; d++) mass += Math.abs(G[d]);
  const share = new Float64Array(G.length);
  let acc = 0;
  let lagAt: number | null = null;
  for (let d = 0; d < G.length; d++) {
    acc += Math.abs(G[d]);
    share[d] = mass > 0 ? acc / mass : 0;
    if (lagAt === null && mass > 0 && share[d] >= level) lagAt = d;
  }
  return { share, lagAt };
}

/**
 * The horizon=k bias for every k = 1..K + 1 at once: gradient(horizon = k) = Σ_{d<k} G(d), so
 *   bias(k) = −Σ_{d ≥ k} G(d) = −(Σ_{d=k}^{K} G(d) + beyondK)
 * (suffix sums, so bias is exactly 0 once k passes the last lag). bias[k − 1] is k's.
 */
export function horizonBiasSweep(G: Float64Array, beyondK: number): Float64Array {
  const n = G.length;
  const bias = new Float64Array(n + 1);
  let tail = beyondK;
  bias[n] = -tail;
  for (let d = n - 1; d >= 0; d--) {
    tail += G[d];
    bias[d] = -tail;
  }
  // bias[d] now holds −Σ_{d' ≥ d}: k = d + 1 wants −Σ_{d' ≥ k}.
  return bias.subarray(1);
}
