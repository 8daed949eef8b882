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
import { lagStepDense4 } from './lagKernel';

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

const BLOCK = 1024;

/**
 * G_w, G_v, G_b at lags 0..K (and, with perStep, Σ_{d ≤ K} ∂ℓ_{t+d}/∂s_t at each t).
 * The recurrence, for each target τ in a block:  a_0 = seed_τ,  a_d = a_{d−1} · f_{τ−d}.
 *
 * Two layouts of the same sums. Dense: a block is every step, a_0 = 0 where there is no target,
 * so the inner loop is contiguous; exact only when every f, h and x is finite (a 0 that meets a
 * NaN or ∞ would make NaN where autograd never looks), which is checked first. Otherwise sparse:
 * the targets only, through an index array. Dense blocks take four lags per pass (lagKernel.ts)
 * unless `plain` asks for the one-lag loop it is tested against; both give the same doubles.
 */
export function lagSums(inp: LagInputs, K: number, perStep = false, onProgress?: Progress, plain = false): LagSums | null {
  const { factor, seed, hPrev, x, hasY } = inp;
  const T = factor.length;
  const Gw = new Float64Array(K + 1), Gv = new Float64Array(K + 1), Gb = new Float64Array(K + 1);
  const per = perStep ? new Float64Array(T) : null;
  const dense = allFinite(factor) && allFinite(hPrev) && allFinite(x);
  const four = dense && per === null && !plain;
  // ti: the steps each block row stands for (every step when dense, the targets otherwise).
  let n = T;
  if (!dense) {
    n = 0;
    for (let i = 0; i < T; i++) if (hasY[i] !== 0) n++;
  }
  const ti = new Int32Array(n);
  for (let i = 0, k = 0; i < T; i++) if (dense || hasY[i] !== 0) ti[k++] = i;
  const a = new Float64Array(BLOCK);
  const sums = new Float64Array(12);
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(k0 + BLOCK, n);
    for (let k = k0; k < k1; k++) a[k - k0] = hasY[ti[k]] !== 0 ? seed[ti[k]] : 0;
    let kLo = k0;
    let nextCheck = 64;
    for (let d = 0; d <= K;) {
      // Rows with τ − d < 1 have no lag d; they are the first ones of the (ascending) block.
      while (kLo < k1 && ti[kLo] < d) kLo++;
      if (kLo === k1) break;
      if (four && d > 0 && d + 3 <= K) {
        lagStepDense4(a, ti[k0], kLo - k0, k1 - k0, d, factor, hPrev, x, sums);
        for (let q = 0; q < 4; q++) {
          Gw[d + q] += sums[3 * q]; Gv[d + q] += sums[3 * q + 1]; Gb[d + q] += sums[3 * q + 2];
        }
        d += 4;
      } else {
        if (dense) lagStepDense(a, ti[k0], kLo - k0, k1 - k0, d, factor, hPrev, x, sums);
        else lagStepSparse(a, ti, k0, kLo, k1, d, factor, hPrev, x, sums);
        Gw[d] += sums[0]; Gv[d] += sums[1]; Gb[d] += sums[2];
        if (per !== null) for (let k = kLo; k < k1; k++) per[ti[k] - d] += a[k - k0];
        d++;
      }
      // Vanishing gradients underflow to exactly 0; with every factor finite, all later lags of
      // this block then add exactly 0 (x + ±0 = x, and G is never −0), so they are skipped
      // (checked every 64 lags).
      if (dense && d >= nextCheck) {
        nextCheck += 64;
        if (allZero(a, kLo - k0, k1 - k0)) break;
      }
    }
    if (onProgress && onProgress(k1, n) === false) return null;
  }
  return { w: Gw, v: Gv, b: Gb, perStep: per };
}

function allZero(a: Float64Array, lo: number, hi: number): boolean {
  for (let r = lo; r < hi; r++) if (a[r] !== 0) return false;
  return true;
}

function allFinite(v: Float64Array): boolean {
  let bad = 0;
  for (let i = 0; i < v.length; i++) bad += v[i] * 0;
  return bad === 0;
}

/**
 * One lag d of a dense block (rows r = rLo..rHi−1 are steps i0 + r): a[r] ← a[r]·f_{i0+r−d}
 * (not at d = 0), then the three sums over the rows in ascending order. Small functions of their
 * own keep V8's loops tight.
 */
function lagStepDense(a: Float64Array, i0: number, rLo: number, rHi: number, d: number,
  factor: Float64Array, hPrev: Float64Array, x: Float64Array, sums: Float64Array): void {
  const off = i0 - d;
  let gw = 0, gv = 0, gb = 0;
  for (let r = rLo; r < rHi; r++) {
    const j = off + r;
    const ad = d > 0 ? a[r] * factor[j] : a[r];
    a[r] = ad;
    gw += ad * hPrev[j]; gv += ad * x[j]; gb += ad;
  }
  sums[0] = gw; sums[1] = gv; sums[2] = gb;
}

/** The same through the index array of the targets (rows k = kLo..k1−1 are steps ti[k]). */
function lagStepSparse(a: Float64Array, ti: Int32Array, k0: number, kLo: number, k1: number, d: number,
  factor: Float64Array, hPrev: Float64Array, x: Float64Array, sums: Float64Array): void {
  let gw = 0, gv = 0, gb = 0;
  for (let k = kLo; k < k1; k++) {
    const j = ti[k] - d;
    const ad = d > 0 ? a[k - k0] * factor[j] : a[k - k0];
    a[k - k0] = ad;
    gw += ad * hPrev[j];
    gv += ad * x[j];
    gb += ad;
  }
  sums[0] = gw; sums[1] = gv; sums[2] = gb;
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
