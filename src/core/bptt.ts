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
import { Act, act, actCode, dact } from './activations';
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
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);

  // nTargets for `mean`; lastTarget bounds the backward pass: later steps never reach L.
  const nTargets = countTargets(hasY);
  const lastTarget = lastTargetOf(hasY);
  const scale = reductionScale(model, nTargets);

  // The two loops live in their own functions, run in chunks, and get φ, θ, ℓ and their
  // derivatives as one-code functions (STEP_* below): see the performance note there.
  const acc = new Float64Array(ACC_LENGTH);
  forwardPass(model, STEP_ACT[phi], STEP_DACT[phi], x, s, h, dL_ds, acc);

  // Steps after the last target do not reach L, so their gradients are exactly 0. Like autodiff,
  // the pass never visits them: a NaN there must not leak into ∂L/∂w as 0·NaN.
  dL_ds.fill(0, lastTarget + 1);
  backwardPass(model, STEP_ACT[theta], STEP_DACT[theta], STEP_LOSS[ell], STEP_DLOSS[ell], scale, lastTarget, data, h, dL_ds, acc);
  const L = acc[ACC_L];

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
    loss: model.reduction === 'mean' ? (nTargets > 0 ? L / nTargets : 0) : L,
    grads: {
      w: acc[ACC_W],
      v: acc[ACC_V],
      b: acc[ACC_B],
      u: acc[ACC_U],
      c: acc[ACC_C],
      h0: T > 0 ? model.w * dL_ds[0] : 0,
    },
    nTargets,
    lastTarget,
    firstNonFinite: null,
    nonFiniteOrigin: null,
  };
  if (acc[ACC_NONFINITE] !== 0) locateNonFinite(trace);
  return trace;
}

type Fn1 = (z: number) => number;
type Fn2 = (z: number, a: number) => number;

/*
 * Performance note. act/dact/loss/dloss switch on a code. Called with a variable code inside a
 * loop, V8's optimizing compiler keeps the switch and merges the results of every case (and the
 * implicit `undefined` after it) into a boxed value: one heap allocation per call per step. Called
 * through these one-code functions instead, each call site in a loop sees the one function of the
 * model at hand, and the compiler inlines act() with a constant code: the switch folds away and
 * the value stays an unboxed double. The arithmetic is act()'s own, so stepValues agrees to the bit.
 *
 * The loops run in chunks of CHUNK steps, each chunk one call of forward()/backward() carrying its
 * state in `acc`. A loop that runs long on its first call is compiled on-stack, with loop
 * variables that arrived boxed from the interpreter and stay boxed, and V8 then re-enters that
 * on-stack code on every later call instead of compiling the function whole. Short calls get the
 * whole-function compilation, where s, h and every accumulator are plain doubles in registers.
 */
const STEP_ACT: Record<Act, Fn1> = {
  [Act.Tanh]: (z) => act(Act.Tanh, z),
  [Act.Sigmoid]: (z) => act(Act.Sigmoid, z),
  [Act.Relu]: (z) => act(Act.Relu, z),
  [Act.LeakyRelu]: (z) => act(Act.LeakyRelu, z),
  [Act.Identity]: (z) => act(Act.Identity, z),
  [Act.Softsign]: (z) => act(Act.Softsign, z),
  [Act.Softplus]: (z) => act(Act.Softplus, z),
};
const STEP_DACT: Record<Act, Fn2> = {
  [Act.Tanh]: (z, a) => dact(Act.Tanh, z, a),
  [Act.Sigmoid]: (z, a) => dact(Act.Sigmoid, z, a),
  [Act.Relu]: (z, a) => dact(Act.Relu, z, a),
  [Act.LeakyRelu]: (z, a) => dact(Act.LeakyRelu, z, a),
  [Act.Identity]: (z, a) => dact(Act.Identity, z, a),
  [Act.Softsign]: (z, a) => dact(Act.Softsign, z, a),
  [Act.Softplus]: (z, a) => dact(Act.Softplus, z, a),
};
const STEP_LOSS: Record<Loss, Fn2> = {
  [Loss.Squared]: (yhat, yt) => loss(Loss.Squared, yhat, yt),
  [Loss.Mse]: (yhat, yt) => loss(Loss.Mse, yhat, yt),
  [Loss.Abs]: (yhat, yt) => loss(Loss.Abs, yhat, yt),
  [Loss.Bce]: (yhat, yt) => loss(Loss.Bce, yhat, yt),
  [Loss.Huber]: (yhat, yt) => loss(Loss.Huber, yhat, yt),
};
const STEP_DLOSS: Record<Loss, Fn2> = {
  [Loss.Squared]: (yhat, yt) => dloss(Loss.Squared, yhat, yt),
  [Loss.Mse]: (yhat, yt) => dloss(Loss.Mse, yhat, yt),
  [Loss.Abs]: (yhat, yt) => dloss(Loss.Abs, yhat, yt),
  [Loss.Bce]: (yhat, yt) => dloss(Loss.Bce, yhat, yt),
  [Loss.Huber]: (yhat, yt) => dloss(Loss.Huber, yhat, yt),
};

/** What the loops hand back, in one Float64Array (unboxed) slot each. */
const ACC_L = 0;
const ACC_W = 1;
const ACC_V = 2;
const ACC_B = 3;
const ACC_U = 4;
const ACC_C = 5;
const ACC_NONFINITE = 6;
/** h_{t-1} and ∂L/∂s_{t+1}, carried from one chunk to the next. */
const ACC_H_PREV = 7;
const ACC_DL_DS_NEXT = 8;
const ACC_LENGTH = 9;

