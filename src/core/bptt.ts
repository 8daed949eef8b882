/**
 * Backpropagation through time for the scalar RNN.
 *
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * The trace keeps only what cannot be rebuilt in O(1) per step: s, h and ∂L/∂s (plus the
 * inputs x, y). Every other per-step quantity (ŷ, ℓ, ∂L/∂ŷ, ∂L/∂h and its two parts) is
 * recomputed by `stepValues` with exactly the arithmetic of the backward loop, so a hover or a
 * CLI row shows bit-for-bit the numbers the pass used.
 */
import { Act, act, actCode, dact, dtanh, tanh } from './activations';
import { Loss, dloss, loss, lossCode } from './losses';
import type { Model, NumericKey } from './model';

export interface SequenceData {
  x: Float64Array;
  /** y_t, meaningful only where hasY[t] = 1. */
  y: Float64Array;
  hasY: Uint8Array;
}

export type Grads = Record<NumericKey, number>;

export interface Trace extends SequenceData {
  model: Model;
  T: number;
  s: Float64Array;
  h: Float64Array;
  dL_ds: Float64Array;
  /** L, after reduction. */
  loss: number;
  grads: Grads;
  /** Steps that have a target; `mean` divides by this. */
  nTargets: number;
  /** 0-based index of the last step with a target, or -1. Gradients are 0 after it. */
  lastTarget: number;
  /** Smallest 1-based t at which any per-step value is NaN or ±Inf, or null. */
  firstNonFinite: number | null;
  /** Where non-finite values start: forward in time for s/h/ŷ/ℓ, backward in time for the gradients. */
  nonFiniteOrigin: NonFiniteOrigin | null;
}

export interface NonFiniteOrigin {
  /** 1-based step. */
  t: number;
  quantity: keyof StepValues;
  value: number;
}

/** Every per-step quantity of step t, as the CLI and the editor show them. */
export interface StepValues {
  t: number;
  x: number;
  /** null where the step has no target. */
  y: number | null;
  s: number;
  h: number;
  /** h_{t-1} (h0 at t = 1). */
  hPrev: number;
  yhat: number;
  /** ℓ(ŷ_t, y_t) before reduction; null where the step has no target. */
  loss: number | null;
  dL_dyhat: number;
  /** θ'(u·h_t + c) */
  thetaPrime: number;
  /** φ'(s_t) */
  phiPrime: number;
  dL_dh: number;
  /** ∂L/∂ŷ_t·θ'(u·h_t + c)·u */
  dL_dh_local: number;
  /** w·∂L/∂s_{t+1}, 0 at t = T */
  dL_dh_recurrent: number;
  dL_ds: number;
}

/** Preallocated outputs, for callers that run many passes of one length (the benchmark). */
export interface TraceBuffers {
  s: Float64Array;
  h: Float64Array;
  dL_ds: Float64Array;
}

/** The 1/N of `mean` (N = steps with a target), or 1 for `sum`. With no target at all, L = 0. */
function reductionScale(model: Model, nTargets: number): number {
  if (model.reduction === 'sum') return 1;
  return nTargets > 0 ? 1 / nTargets : 0;
}

export function runBptt(model: Model, data: SequenceData, buffers?: TraceBuffers): Trace {
  const { x, y, hasY } = data;
  const T = x.length;
  const s = buffers?.s ?? new Float64Array(T);
  const h = buffers?.h ?? new Float64Array(T);
  const dL_ds = buffers?.dL_ds ?? new Float64Array(T);
  const { w, v, b, u, c, h0 } = model;

  // lastTarget bounds the backward pass: later steps never reach L. `mean` scales each ∂ℓ/∂ŷ by
  // 1/N, so it counts the targets first; for `sum` the backward pass counts them on the way.
  const lastTarget = lastTargetOf(hasY);
  const scale = reductionScale(model, model.reduction === 'mean' ? countTargets(hasY) : 0);

  const forwardBad = forwardPass(actCode(model.phi), T, x, s, h, dL_ds, w, v, b, u, c, h0);
  // Steps after the last target do not reach L, so their gradients are exactly 0. Like autodiff,
  // the pass never visits them: a NaN there must not leak into ∂L/∂w as 0·NaN.
  dL_ds.fill(0, lastTarget + 1);
  backwardPass(actCode(model.theta), lossCode(model.loss), scale, lastTarget, x, y, hasY, h, dL_ds, w, u, c, h0);

  const trace: Trace = {
    model,
    T,
    x,
    y,
    hasY,
    s,
    h,
    dL_ds,
    // L/N rather than (1/N)·L, so `mean` is exactly `sum` divided by N.
    loss: model.reduction === 'mean' ? (accN > 0 ? accL / accN : 0) : accL,
    grads: { w: accW, v: accV, b: accB, u: accU, c: accC, h0: T > 0 ? w * dL_ds[0] : 0 },
    nTargets: accN,
    lastTarget,
    firstNonFinite: null,
    nonFiniteOrigin: null,
  };
  if (forwardBad !== 0 || accBad !== 0) locateNonFinite(trace);
  return trace;
}

