/**
 * Truncated BPTT, exactly, beside the full gradient.
 *
 * truncate=k (the PyTorch idiom `h = h.detach()` every k steps): the sequence is cut into chunks
 * of k steps from t = 1 (t = 1..k, k+1..2k, …). The state is carried forward unchanged, but no
 * gradient crosses a boundary:
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + [t is not a chunk's last step]·w·∂L/∂s_{t+1}
 *   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * so ∂L/∂h0 = w·∂L/∂s_1 collects only the first chunk's losses. As in autograd, a step that no
 * loss of its own chunk reaches is never visited (its gradient is 0, not 0·NaN).
 *
 * horizon=k (depth-k truncation, Williams & Peng's k2): each ℓ_τ backpropagates through
 * s_τ … s_{τ−k+1} only, i.e. the lags d < k of lag.ts: gradient = Σ_{d<k} G(d).
 */
import { Act, Loss, act, actCode, dact, dloss, loss, lossCode, stepValues, type Grads, type Model, type SequenceData, type StepValues, type Trace } from '../core';
import { dtanh, tanh } from '../core/activations';
import { lagSums, type LagInputs, type Progress } from './lag';

export interface TruncatedTrace extends Trace {
  /** Chunk length k. */
  truncate: number;
}

/*
 * Laid out as the core's runBptt (see the comment above its BLOCK): forward and backward run in
 * blocks of BLOCK steps, one short call each, so V8 compiles whole functions rather than slow
 * on-stack code; tanh has a forward loop of its own; what a block hands to the next lives in the
 * arrays or in the module variables acc*.
 */
const BLOCK = 256;
let accL = 0, accW = 0, accV = 0, accB = 0, accU = 0, accC = 0, accBad = 0, accNext = 0, accReached = 0, accPos = 0;

/** Forward as the core, backward with the recurrent term cut at each chunk's last step. */
export function runTruncated(model: Model, data: SequenceData, k: number): TruncatedTrace {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`truncate must be a whole number ≥ 1, not ${k}`);
  const { x, y, hasY } = data;
  const T = x.length;
  const s = new Float64Array(T), h = new Float64Array(T), dL_ds = new Float64Array(T);
  const { w, v, b, u, c, h0 } = model;
  const phi = actCode(model.phi), theta = actCode(model.theta), ell = lossCode(model.loss);
  let nTargets = 0, lastTarget = -1;
  for (let i = 0; i < T; i++) if (hasY[i] !== 0) { nTargets++; lastTarget = i; }
  const scale = model.reduction === 'sum' ? 1 : nTargets > 0 ? 1 / nTargets : 0;

  let bad = 0;
  for (let t = 0; t < T; t += BLOCK) bad += forward(phi, t, Math.min(t + BLOCK, T), x, s, h, dL_ds, w, v, b, u, c, h0);
  accL = accW = accV = accB = accU = accC = accBad = accNext = accReached = 0;
  accPos = T > 0 ? (T - 1) % k : 0;
  for (let t = T - 1; t >= 0; t -= BLOCK) backward(theta, ell, scale, k, T, t, Math.max(t - BLOCK + 1, 0), x, y, hasY, h, dL_ds, w, u, c, h0);
  bad += accBad;

  const grads: Grads = { w: accW, v: accV, b: accB, u: accU, c: accC, h0: T > 0 ? w * dL_ds[0] : 0 };
  const trace: TruncatedTrace = {
    model, T, x, y, hasY, s, h, dL_ds,
    loss: model.reduction === 'mean' ? (nTargets > 0 ? accL / nTargets : 0) : accL,
    grads, nTargets, lastTargetT: lastTarget < 0 ? null : lastTarget + 1, firstNonFinite: null, nonFiniteOrigin: null, truncate: k,
  };
  if (bad !== 0) locateNonFinite(trace);
  return trace;
}

/** Forward, steps tLo ≤ t < tHi: s_t = w·h_{t−1} + v·x_t + b, h_t = φ(s_t); φ'(s_t) waits in dL_ds[t]. */
function forward(phi: Act, tLo: number, tHi: number, x: Float64Array, s: Float64Array, h: Float64Array, dL_ds: Float64Array,
  w: number, v: number, b: number, u: number, c: number, h0: number): number {
  w *= 1; v *= 1; b *= 1; u *= 1; c *= 1; h0 *= 1; // plain doubles (as in the core)
  let hPrev = tLo > 0 ? h[tLo - 1] : h0;
  let bad = 0;
  if (phi === Act.Tanh) {
    for (let t = tLo; t < tHi; t++) {
      const st = w * hPrev + v * x[t] + b;
      const ht = tanh(st);
      s[t] = st; h[t] = ht; dL_ds[t] = dtanh(ht);
      bad += st * 0 + ht * 0 + (u * ht + c) * 0;
      hPrev = ht;
    }
  } else {
    for (let t = tLo; t < tHi; t++) {
      const st = w * hPrev + v * x[t] + b;
      const ht = act(phi, st);
      s[t] = st; h[t] = ht; dL_ds[t] = dact(phi, st, ht);
      bad += st * 0 + ht * 0 + (u * ht + c) * 0;
      hPrev = ht;
    }
  }
  return bad;
}

