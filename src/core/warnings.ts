/**
 * What a trace says that a user must see even when every number is finite: a gradient cut off by
 * φ'(s_t) = 0 (dead ReLU), a loss evaluated outside its domain, and vanishing or exploding
 * gradients. Pure and O(T) without allocation per step: the CLI prints these, the extension shows
 * them as diagnostics after every pass, also on 10⁶ steps.
 */
import { Act, act, actCode, dact } from './activations';
import type { Trace } from './bptt';
import { reductionScale } from './trace';
import { Loss, dloss, loss, lossCode } from './losses';
import { formatNumber } from '../shared/format';

export type WarningCode = 'dead_relu' | 'loss_domain' | 'vanishing' | 'exploding';

export interface TraceWarning {
  code: WarningCode;
  /** 1-based step the warning points at. */
  t: number;
  message: string;
}

export interface WarningThresholds {
  /** |∂L/∂s_t| below this vanishes (≤ 0 turns the check off). */
  vanishing: number;
  /** |∂L/∂s_t| above this explodes (≤ 0 turns the check off). */
  exploding: number;
}

export function traceWarnings(trace: Trace, thresholds: WarningThresholds): TraceWarning[] {
  const out: TraceWarning[] = [];
  const dead = deadRelu(trace);
  if (dead) out.push(dead);
  const domain = lossDomain(trace);
  if (domain) out.push(domain);
  for (const g of gradientWarnings(trace.dL_ds, thresholds.vanishing, thresholds.exploding)) {
    out.push({ code: g.kind, t: g.from + 1, message: g.message });
  }
  return out;
}

// ---- dead_relu

/**
 * Does a gradient reach h_t, i.e. is ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1} ≠ 0?
 * The recurrent part is read off the trace; the local part is recomputed only at a target.
 */
function gradientArrives(trace: Trace, i: number, theta: Act, ell: Loss, scale: number): boolean {
  const { w, u, c } = trace.model;
  if (trace.lastTargetT !== null && i < trace.lastTargetT - 1 && w * trace.dL_ds[i + 1] !== 0) return true;
  if (trace.hasY[i] === 0) return false;
  const z = u * trace.h[i] + c;
  const yhat = act(theta, z);
  return scale * dloss(ell, yhat, trace.y[i]) * dact(theta, z, yhat) * u !== 0;
}

const span = (from: number, to: number): string => (from === to ? `at t = ${from}` : `from t = ${from} to t = ${to}`);

/**
 * ∂L/∂s_t = ∂L/∂h_t·φ'(s_t): where φ'(s_t) = 0 exactly (relu with s_t ≤ 0, or a saturated
 * tanh/sigmoid) a gradient that arrives at h_t goes no further. Reported once: as the whole
 * trace when every ∂L/∂s_t is 0 while L > 0, else as the longest stretch that cuts one off.
 */
function deadRelu(trace: Trace): TraceWarning | null {
  const { model, s, h, dL_ds, lastTargetT } = trace;
  if (lastTargetT === null) return null;
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  const scale = reductionScale(model.reduction, trace.nTargets);
  const cause = model.phi === 'relu' ? 'relu with s_t ≤ 0' : `${model.phi} saturated`;

  // φ'(s_t) = 0 makes ∂L/∂s_t = 0, so only steps with a zero gradient are candidates: a healthy
  // trace costs one pass over dL_ds, and φ' is evaluated only at the zeros. A non-finite s_t
  // (x = 1e400) is the non-finite report's to explain, not a dead unit.
  const isDead = model.phi === 'relu'
    ? (i: number) => s[i] <= 0 && s[i] > -Infinity
    : (i: number) => Number.isFinite(s[i]) && dact(phi, s[i], h[i]) === 0;
  let allZero = true;
  let cuts = 0;
  let bestFrom = -1, bestTo = -1, latestCut = -1;
  for (let i = lastTargetT - 1; i >= 0; ) {
    if (dL_ds[i] !== 0) {
      allZero = false;
      i--;
      continue;
    }
    if (!isDead(i)) {
      i--;
      continue;
    }
    // A maximal stretch to ≥ k ≥ from (going backward) with φ'(s_k) = 0.
    const to = i;
    let cut = false;
    for (; i >= 0 && dL_ds[i] === 0 && isDead(i); i--) {
      if (!cut && gradientArrives(trace, i, theta, ell, scale)) cut = true;
    }
    if (!cut) continue;
    cuts++;
    if (latestCut < 0) latestCut = to;
    if (to - i > bestTo - bestFrom + 1) {
      bestFrom = i + 1;
      bestTo = to;
    }
  }
  if (cuts === 0) return null;
  if (allZero && trace.loss > 0) {
    return {
      code: 'dead_relu',
      t: latestCut + 1,
      message:
        `∂L/∂s_t = 0 at every step although L = ${formatNumber(trace.loss, 4)} > 0: φ'(s_t) = 0 (${cause}) wherever a gradient arrives, ` +
        'so w, v, b and h0 learn nothing (u and c still do)',
    };
  }
  const others = cuts > 1 ? `; ${cuts - 1} shorter or equal stretch${cuts === 2 ? '' : 'es'} elsewhere` : '';
  return {
    code: 'dead_relu',
    t: bestTo + 1,
    message:
      `φ'(s_t) = 0 (${cause}) ${span(bestFrom + 1, bestTo + 1)}: the gradient arriving there is cut off, ` +
      `so no step before t = ${bestFrom + 1} learns from the targets after it${others}`,
  };
}

// ---- loss_domain

