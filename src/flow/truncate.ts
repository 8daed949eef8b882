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
import { runForward } from '../core/kernel';
import { countTargets, lastTargetStep, reduceLoss, reductionScale, type PassSums } from '../core/trace';
import { lagSums, type LagInputs, type Progress } from './lag';

export interface TruncatedTrace extends Trace {
  /** Chunk length k. */
  truncate: number;
}

/*
 * Laid out as the core's kernel (src/core/kernel.ts): the forward pass is the kernel's own
 * (`runForward`), and the backward pass runs in blocks of BLOCK steps, one short call each, so V8
 * compiles whole functions rather than slow on-stack code. What a block hands to the next lives in
 * the arrays or in `p`, the one object of the pass, made by one literal per call.
 */
const BLOCK = 256;

/** One truncated backward pass: its arrays, parameters, running sums and the state at the block's top. */
interface TruncatedPass extends PassSums, Pick<Model, 'w' | 'u' | 'c' | 'h0'> {
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
  h: Float64Array;
  /** φ'(s_t) after the forward pass; the backward pass overwrites each with ∂L/∂s_t. */
  dL_ds: Float64Array;
  scale: number;
  /** Chunk length. */
  k: number;
  T: number;
  /** Non-zero (NaN) iff a value the loop flags was NaN or ±∞. */
  bad: number;
  /** ∂L/∂s_{t+1} for the step above the next block (0 where it is cut or unreached). */
  dL_ds_next: number;
  /** 1 when a loss of the current chunk lies at or after the next step down. */
  reached: number;
  /** (t − 1) mod k of the next step down: a chunk's last step has pos = k − 1. */
  pos: number;
}

/** Forward as the core, backward with the recurrent term cut at each chunk's last step. */
export function runTruncated(model: Model, data: SequenceData, k: number): TruncatedTrace {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`truncate must be a whole number ≥ 1, not ${k}`);
  const { x, y, hasY } = data;
  const T = x.length;
  const out = { s: new Float64Array(T), h: new Float64Array(T), dL_ds: new Float64Array(T) };
  const nTargets = countTargets(hasY);
  const sawBad = runForward(model, data, out);

  const { w, u, c, h0 } = model;
  const p: TruncatedPass = {
    x, y, hasY, h: out.h, dL_ds: out.dL_ds, w, u, c, h0, scale: reductionScale(model.reduction, nTargets), k, T,
    L: 0, dL_dw: 0, dL_dv: 0, dL_db: 0, dL_du: 0, dL_dc: 0, nTargets, bad: 0, dL_ds_next: 0, reached: 0, pos: T > 0 ? (T - 1) % k : 0,
  };
  const theta = actCode(model.theta), ell = lossCode(model.loss);
  for (let i = T - 1; i >= 0; i -= BLOCK) backward(theta, ell, p, i, Math.max(i - BLOCK + 1, 0));

  const trace: TruncatedTrace = {
    model, T, x, y, hasY, s: out.s, h: out.h, dL_ds: out.dL_ds,
    loss: reduceLoss(model.reduction, p.L, nTargets),
    grads: { w: p.dL_dw, v: p.dL_dv, b: p.dL_db, u: p.dL_du, c: p.dL_dc, h0: T > 0 ? w * out.dL_ds[0] : 0 },
    nTargets, lastTargetT: lastTargetStep(hasY), firstNonFinite: null, nonFiniteOrigin: null, truncate: k,
  };
  if (sawBad || p.bad !== 0) locateNonFinite(trace);
  return trace;
}

/**
 * Backward, steps iHi down to iLo, chunk by chunk; `reached`: a loss of this chunk at or after t.
 *   ∂L/∂h_t = local_t + [t is not its chunk's last step]·w·∂L/∂s_{t+1},   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * θ = identity, ℓ = squared has a loop of its own, written out as in the kernel (the same
 * operations as act/loss/dloss/dact, without their dispatch).
 */
function backward(theta: Act, ell: Loss, p: TruncatedPass, iHi: number, iLo: number): void {
  const { x, y, hasY, h, dL_ds } = p;
  const scale = p.scale * 1, w = p.w * 1, u = p.u * 1, c = p.c * 1, h0 = p.h0 * 1, k = p.k, iEnd = p.T - 1; // plain doubles
  let L = p.L * 1, gw = p.dL_dw * 1, gv = p.dL_dv * 1, gb = p.dL_db * 1, gu = p.dL_du * 1, gc = p.dL_dc * 1, bad = p.bad * 1;
  let dL_ds_next = p.dL_ds_next * 1, reached = p.reached, pos = p.pos;
  if (theta === Act.Identity && ell === Loss.Squared) {
    for (let i = iHi; i >= iLo; i--) {
      const chunkEnd = pos === k - 1 || i === iEnd;
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
      const dL_dst = dL_dh * dL_ds[i]; // dL_ds[i] still holds φ'(s_t)
      dL_ds[i] = dL_dst;
      bad += dL_dst * 0;
      gw += dL_dst * (i > 0 ? h[i - 1] : h0);
      gv += dL_dst * x[i];
      gb += dL_dst;
      dL_ds_next = dL_dst;
    }
  } else {
    for (let i = iHi; i >= iLo; i--) {
      const chunkEnd = pos === k - 1 || i === iEnd;
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
      const dL_dst = dL_dh * dL_ds[i]; // dL_ds[i] still holds φ'(s_t)
      dL_ds[i] = dL_dst;
      bad += dL_dst * 0;
      gw += dL_dst * (i > 0 ? h[i - 1] : h0);
      gv += dL_dst * x[i];
      gb += dL_dst;
      dL_ds_next = dL_dst;
    }
  }
  p.L = L; p.dL_dw = gw; p.dL_dv = gv; p.dL_db = gb; p.dL_du = gu; p.dL_dc = gc; p.bad = bad;
  p.dL_ds_next = dL_ds_next; p.reached = reached; p.pos = pos;
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
  /** bias / full: −44 % means truncation loses 44 % of the gradient, whatever its sign (±∞ or NaN when full = 0) */
  relBias: number;
}

export function compareGrads(truncated: Grads, full: Grads): Record<keyof Grads, GradComparison> {
  const out = {} as Record<keyof Grads, GradComparison>;
  for (const p of Object.keys(full) as (keyof Grads)[]) {
    const bias = truncated[p] - full[p];
    out[p] = { truncated: truncated[p], full: full[p], bias, relBias: bias === 0 ? 0 : bias / full[p] };
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