/** Steps per call of forward()/backward(); see the performance note above. */
const CHUNK = 256;

// The counting loops are functions of their own too: a loop in runBptt itself would be compiled
// on-stack mid-call, before the code after it has run, and that code would then bail out of
// optimized code on every later call.
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

function forwardPass(
  model: Model,
  phi: Fn1,
  dphi: Fn2,
  x: Float64Array,
  s: Float64Array,
  h: Float64Array,
  dL_ds: Float64Array,
  acc: Float64Array,
): void {
  const T = x.length;
  acc[ACC_H_PREV] = model.h0;
  for (let t0 = 0; t0 < T; t0 += CHUNK) forward(model, phi, dphi, x, s, h, dL_ds, acc, t0, Math.min(T, t0 + CHUNK));
}

function backwardPass(
  model: Model,
  theta: Fn1,
  dtheta: Fn2,
  ell: Fn2,
  dell: Fn2,
  scale: number,
  lastTarget: number,
  data: SequenceData,
  h: Float64Array,
  dL_ds: Float64Array,
  acc: Float64Array,
): void {
  for (let tEnd = lastTarget; tEnd >= 0; tEnd -= CHUNK) {
    backward(model, theta, dtheta, ell, dell, scale, lastTarget, data, h, dL_ds, acc, tEnd, Math.max(0, tEnd - CHUNK + 1));
  }
}

/** Steps [tStart, tEnd) of the forward pass. */
function forward(
  model: Model,
  phi: Fn1,
  dphi: Fn2,
  x: Float64Array,
  s: Float64Array,
  h: Float64Array,
  dL_ds: Float64Array,
  acc: Float64Array,
  tStart: number,
  tEnd: number,
): void {
  const { w, v, b, u, c } = model;
  // x·0 is NaN exactly when x is NaN or ±Inf, so one sum flags any non-finite value without a branch.
  let nonFinite = acc[ACC_NONFINITE];

  // Forward: s_t = w·h_{t-1} + v·x_t + b,  h_t = φ(s_t)
  let hPrev = acc[ACC_H_PREV];
  for (let t = tStart; t < tEnd; t++) {
    const st = w * hPrev + v * x[t] + b;
    const ht = phi(st);
    s[t] = st;
    h[t] = ht;
    // φ'(s_t) waits in dL_ds[t] for the backward pass, which multiplies it in and overwrites it.
    dL_ds[t] = dphi(st, ht);
    // θ is finite at every finite input, so checking z = u·h_t + c covers ŷ_t at every step.
    nonFinite += st * 0 + ht * 0 + (u * ht + c) * 0;
    hPrev = ht;
  }
  acc[ACC_NONFINITE] = nonFinite;
  acc[ACC_H_PREV] = hPrev;
}

/** Steps tEnd down to tStart of the backward pass (tEnd ≤ lastTarget). */

function backward(
  model: Model,
  theta: Fn1,
  dtheta: Fn2,
  ell: Fn2,
  dell: Fn2,
  scale: number,
  lastTarget: number,
  data: SequenceData,
  h: Float64Array,
  dL_ds: Float64Array,
  acc: Float64Array,
  tEnd: number,
  tStart: number,
): void {
  const { w, u, c, h0 } = model;
  const { x, y, hasY } = data;
  let nonFinite = acc[ACC_NONFINITE];

  // Backward, from the last target (∂L/∂s_{t+1} = 0 there):
  //   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      (local + recurrent)
  //   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
  // The loss and the output-layer gradients are taken here too, so θ is evaluated once per step.
  let L = acc[ACC_L];
  let dL_dw = acc[ACC_W], dL_dv = acc[ACC_V], dL_db = acc[ACC_B], dL_du = acc[ACC_U], dL_dc = acc[ACC_C];
  let dL_ds_next = acc[ACC_DL_DS_NEXT];
  for (let t = tEnd; t >= tStart; t--) {
    const ht = h[t];
    let local = 0;
    if (hasY[t] !== 0) {
      const z = u * ht + c;
      const yhat = theta(z);
      const lt = ell(yhat, y[t]);
      const dL_dyhat = scale * dell(yhat, y[t]);
      const dL_dz = dL_dyhat * dtheta(z, yhat);
      local = dL_dz * u;
      L += lt;
      dL_du += dL_dz * ht;
      dL_dc += dL_dz;
      nonFinite += lt * 0 + dL_dz * 0;
    }
    const dL_dh = local + (t < lastTarget ? w * dL_ds_next : 0);
    const dL_dst = dL_dh * dL_ds[t]; // dL_ds[t] holds φ'(s_t), left by the forward pass
    dL_ds[t] = dL_dst;
    nonFinite += dL_dh * 0 + dL_dst * 0;

    // s_t uses w, v and b: each gets ∂L/∂s_t times what it multiplies there.
    dL_dw += dL_dst * (t > 0 ? h[t - 1] : h0);
    dL_dv += dL_dst * x[t];
    dL_db += dL_dst;
    dL_ds_next = dL_dst;
  }
  acc[ACC_L] = L;
  acc[ACC_W] = dL_dw;
  acc[ACC_V] = dL_dv;
  acc[ACC_B] = dL_db;
  acc[ACC_U] = dL_du;
  acc[ACC_C] = dL_dc;
  acc[ACC_NONFINITE] = nonFinite;
  acc[ACC_DL_DS_NEXT] = dL_ds_next;
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
