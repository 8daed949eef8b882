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
import {
  Act, act, actCode, dact, dleakyRelu, drelu, dsigmoid, dsoftplus, dsoftsign, dtanh, leakyRelu, relu, sigmoid,
  softplus, softsign, tanh,
} from './activations';
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
  const { x, hasY } = data;
  const T = x.length;
  const s = buffers?.s ?? new Float64Array(T);
  const h = buffers?.h ?? new Float64Array(T);
  const dL_ds = buffers?.dL_ds ?? new Float64Array(T);

  // nTargets for `mean`; lastTarget bounds the backward pass: later steps never reach L.
  const nTargets = countTargets(hasY);
  const lastTarget = lastTargetOf(hasY);
  const scale = reductionScale(model, nTargets);

  const { w, v, b, u, c, h0 } = model;
  const forwardNonFinite = forward(actCode(model.phi), x, s, h, dL_ds, w, v, b, u, c, h0);
  // Steps after the last target do not reach L, so their gradients are exactly 0. Like autodiff,
  // the pass never visits them: a NaN there must not leak into ∂L/∂w as 0·NaN.
  dL_ds.fill(0, lastTarget + 1);
  const L = backward(actCode(model.theta), lossCode(model.loss), scale, lastTarget, x, data.y, hasY, h, dL_ds, w, u, c, h0);

  const trace: Trace = {
    model,
    T,
    x,
    y: data.y,
    hasY,
    s,
    h,
    dL_ds,
    // L/N rather than (1/N)·L, so `mean` is exactly `sum` divided by N.
    loss: model.reduction === 'mean' ? (nTargets > 0 ? L / nTargets : 0) : L,
    grads: { w: sumW, v: sumV, b: sumB, u: sumU, c: sumC, h0: T > 0 ? w * dL_ds[0] : 0 },
    nTargets,
    lastTarget,
    firstNonFinite: null,
    nonFiniteOrigin: null,
  };
  if (forwardNonFinite !== 0 || sumBad !== 0) locateNonFinite(trace);
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
 * Non-finite values are flagged without a branch: v·0 is NaN exactly when v is NaN or ±∞, so one
 * running sum `bad` of such products is non-zero iff any of them was. θ is finite at every finite
 * input, so checking z = u·h_t + c in the forward pass covers ŷ_t at every step.
 *
 * Performance: one loop per φ, with the switch outside, so each loop calls one activation and V8
 * inlines it (a loop shared by several φ would call them through one polymorphic site).
 */

/**
 * Forward: s_t = w·h_{t-1} + v·x_t + b,  h_t = φ(s_t),  then φ'(s_t).
 * φ'(s_t) waits in dL_ds[t]; the backward pass multiplies it in and overwrites it with ∂L/∂s_t.
 * Returns the non-finite flag.
 */
function forward(
  phi: Act,
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
  // Arguments arrive as tagged values (a small integer or a boxed double); `* 1` (exact, −0 and NaN
  // included) turns each into a plain double here, so the loops below never re-check or unbox them.
  w *= 1; v *= 1; b *= 1; u *= 1; c *= 1;
  const T = x.length;
  let hPrev = h0 * 1;
  let bad = 0;
  switch (phi) {
    case Act.Tanh:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = tanh(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dtanh(ht);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Sigmoid:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = sigmoid(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dsigmoid(ht);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Relu:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = relu(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = drelu(st);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.LeakyRelu:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = leakyRelu(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dleakyRelu(st);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Identity:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = st;
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = 1;
        bad += st * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Softsign:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = softsign(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dsoftsign(st);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Softplus:
      for (let t = 0; t < T; t++) {
        const st = w * hPrev + v * x[t] + b;
        const ht = softplus(st);
        s[t] = st;
        h[t] = ht;
        dL_ds[t] = dsoftplus(st);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
  }
  return bad;
}

/*
 * What backward() computes besides L, as module variables (like C statics) rather than a returned
 * object. A long first call of backward() is compiled on-stack (OSR) while its loop runs; code
 * after the loop that has never run (an object literal: named stores without type feedback)
 * makes that code deoptimize at the loop exit, and V8 re-enters the same OSR code, and deopts
 * again, on every later call. Stores to module variables need no feedback, so the exit is clean.
 */
let sumW = 0, sumV = 0, sumB = 0, sumU = 0, sumC = 0, sumBad = 0;

/**
 * Backward, from the last target (∂L/∂s_{t+1} = 0 there) down to t = 0:
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      (local + recurrent)
 *   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * θ and ℓ are needed only at steps with a target; the loss and the output-layer gradients are
 * summed there too, so θ is evaluated once per step.
 */
function backward(
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
): number {
  scale *= 1; w *= 1; u *= 1; c *= 1; h0 *= 1; // plain doubles, see forward()
  let L = 0;
  let dL_dw = 0, dL_dv = 0, dL_db = 0, dL_du = 0, dL_dc = 0;
  let dL_ds_next = 0;
  let bad = 0;
  if (theta === Act.Identity && ell === Loss.Squared) {
    // The common model, θ and ℓ written out: ŷ = z, ℓ = ½(ŷ − y)², ∂ℓ/∂ŷ = ŷ − y, θ' = 1.
    for (let t = lastTarget; t >= 0; t--) {
      const ht = h[t];
      let local = 0;
      if (hasY[t] !== 0) {
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
      const dL_dst = dL_dh * dL_ds[t];
      dL_ds[t] = dL_dst;
      bad += dL_dh * 0 + dL_dst * 0;
      dL_dw += dL_dst * (t > 0 ? h[t - 1] : h0);
      dL_dv += dL_dst * x[t];
      dL_db += dL_dst;
      dL_ds_next = dL_dst;
    }
  } else
  for (let t = lastTarget; t >= 0; t--) {
    const ht = h[t];
    let local = 0;
    if (hasY[t] !== 0) {
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

    // s_t uses w, v and b: each gets ∂L/∂s_t times what it multiplies there.
    dL_dw += dL_dst * (t > 0 ? h[t - 1] : h0);
    dL_dv += dL_dst * x[t];
    dL_db += dL_dst;
    dL_ds_next = dL_dst;
  }
  sumW = dL_dw;
  sumV = dL_dv;
  sumB = dL_db;
  sumU = dL_du;
  sumC = dL_dc;
  sumBad = bad;
  return L;
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
