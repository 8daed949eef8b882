/**
 * "Where the gradient goes" for the timeline and the hover (issue 10), from one trace: factors,
 * horizons and attribution (O(T)), the gradient by lag (O(T·K), with progress), the truncated
 * gradient beside the full one and its bias swept over k. No `vscode`: the worker thread runs it
 * for every document (lag sums at T = 10⁶ take ~1 s), tests run it directly.
 */
import type { Grads, Trace } from '../../core';
import {
  compareGrads, connectivity, flowInputs, flowSummary, gradientByLag, horizonBiasSweep, lagShare, runHorizon, runTruncated,
  truncateSweep, windowAround, LAG_PARAMS, ScalarJacobians, type FlowInputs, type LagParam, type Progress,
} from '../../flow';
import type { TruncationKeys } from '../../parse';
import type { FlowConnectivity, FlowStep, FlowView } from '../../shared/protocol';
import { defaultLags, logFactors, minMaxBuckets, productsBack } from '../../shared/flowSeries';

export interface FlowSettings {
  horizonRatio: number;
  lagK: number;
  /** 0 = off; the file's directive wins. */
  truncate: number;
  horizon: number;
}

/** What the timeline keeps of a trace's flow: the view it sends once and what each selection reads. */
export interface FlowResult {
  view: Omit<FlowView, 'factorLog'>;
  factor: Float64Array;
  phiPrime: Float64Array;
  /** ∂ℓ_τ/∂s_τ per step (0 without a target): the connectivity map's rows start there. */
  seed: Float64Array;
  hasY: Uint8Array;
  /** Horizon of ℓ_τ at each step τ (0-based index), −1 where there is no target. */
  horizonAt: Int32Array;
}

/** Most truncate=k passes a sweep makes: each is one O(T) backward pass. */
const SWEEP_WORK = 2e7;

/** The truncation the file asks for, else the settings' (0 = off); truncate wins over horizon. */
export function truncationOf(file: TruncationKeys | undefined, s: Pick<FlowSettings, 'truncate' | 'horizon'>): { kind: 'truncate' | 'horizon'; k: number } | null {
  if (file?.truncate !== undefined) return { kind: 'truncate', k: file.truncate };
  if (file?.horizon !== undefined) return { kind: 'horizon', k: file.horizon };
  if (s.truncate >= 1) return { kind: 'truncate', k: s.truncate };
  if (s.horizon >= 1) return { kind: 'horizon', k: s.horizon };
  return null;
}

/** Everything the flow panel shows; null when `onProgress` cancelled. */
export function computeFlow(trace: Trace, file: TruncationKeys | undefined, s: FlowSettings, onProgress?: Progress): FlowResult | null {
  const T = trace.T;
  const inp = flowInputs(trace);
  const sum = flowSummary(trace, inp, s.horizonRatio);
  const hz = sum.horizons;
  const horizonAt = new Int32Array(T).fill(-1);
  for (let j = 0; j < hz.targets.length; j++) horizonAt[hz.targets[j] - 1] = hz.perTarget[j];
  const lag = gradientByLag(trace, inp, T <= 10_000 ? undefined : Math.max(0, Math.floor(s.lagK)), onProgress);
  if (lag === null) return null;
  const lagAt = {} as Record<LagParam, number | null>;
  for (const p of LAG_PARAMS) lagAt[p] = lagShare(lag.G[p], lag.beyondK[p], 0.9).lagAt;
  const truncation = truncationView(trace, inp, file, s, lag.G, lag.beyondK);
  const view: FlowResult['view'] = {
    T,
    ratio: hz.ratio,
    horizonMedian: hz.median,
    horizonMax: hz.max,
    horizonMaxAt: hz.maxAt,
    nTargets: hz.targets.length,
    attribution: sum.attribution.text,
    smallest: sum.attribution.smallest.slice(0, 5),
    lag: { K: lag.K, allLags: lag.allLags, G: lag.G, beyondK: lag.beyondK, total: lag.total, lagAt },
    truncation,
  };
  return { view, factor: inp.factor, phiPrime: inp.phiPrime, seed: inp.seed, hasY: trace.hasY, horizonAt };
}

function truncationView(
  trace: Trace, inp: FlowInputs, file: TruncationKeys | undefined, s: FlowSettings, G: Record<LagParam, Float64Array>, beyondK: Record<LagParam, number>,
): FlowView['truncation'] {
  const which = truncationOf(file, s);
  if (!which) return null;
  const full = trace.grads;
  let grads: Grads;
  const bias = {} as Record<LagParam, Float64Array>;
  let K: number;
  if (which.kind === 'truncate') {
    grads = runTruncated(trace.model, trace, which.k).grads;
    // One O(T) pass per k: as many k as SWEEP_WORK allows (the lag setting caps it too).
    K = Math.max(1, Math.min(trace.T, Math.floor(s.lagK), Math.floor(SWEEP_WORK / Math.max(1, trace.T))));
    const sw = truncateSweep(inp, trace.model.w, K) as NonNullable<ReturnType<typeof truncateSweep>>;
    for (const p of LAG_PARAMS) bias[p] = sw[p].map((g) => g - full[p]);
  } else {
    grads = (runHorizon(trace, inp, which.k) as NonNullable<ReturnType<typeof runHorizon>>).grads;
    // gradient(horizon = k) = Σ_{d<k} G(d): every k at once from suffix sums.
    for (const p of LAG_PARAMS) bias[p] = horizonBiasSweep(G[p], beyondK[p]);
    K = bias.w.length;
  }
  return { kind: which.kind, k: which.k, compare: compareGrads(grads, full), sweep: { K, bias } };
}

/** The view with the factor series reduced to `width` buckets (min and max of log10|f| in each). */
export function flowView(r: FlowResult, width: number): FlowView {
  const { values, floor } = logFactors(r.factor);
  const b = minMaxBuckets(values, Math.min(r.factor.length, Math.max(1, 2 * width)));
  return { ...r.view, factorLog: { t: b.t, min: b.min, max: b.max, floor } };
}

/** What the selected step (1-based t) adds: its factor, products back, its loss's horizon, the heat map window; null unless t is a step (1..T). */
export function flowStep(r: FlowResult, t: number): FlowStep | null {
  if (!(Number.isInteger(t) && t >= 1 && t <= r.factor.length)) return null;
  const i = t - 1;
  return {
    t,
    factor: r.factor[i],
    phiPrime: r.phiPrime[i],
    products: productsBack(r.factor, t, defaultLags(t)),
    horizon: r.horizonAt[i] >= 0 ? r.horizonAt[i] : null,
    connectivity: connectivityAround(r, t),
  };
}

function connectivityAround(r: FlowResult, t: number): FlowConnectivity {
  const T = r.factor.length;
  const win = windowAround(T, t);
  const c = connectivity(new ScalarJacobians(r.factor), r.seed, r.hasY, win.from, win.to, win.from, win.to);
  return { tFrom: c.tFrom, tauFrom: c.tauFrom, cols: c.cols, rows: c.rows, values: c.values, minPositive: c.minPositive, max: c.max };
}