/**
 * Backward, steps tHi down to tLo, chunk by chunk; `reached`: a loss of this chunk at or after t.
 *   ∂L/∂h_t = local_t + [t is not its chunk's last step]·w·∂L/∂s_{t+1},   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * pos = t mod k, counted down (a chunk's last step has pos = k − 1).
 */
function backward(theta: Act, ell: Loss, scale: number, k: number, T: number, tHi: number, tLo: number,
  x: Float64Array, y: Float64Array, hasY: Uint8Array, h: Float64Array, dL_ds: Float64Array, w: number, u: number, c: number, h0: number): void {
  scale *= 1; w *= 1; u *= 1; c *= 1; h0 *= 1;
  let L = accL * 1, gw = accW * 1, gv = accV * 1, gb = accB * 1, gu = accU * 1, gc = accC * 1, bad = accBad * 1;
  let dL_ds_next = accNext * 1, reached = accReached, pos = accPos;
  // θ = identity, ℓ = squared written out (the same operations as act/loss/dloss/dact), as in the core.
  if (theta === Act.Identity && ell === Loss.Squared) {
    for (let i = tHi; i >= tLo; i--) {
      const chunkEnd = pos === k - 1 || i === T - 1;
      pos = pos === 0 ? k - 1 : pos - 1;
      if (chunkEnd) reached = 0;
      let local = 0;
      if (hasY[i] !== 0) {
        reached = 1;
        const d = u * h[i] + c - y[i]; // θ = identity, ℓ = squared: ŷ = z, ℓ = ½d², ∂ℓ/∂ŷ = d, θ' = 1
        const lt = 0.5 * d * d;
        const dL_dz = scale * d;
        local = dL_dz * u;
        L += lt;
        gu += dL_dz * h[i];
        gc += dL_dz;
        bad += lt * 0 + dL_dz * 0;
      }
      if (reached === 0) {
        dL_ds[i] = 0;
        dL_ds_next = 0;
        continue;
      }
      const dL_dh = local + (chunkEnd ? 0 : w * dL_ds_next);
      const dL_dst = dL_dh * dL_ds[i];
      dL_ds[i] = dL_dst;
      bad += dL_dst * 0;
      gw += dL_dst * (i > 0 ? h[i - 1] : h0);
      gv += dL_dst * x[i];
      gb += dL_dst;
      dL_ds_next = dL_dst;
    }
  } else {
    for (let i = tHi; i >= tLo; i--) {
      const chunkEnd = pos === k - 1 || i === T - 1;
      pos = pos === 0 ? k - 1 : pos - 1;
      if (chunkEnd) reached = 0;
      let local = 0;
      if (hasY[i] !== 0) {
        reached = 1;
        const z = u * h[i] + c;
        const yhat = act(theta, z);
        const lt = loss(ell, yhat, y[i]);
        const dL_dz = scale * dloss(ell, yhat, y[i]) * dact(theta, z, yhat);
        local = dL_dz * u;
        L += lt;
        gu += dL_dz * h[i];
        gc += dL_dz;
        bad += lt * 0 + dL_dz * 0;
      }
      if (reached === 0) {
        dL_ds[i] = 0;
        dL_ds_next = 0;
        continue;
      }
      const dL_dh = local + (chunkEnd ? 0 : w * dL_ds_next);
      const dL_dst = dL_dh * dL_ds[i];
      dL_ds[i] = dL_dst;
      bad += dL_dst * 0;
      gw += dL_dst * (i > 0 ? h[i - 1] : h0);
      gv += dL_dst * x[i];
      gb += dL_dst;
      dL_ds_next = dL_dst;
    }
  }
  accL = L; accW = gw; accV = gv; accB = gb; accU = gu; accC = gc; accBad = bad;
  accNext = dL_ds_next; accReached = reached; accPos = pos;
}

/** Every quantity of step i under truncate=k: the core's stepValues with the recurrent term cut at boundaries. */
export function truncatedStepValues(trace: TruncatedTrace, i: number): StepValues {
  const v = stepValues(trace, i);
  if ((i + 1) % trace.truncate === 0) {
    v.dL_dh_recurrent = 0;
    v.dL_dh = v.dL_dh_local + 0;
  }
  return v;
}

const QUANTITIES: (keyof StepValues)[] = ['x', 'y', 's', 'h', 'yhat', 'loss', 'dL_dyhat', 'dL_dh_local', 'dL_dh_recurrent', 'dL_dh', 'dL_ds'];