/**
 * bce, −y·log ŷ − (1 − y)·log(1 − ŷ), needs ŷ ∈ (0, 1) and y ∈ [0, 1]. Outside, ℓ is NaN or ±∞
 * and the cause is easy to miss: θ is not sigmoid, or σ rounded to exactly 0 or 1. Reports the
 * first offending step (ŷ = y ∈ {0, 1} is fine: that log term has weight 0).
 */
function lossDomain(trace: Trace): TraceWarning | null {
  const { model, h, y, hasY, T } = trace;
  if (model.loss !== 'bce') return null;
  const theta = actCode(model.theta);
  let first = -1;
  let count = 0;
  for (let i = 0; i < T; i++) {
    if (hasY[i] === 0) continue;
    const yhat = act(theta, model.u * h[i] + model.c);
    const yBad = !(y[i] >= 0 && y[i] <= 1);
    const yhatBad = !Number.isNaN(yhat) && !(yhat > 0 && yhat < 1) && yhat !== y[i];
    if (yBad || yhatBad) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return null;
  const t = first + 1;
  const z = model.u * h[first] + model.c;
  const yhat = act(theta, z);
  const ell = formatNumber(loss(Loss.Bce, yhat, y[first]), 4);
  const more = count > 1 ? ` (and ${count - 1} later step${count === 2 ? '' : 's'})` : '';
  let why: string;
  if (!(y[first] >= 0 && y[first] <= 1)) why = `bce needs targets in [0, 1], but y = ${formatNumber(y[first], 6)} at t = ${t}`;
  else if (model.theta === 'sigmoid') why = `ŷ = σ(u·h_t + c) rounds to exactly ${yhat} at t = ${t} (u·h_t + c = ${formatNumber(z, 4)}) while y = ${formatNumber(y[first], 6)}`;
  else why = `bce needs ŷ in (0, 1), but ŷ = ${formatNumber(yhat, 6)} at t = ${t}: θ = ${model.theta} does not make ŷ a probability (use theta=sigmoid)`;
  return { code: 'loss_domain', t, message: `${why}; ℓ_t = ${ell}${more}` };
}

// ---- vanishing / exploding

export type GradientPhenomenon = 'vanishing' | 'exploding';

export interface GradientWarning {
  kind: GradientPhenomenon;
  /** 0-based step where the phenomenon starts, going backward (the later end of the run). */
  from: number;
  /** 0-based earliest step of the run (it continues backward down to here). */
  to: number;
  /** min |∂L/∂s_t| over the run (vanishing) or max (exploding). */
  extreme: number;
  threshold: number;
  message: string;
}

/** Latest 0-based step with a nonzero (or non-finite) gradient, or -1. */
function lastNonzero(dL_ds: Float64Array): number {
  for (let i = dL_ds.length - 1; i >= 0; i--) if (dL_ds[i] !== 0) return i;
  return -1;
}

interface Run {
  from: number;
  to: number;
  extreme: number;
}

/*
 * The first run of steps, going backward from `start`, where |g| < threshold (vanishing) or
 * |g| > threshold (exploding), with its most extreme |g|. Plain loops without closures: this runs
 * on every update of a 10⁶-step trace.
 */

function runBelow(g: Float64Array, start: number, threshold: number): Run | null {
  let i = start;
  while (i >= 0 && !(Math.abs(g[i]) < threshold)) i--;
  if (i < 0) return null;
  const from = i;
  let min = Infinity;
  for (; i >= 0; i--) {
    const a = Math.abs(g[i]);
    if (!(a < threshold)) break;
    if (a < min) min = a;
  }
  return { from, to: i + 1, extreme: min };
}

function runAbove(g: Float64Array, start: number, threshold: number): Run | null {
  let i = start;
  while (i >= 0 && !(Math.abs(g[i]) > threshold)) i--;
  if (i < 0) return null;
  const from = i;
  let max = 0;
  for (; i >= 0; i--) {
    const a = Math.abs(g[i]);
    if (!(a > threshold)) break;
    if (a > max) max = a;
  }
  return { from, to: i + 1, extreme: max };
}

/** Vanishing and exploding gradients, read off |∂L/∂s_t| going backward in time. */
export function gradientWarnings(dL_ds: Float64Array, vanishingThreshold: number, explodingThreshold: number): GradientWarning[] {
  const out: GradientWarning[] = [];
  const last = lastNonzero(dL_ds);
  if (last < 0) return out;
  const runSpan = (r: Run): string =>
    r.from === r.to ? `at t = ${r.from + 1}` : `from t = ${r.from + 1} back to t = ${r.to + 1}`;

  // Vanishing is measured from the last step that receives any gradient: steps after it have no
  // target downstream, and a zero there is "no signal yet", not a vanished one.
  const v = vanishingThreshold > 0 ? runBelow(dL_ds, last, vanishingThreshold) : null;
  if (v) {
    out.push({
      kind: 'vanishing',
      ...v,
      threshold: vanishingThreshold,
      message: `Vanishing gradient: |∂L/∂s_t| < ${formatNumber(vanishingThreshold, 3)} ${runSpan(v)} (min ${formatNumber(v.extreme, 3)})`,
    });
  }
  const e = explodingThreshold > 0 ? runAbove(dL_ds, last, explodingThreshold) : null;
  if (e) {
    out.push({
      kind: 'exploding',
      ...e,
      threshold: explodingThreshold,
      message: `Exploding gradient: |∂L/∂s_t| > ${formatNumber(explodingThreshold, 3)} ${runSpan(e)} (max ${formatNumber(e.extreme, 3)})`,
    });
  }
  return out;
}
