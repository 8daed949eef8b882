/**
 * What a backward pass produces, and every per-step quantity read back from it: the interface that
 * each pass implements (the tuned kernel in kernel.ts, the plain reference in reference.ts, and
 * later the truncated and vector variants).
 *
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * Conventions, the same everywhere (core, protocol, extension, webview, CLI):
 * - Steps are numbered t = 1..T and named `t`. Arrays are 0-based, indexed by `i`: x[i] is x_t
 *   with t = i + 1.
 * - The last step with a target is `lastTargetT`: 1-based, null when no step has a target.
 * - ∂L/∂s_{t+1} is `dL_ds_next`, and it is 0 at t = T (∂L/∂s_{T+1} = 0 in the recursion).
 *
 * The trace keeps only what cannot be rebuilt in O(1) per step: s, h and ∂L/∂s (plus the inputs
 * x, y). Every other per-step quantity is recomputed by `stepValues` with exactly the arithmetic
 * of the backward pass, so a hover or a CLI row shows bit for bit the numbers the pass used.
 */
import { Act, act, actCode, dact } from './activations';
import { Loss, dloss, loss, lossCode } from './losses';
import type { Model, NumericKey, ReductionName } from './model';

export interface SequenceData {
  x: Float64Array;
  /** y_t, meaningful only where hasY[i] = 1. */
  y: Float64Array;
  hasY: Uint8Array;
}

export type Grads = Record<NumericKey, number>;

export interface Trace extends SequenceData {
  model: Model;
  T: number;
  s: Float64Array;
  h: Float64Array;
  /** ∂L/∂s_t; exactly 0 after the last target (those steps never reach L). */
  dL_ds: Float64Array;
  /** L, after reduction. */
  loss: number;
  grads: Grads;
  /** Steps that have a target; `mean` divides by this. */
  nTargets: number;
  /** 1-based t of the last step with a target, or null. Gradients are 0 after it. */
  lastTargetT: number | null;
  /** Smallest 1-based t at which any per-step value is NaN or ±Inf, or null. */
  firstNonFinite: number | null;
  /** Where non-finite values start: forward in time for s/h/ŷ/ℓ, backward in time for the gradients. */
  nonFiniteOrigin: NonFiniteOrigin | null;
}

/** A backward pass through time: the model and its data in, the whole trace out. */
export type BpttPass = (model: Model, data: SequenceData, buffers?: TraceBuffers) => Trace;

export interface NonFiniteOrigin {
  /** 1-based step. */
  t: number;
  quantity: keyof StepValues;
  value: number;
}

/** Every per-step quantity of step t, as the CLI, the hover and the timeline show them. */
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
  /** w·∂L/∂s_{t+1}, 0 at t = T and from the last target on */
  dL_dh_recurrent: number;
  dL_ds: number;
  /** ∂L/∂s_{t+1}, 0 at t = T */
  dL_ds_next: number;
}

/** Preallocated outputs, for callers that run many passes of one length (the benchmark). */
export interface TraceBuffers {
  s: Float64Array;
  h: Float64Array;
  dL_ds: Float64Array;
}

/** What a pass sums over the steps, before reduction. */
export interface PassSums {
  /** Σ ℓ_t over the steps with a target. */
  L: number;
  dL_dw: number;
  dL_dv: number;
  dL_db: number;
  dL_du: number;
  dL_dc: number;
  nTargets: number;
}

/** The factor on each ∂ℓ_t/∂ŷ_t: 1/N for `mean` (N = steps with a target), 1 for `sum`. With no target at all, 0. */
export function reductionScale(reduction: ReductionName, nTargets: number): number {
  if (reduction === 'sum') return 1;
  return nTargets > 0 ? 1 / nTargets : 0;
}

/** L from Σ ℓ_t: L/N rather than (1/N)·L, so `mean` is exactly `sum` divided by N. */
export function reduceLoss(reduction: ReductionName, sumL: number, nTargets: number): number {
  if (reduction === 'sum') return sumL;
  return nTargets > 0 ? sumL / nTargets : 0;
}

export function countTargets(hasY: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < hasY.length; i++) if (hasY[i] !== 0) n++;
  return n;
}

/** 1-based t of the last step with a target, or null. */
export function lastTargetStep(hasY: Uint8Array): number | null {
  let i = hasY.length - 1;
  while (i >= 0 && hasY[i] === 0) i--;
  return i >= 0 ? i + 1 : null;
}

/**
 * The trace of a finished pass. Every pass builds it here, so every trace has one shape.
 * @param maybeNonFinite whether the pass saw (or could not rule out) a NaN or ±∞; only then is
 *   the slow search for where it starts run.
 */
export function makeTrace(
  model: Model,
  data: SequenceData,
  out: TraceBuffers,
  sums: PassSums,
  lastTargetT: number | null,
  maybeNonFinite: boolean,
): Trace {
  const T = data.x.length;
  const trace: Trace = {
    model,
    T,
    x: data.x,
    y: data.y,
    hasY: data.hasY,
    s: out.s,
    h: out.h,
    dL_ds: out.dL_ds,
    loss: reduceLoss(model.reduction, sums.L, sums.nTargets),
    // h0 enters only s_1 = w·h0 + …, so ∂L/∂h0 = w·∂L/∂s_1.
    grads: { w: sums.dL_dw, v: sums.dL_dv, b: sums.dL_db, u: sums.dL_du, c: sums.dL_dc, h0: T > 0 ? model.w * out.dL_ds[0] : 0 },
    nTargets: sums.nTargets,
    lastTargetT,
    firstNonFinite: null,
    nonFiniteOrigin: null,
  };
  if (maybeNonFinite) locateNonFinite(trace);
  return trace;
}

/**
 * Every quantity of step t = i + 1, in O(1). The arithmetic mirrors the backward pass line for
 * line, so the values agree with the pass to the bit.
 */
export function stepValues(trace: Trace, i: number): StepValues {
  const { model, x, y, hasY, s, h, dL_ds, T } = trace;
  const { w, u, c, h0 } = model;
  const phi: Act = actCode(model.phi);
  const theta: Act = actCode(model.theta);
  const ell: Loss = lossCode(model.loss);
  const scale = reductionScale(model.reduction, trace.nTargets);
  const t = i + 1;

  const ht = h[i];
  const z = u * ht + c;
  const yhat = act(theta, z);
  const thetaPrime = dact(theta, z, yhat);
  const has = hasY[i] !== 0;
  const dL_dyhat = has ? scale * dloss(ell, yhat, y[i]) : 0;
  const local = has ? dL_dyhat * thetaPrime * u : 0;
  const dL_ds_next = t < T ? dL_ds[i + 1] : 0;
  const recurrent = t < (trace.lastTargetT ?? 0) ? w * dL_ds_next : 0;
  return {
    t,
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
    dL_ds_next,
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
    if ((fwd || bwd) && first === null) first = v.t;
    if (fwd && !forwardOrigin) forwardOrigin = fwd;
    if (bwd) backwardOrigin = bwd;
  }
  trace.firstNonFinite = first;
  trace.nonFiniteOrigin = forwardOrigin ?? backwardOrigin;
}