/** The first step with a non-finite value (slow path, only when the pass saw one). */
function locateNonFinite(trace: TruncatedTrace): void {
  for (let i = 0; i < trace.T; i++) {
    const v = truncatedStepValues(trace, i);
    for (const q of QUANTITIES) {
      const n = v[q];
      if (typeof n === 'number' && !Number.isFinite(n)) {
        trace.firstNonFinite = i + 1;
        trace.nonFiniteOrigin = { t: i + 1, quantity: q, value: n };
        return;
      }
    }
  }
}

export interface HorizonRun {
  horizon: number;
  /** Gradients under horizon=k (u and c are the full ones: they never pass through the recurrence). */
  grads: Grads;
  /** Σ_{τ = t}^{t+k−1} ∂ℓ_τ/∂s_t: step t's share of the truncated gradient (w gets it times h_{t−1}). */
  perStep: Float64Array;
}

/** horizon=k, exactly: the lags 0..k−1 of every loss term, with per-step contributions. O(N_targets·k). */
export function runHorizon(trace: Trace, inp: LagInputs, k: number, onProgress?: Progress): HorizonRun | null {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`horizon must be a whole number ≥ 1, not ${k}`);
  const K = Math.min(k - 1, Math.max(trace.T - 1, 0));
  const sums = lagSums(inp, K, true, onProgress);
  if (sums === null) return null;
  const perStep = sums.perStep as Float64Array;
  // Σ over steps of the per-step contributions, in the order of the core's backward pass.
  // A step no loss reaches within k steps is not visited (autograd never looks there: no 0·NaN).
  let gw = 0, gv = 0, gb = 0;
  let nextTarget = Infinity;
  for (let i = trace.T - 1; i >= 0; i--) {
    if (inp.hasY[i] !== 0) nextTarget = i;
    if (nextTarget - i >= k) continue;
    gw += perStep[i] * inp.hPrev[i];
    gv += perStep[i] * inp.x[i];
    gb += perStep[i];
  }
  // ∂L/∂h0 = w·∂L/∂s_1 under the horizon: the losses τ ≤ k reach s_1.
  const h0 = trace.T > 0 ? trace.model.w * perStep[0] : 0;
  return { horizon: k, grads: { w: gw, v: gv, b: gb, u: trace.grads.u, c: trace.grads.c, h0 }, perStep };
}

export interface GradComparison {
  truncated: number;
  full: number;
  /** truncated − full */
  bias: number;
  /** bias / |full| (±∞ or NaN when full = 0) */
  relBias: number;
}

export function compareGrads(truncated: Grads, full: Grads): Record<keyof Grads, GradComparison> {
  const out = {} as Record<keyof Grads, GradComparison>;
  for (const p of Object.keys(full) as (keyof Grads)[]) {
    const bias = truncated[p] - full[p];
    out[p] = { truncated: truncated[p], full: full[p], bias, relBias: bias === 0 ? 0 : bias / Math.abs(full[p]) };
  }
  return out;
}

/** Per-step inputs of the truncate sweep: ∂L/∂h_t's local part and φ'(s_t). */
export interface SweepInputs {
  local: Float64Array;
  phiPrime: Float64Array;
  hPrev: Float64Array;
  x: Float64Array;
  hasY: Uint8Array;
}

export interface TruncateSweep {
  /** k = 1..K: the gradient under truncate=k, index k − 1. */
  w: Float64Array;
  v: Float64Array;
  b: Float64Array;
  h0: Float64Array;
}

/**
 * The truncate=k gradients of w, v, b, h0 for every k = 1..K. There is no shortcut through G(d)
 * here (which pairs (t, τ) survive depends on where τ sits in its chunk), so this is one O(T)
 * backward pass per k: O(T·K). Same recurrence and `reached` rule as runTruncated.
 */
export function truncateSweep(inp: SweepInputs, w: number, K: number, onProgress?: Progress): TruncateSweep | null {
  const { local, phiPrime, hPrev, x, hasY } = inp;
  const T = local.length;
  const out: TruncateSweep = { w: new Float64Array(K), v: new Float64Array(K), b: new Float64Array(K), h0: new Float64Array(K) };
  for (let k = 1; k <= K; k++) {
    let gw = 0, gv = 0, gb = 0, ds = 0, reached = false;
    let pos = (T - 1) % k; // i mod k: the chunk's last step has pos = k − 1
    for (let i = T - 1; i >= 0; i--) {
      const chunkEnd = pos === k - 1 || i === T - 1;
      if (chunkEnd) reached = false;
      pos = pos === 0 ? k - 1 : pos - 1;
      if (hasY[i] !== 0) reached = true;
      if (!reached) {
        ds = 0;
        continue;
      }
      ds = (local[i] + (chunkEnd ? 0 : w * ds)) * phiPrime[i];
      gw += ds * hPrev[i];
      gv += ds * x[i];
      gb += ds;
    }
    out.w[k - 1] = gw;
    out.v[k - 1] = gv;
    out.b[k - 1] = gb;
    out.h0[k - 1] = w * ds;
    if (onProgress && onProgress(k, K) === false) return null;
  }
  return out;
}