function countTargets(hasY: Uint8Array): number {
  let n = 0;
  for (let t = 0; t < hasY.length; t++) if (hasY[t] !== 0) n++;
  return n;
}

function lastTargetOf(hasY: Uint8Array): number {
  let t = hasY.length - 1;
  while (t >= 0 && hasY[t] === 0) t--;
  return t;
}

/*
 * How the loops are laid out for V8 (each point measured; BENCHMARKS.md has the figures):
 *
 * - tanh and identity, the common and the benchmarked φ, have forward loops of their own, the
 *   switch outside them, so V8 inlines the one activation each calls. The other φ share a loop
 *   that dispatches through act/dact each step: measured, that costs them 2–4 % (sigmoid,
 *   softplus) to 18 % (relu, ~2 ns/step) against a loop each, and saves five copies of the loop.
 * - The loops run in blocks of BLOCK steps, one call of forward()/backward() each. A loop that
 *   runs long in a function's first call is compiled on-stack (OSR), with values that arrive
 *   boxed from the interpreter; if V8 then compiles the whole function before its prologue has
 *   type feedback, that code deoptimizes on entry and every later call re-enters the slow OSR
 *   code. Short calls never trigger OSR and get whole-function code.
 * - What a block hands to the next lives in the arrays (h_{t-1} is h[t-1], ∂L/∂s_{t+1} is
 *   dL_ds[t+1]) or in the module variables acc* below: reading or writing them needs no type
 *   feedback, so the drivers forwardPass/backwardPass are safe to compile on-stack.
 * - Scalars come in as arguments, not as model fields (a field load depends on the object's map,
 *   and a new model can invalidate it), and `* 1` at the top of each block (exact, −0 and NaN
 *   included) turns each into a plain double, so the loops never re-check or unbox them.
 * - Non-finite values are flagged without a branch: v·0 is NaN exactly when v is NaN or ±∞, so a
 *   running sum `bad` of such products is non-zero iff any of them was. θ is finite at every
 *   finite input, so checking z = u·h_t + c in the forward pass covers ŷ_t at every step.
 */
const BLOCK = 256;

/** The running sums of the backward pass, carried from block to block (runBptt is synchronous, so one set serves every call). */
let accL = 0, accW = 0, accV = 0, accB = 0, accU = 0, accC = 0, accN = 0, accBad = 0;

function forwardPass(
  phi: Act,
  T: number,
  x: Float64Array,
  s: Float64Array,
  h: Float64Array,
  dL_ds: Float64Array,
  w: number,
  v: number,
  b: number,
  u: number,
  c: number,
  h0: number,
): number {
  let bad = 0;
  for (let t = 0; t < T; t += BLOCK) bad += forward(phi, t, Math.min(t + BLOCK, T), x, s, h, dL_ds, w, v, b, u, c, h0);
  return bad;
}

function backwardPass(
  theta: Act,
  ell: Loss,
  scale: number,
  lastTarget: number,
  x: Float64Array,
  y: Float64Array,
  hasY: Uint8Array,
  h: Float64Array,
  dL_ds: Float64Array,
  w: number,
  u: number,
  c: number,
  h0: number,
): void {
  accL = accW = accV = accB = accU = accC = accN = accBad = 0;
  for (let t = lastTarget; t >= 0; t -= BLOCK) {
    backward(theta, ell, scale, lastTarget, t, Math.max(t - BLOCK + 1, 0), x, y, hasY, h, dL_ds, w, u, c, h0);
  }
}

/**
 * Forward, steps tLo ≤ t < tHi:
 *   s_t = w·h_{t-1} + v·x_t + b,   h_t = φ(s_t),   and φ'(s_t) beside it.
 * φ'(s_t) waits in dL_ds[t]; the backward pass multiplies it in and overwrites it with ∂L/∂s_t.
 * Returns the non-finite flag.
 */
function forward(
  phi: Act,
  tLo: number,
  tHi: number,
  x: Float64Array,
  s: Float64Array,
  h: Float64Array,
  dL_ds: Float64Array,
  w: number,
  v: number,
  b: number,
  u: number,
  c: number,
  h0: number,
): number {
  w *= 1; v *= 1; b *= 1; u *= 1; c *= 1; h0 *= 1; // plain doubles (see above)
  let hPrev = tLo > 0 ? h[tLo - 1] : h0;
  let bad = 0;
  switch (phi) {
    case Act.Tanh:
      for (let t = tLo; t < tHi; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = tanh(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dtanh(ht);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Identity:
      for (let t = tLo; t < tHi; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = st;
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = 1;
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    default:
      // The other activations share one loop: act/dact dispatch on φ each step (the switch folds
      // well enough; these are not the benchmarked hot path).
      for (let t = tLo; t < tHi; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = act(phi, st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dact(phi, st, ht);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
  }
  return bad;
}

/**
 * Backward, steps tHi down to tLo (tHi ≤ lastTarget; ∂L/∂s_{t+1} = 0 at the last target):
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      (local + recurrent)
 *   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * θ and ℓ are needed only at steps with a target; the loss and the output-layer gradients are
 * summed there too, so θ is evaluated once per step. The common θ = identity, ℓ = squared has a
 * loop of its own with both written out (ŷ = z, ℓ = ½(ŷ − y)², ∂ℓ/∂ŷ = ŷ − y, θ' = 1): the same
 * operations as act/loss/dloss/dact, without their dispatch. One loop with that choice as a
 * loop-invariant branch inside the target block was measured too: 10–80 % slower for tanh and
 * identity φ (the dispatching calls in the other arm still cost the whole loop), so two loops.
 */
function backward(
  theta: Act,
  ell: Loss,
  scale: number,
  lastTarget: number,
  tHi: number,
  tLo: number,
  x: Float64Array,
  y: Float64Array,
  hasY: Uint8Array,
  h: Float64Array,
  dL_ds: Float64Array,
  w: number,
  u: number,
  c: number,
  h0: number,
): void {
  scale *= 1; w *= 1; u *= 1; c *= 1; h0 *= 1; // plain doubles (see above)
  // The running sums so far, as plain doubles too (a module variable is a tagged value).
  let L = accL * 1, dL_dw = accW * 1, dL_dv = accV * 1, dL_db = accB * 1, dL_du = accU * 1, dL_dc = accC * 1;
  let nTargets = accN * 1, bad = accBad * 1;
  let dL_ds_next = tHi < lastTarget ? dL_ds[tHi + 1] : 0;
  if (theta === Act.Identity && ell === Loss.Squared) {
    for (let t = tHi; t >= tLo; t--) {
      const ht = h[t];
      const hPrev = t > 0 ? h[t - 1] : h0;
      let local = 0;
      if (hasY[t] !== 0) {
        nTargets++;
        const yhat = u * ht + c;
        const d = yhat - y[t];
        const lt = 0.5 * d * d;
        const dL_dz = scale * d;
        local = dL_dz * u;
        L += lt;
        dL_du += dL_dz * ht;
        dL_dc += dL_dz;
        bad += lt * 0 + dL_dz * 0;
      }
      const dL_dh = local + (t < lastTarget ? w * dL_ds_next : 0);
      const dL_dst = dL_dh * dL_ds[t]; // dL_ds[t] holds φ'(s_t), left by the forward pass
      dL_ds[t] = dL_dst;
      bad += dL_dh * 0 + dL_dst * 0;
      // s_t = w·h_{t-1} + v·x_t + b: w, v and b each get ∂L/∂s_t times what it multiplies.
      dL_dw += dL_dst * hPrev;
      dL_dv += dL_dst * x[t];
      dL_db += dL_dst;
      dL_ds_next = dL_dst;
    }
  } else {
    for (let t = tHi; t >= tLo; t--) {
      const ht = h[t];
      const hPrev = t > 0 ? h[t - 1] : h0;
      let local = 0;
      if (hasY[t] !== 0) {
        nTargets++;
        const z = u * ht + c;
        const yhat = act(theta, z);
        const lt = loss(ell, yhat, y[t]);
        const dL_dyhat = scale * dloss(ell, yhat, y[t]);
        const dL_dz = dL_dyhat * dact(theta, z, yhat);
        local = dL_dz * u;
        L += lt;
        dL_du += dL_dz * ht;
        dL_dc += dL_dz;
        bad += lt * 0 + dL_dz * 0;
      }
      const dL_dh = local + (t < lastTarget ? w * dL_ds_next : 0);
      const dL_dst = dL_dh * dL_ds[t]; // dL_ds[t] holds φ'(s_t), left by the forward pass
      dL_ds[t] = dL_dst;
      bad += dL_dh * 0 + dL_dst * 0;
      // s_t = w·h_{t-1} + v·x_t + b: w, v and b each get ∂L/∂s_t times what it multiplies.
      dL_dw += dL_dst * hPrev;
      dL_dv += dL_dst * x[t];
      dL_db += dL_dst;
      dL_ds_next = dL_dst;
    }
  }
  accL = L; accW = dL_dw; accV = dL_dv; accB = dL_db; accU = dL_du; accC = dL_dc;
  accN = nTargets; accBad = bad;
}

/**
 * Every quantity of step i (0-based), in O(1). The arithmetic mirrors the backward loop line for
 * line, so the values agree with the pass to the bit.
 */
export function stepValues(trace: Trace, i: number): StepValues {
  const { model, x, y, hasY, s, h, dL_ds } = trace;
  const { w, u, c, h0 } = model;
  const phi: Act = actCode(model.phi);
  const theta: Act = actCode(model.theta);
  const ell: Loss = lossCode(model.loss);
  const scale = reductionScale(model, trace.nTargets);

  const ht = h[i];
  const z = u * ht + c;
  const yhat = act(theta, z);
  const thetaPrime = dact(theta, z, yhat);
  const has = hasY[i] !== 0;
  const dL_dyhat = has ? scale * dloss(ell, yhat, y[i]) : 0;
  const local = has ? dL_dyhat * thetaPrime * u : 0;
  const recurrent = i < trace.lastTarget ? w * dL_ds[i + 1] : 0;
  return {
    t: i + 1,
    x: x[i],
    y: has ? y[i] : null,
    s: s[i],
    h: ht,
    hPrev: i > 0 ? h[i - 1] : h0,
    yhat,
    loss: has ? loss(ell, yhat, y[i]) : null,
    dL_dyhat,
    thetaPrime,
    phiPrime: dact(phi, s[i], ht),
    dL_dh: local + recurrent,
    dL_dh_local: local,
    dL_dh_recurrent: recurrent,
    dL_ds: dL_ds[i],
  };
}

const FORWARD: (keyof StepValues)[] = ['x', 'y', 's', 'h', 'yhat', 'loss'];
const BACKWARD: (keyof StepValues)[] = ['dL_dyhat', 'dL_dh_local', 'dL_dh_recurrent', 'dL_dh', 'dL_ds'];

function firstBad(v: StepValues, keys: (keyof StepValues)[]): NonFiniteOrigin | null {
  for (const k of keys) {
    const n = v[k];
    if (typeof n === 'number' && !Number.isFinite(n)) return { t: v.t, quantity: k, value: n };
  }
  return null;
}

/**
 * Slow path, run only when the pass saw a non-finite value. Forward quantities go bad from the
 * earliest step on; gradients go bad from the latest step backward, so the origin of a gradient
 * blow-up is the largest such t.
 */
function locateNonFinite(trace: Trace): void {
  let first: number | null = null;
  let forwardOrigin: NonFiniteOrigin | null = null;
  let backwardOrigin: NonFiniteOrigin | null = null;
  for (let i = 0; i < trace.T; i++) {
    const v = stepValues(trace, i);
    const fwd = firstBad(v, FORWARD);
    const bwd = firstBad(v, BACKWARD);
    if ((fwd || bwd) && first === null) first = i + 1;
    if (fwd && !forwardOrigin) forwardOrigin = fwd;
    if (bwd) backwardOrigin = bwd;
  }
  trace.firstNonFinite = first;
  trace.nonFiniteOrigin = forwardOrigin ?? backwardOrigin;
}
