/**
 * The timeline's view of a vector trace (issue 11): the norms over t it charts through the scalar
 * SeriesWindow keys, σ_max per step, and the per-unit heat strip of every window. No `vscode`.
 */
import type { VectorTrace } from '../../core/vector/model';
import { heatBlocks, heatStrip, type HeatBlocks } from '../../shared/heatStrip';
import { norm2 } from '../../core/vector/norm';
import type { SeriesKey, SeriesWindow, VectorStepView, VectorTraceSummary } from '../../shared/protocol';
import { bucketLayout, logFloorFor, magnitudeRange, reduceSeries, type ReduceOptions } from '../../shared/series';
import { vectorNormSeries as gradientNorms, type VectorNormSeries as GradientNorms } from '../../core/vector/series';
import { vectorStepValues } from '../../core/vector/step';

/** What the flow analysis (src/flow/vector) gives the timeline. */
export interface VectorFlowFacts {
  /** σ_max(W·diag(φ'(s_t))) per step, length T. */
  sigma: Float64Array;
  /** ‖W‖₂ and the activation's max φ' (Pascanu et al.'s bound is their product). */
  normW: number;
  maxPhiPrime: number;
  /**
   * Horizons of the loss terms from the running product of σ_max (‖∂ℓ_τ/∂s_t‖ ≤ Π σ_max·‖∂ℓ_τ/∂s_τ‖,
   * so an upper bound on the exact ones, which `bptt-lens flow` computes): median and max steps back.
   */
  horizonMedian: number;
  horizonMax: number;
}

/** The norms over t the charts draw: ‖x_t‖, ‖h_t‖ and the gradients' (core/vector/series). */
export type VectorNormSeries = GradientNorms & { x: Float64Array; h: Float64Array };

function vectorNormSeries(trace: VectorTrace): VectorNormSeries {
  const { T } = trace;
  const { n, m } = trace.model;
  const x = new Float64Array(T);
  const h = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    x[i] = norm2(trace.x, i * m, m);
    h[i] = norm2(trace.h, i * n, n);
  }
  return { ...gradientNorms(trace), x, h };
}

/** The norms the charts draw and their log floors: O(T·n·(n + k)), in the worker for a large document. */
export interface VectorSeriesStats {
  norms: VectorNormSeries;
  logFloor: number;
  heatFloor: number;
  /** Block maxima of |∂L/∂s|: a wide window's heat strip costs O(T·n / HEAT_BLOCK), not O(T·n). */
  heat: HeatBlocks;
}

/** Steps per heat block: the ends of a bucket are read step by step, so small; the blocks are T/HEAT_BLOCK, so not too small. */
const HEAT_BLOCK = 32;

export function vectorSeriesStats(trace: VectorTrace): VectorSeriesStats {
  const norms = vectorNormSeries(trace);
  // The log floor sits under the smallest non-zero norm of every gradient series charted.
  const mins = [norms.dL_dh, norms.dL_dh_local, norms.dL_dh_recurrent, norms.dL_ds].map((a) => magnitudeRange(a).minAbs).filter((v) => v > 0);
  const logFloor = logFloorFor(mins.length > 0 ? Math.min(...mins) : NaN);
  // The heat strip's floor: under the smallest non-zero |∂L/∂s_t,i|, which lies below every norm.
  const heatFloor = logFloorFor(magnitudeRange(trace.dL_ds).minAbs);
  return { norms, logFloor, heatFloor, heat: heatBlocks(trace.dL_ds, trace.model.n, trace.T, HEAT_BLOCK) };
}

export class VectorTraceSeries {
  private mask: Uint8Array | undefined;

  /**
   * `stats`: given when the worker computed them; else O(T·n·(n + k)), so computed when the
   * timeline first asks, not with the analysis: the hover, CodeLens and Problems never wait for it.
   */
  constructor(
    readonly trace: VectorTrace,
    readonly flow: VectorFlowFacts,
    private stats?: VectorSeriesStats,
  ) {}

  get series(): VectorSeriesStats {
    return (this.stats ??= vectorSeriesStats(this.trace));
  }

  /** σ_max of J_T is not drawn: J_T carries nothing back. Made once, not per window. */
  private get sigmaMask(): Uint8Array {
    if (this.mask) return this.mask;
    const T = this.trace.T;
    this.mask = new Uint8Array(T).fill(1);
    if (T > 0) this.mask[T - 1] = 0;
    return this.mask;
  }

  get norms(): VectorNormSeries {
    return this.series.norms;
  }

  get logFloor(): number {
    return this.series.logFloor;
  }

  get heatFloor(): number {
    return this.series.heatFloor;
  }

  summary(meta: { uri: string; fileName: string; version: number; durationMs: number }): VectorTraceSummary {
    const tr = this.trace;
    const m = tr.model;
    const ds = magnitudeRange(this.norms.dL_ds);
    const { sigma, normW, maxPhiPrime } = this.flow;
    // J_T is never used (nothing flows back into s_T from s_{T+1}): σ_max's range is over t < T.
    const sig = magnitudeRange(sigma.subarray(0, Math.max(0, tr.T - 1)));
    const bound = normW * maxPhiPrime;
    return {
      ...meta,
      T: tr.T,
      loss: tr.loss,
      nTargets: tr.nTargets,
      lastTargetT: tr.lastTargetT,
      firstNonFinite: tr.firstNonFinite,
      maxAbs_dL_ds: ds.maxAbs,
      minAbs_dL_ds: ds.minAbs,
      logFloor: this.logFloor,
      checks: null,
      vector: {
        n: m.n,
        m: m.m,
        k: m.k,
        phi: m.phi,
        theta: m.theta,
        loss: m.loss,
        reduction: m.reduction,
        gradNorms: { W: norm2(tr.grads.W), V: norm2(tr.grads.V), b: norm2(tr.grads.b), U: norm2(tr.grads.U), c: norm2(tr.grads.c), h0: norm2(tr.grads.h0) },
        normW,
        maxPhiPrime,
        pascanuBound: bound,
        vanishingGuaranteed: bound < 1,
        sigmaMin: sig.minAbs,
        sigmaMax: sig.maxAbs,
        horizonMedian: this.flow.horizonMedian,
        horizonMax: this.flow.horizonMax,
      },
    };
  }

  /** Steps [start, end) (clamped to the trace) for a chart `width` px wide: the norms, σ_max and the heat strip. */
  window(start: number, end: number, width: number): SeriesWindow {
    const T = this.trace.T;
    const s = Math.max(0, Math.min(T, Math.floor(start)));
    const e = Math.max(s, Math.min(T, Math.floor(end)));
    const layout = bucketLayout(s, e, width);
    const g = this.norms;
    const log: ReduceOptions = { log: true, floor: this.logFloor };
    // y, ŷ and the running sums are scalar-model series: gaps here.
    const gap = new Float64Array(layout.t.length).fill(NaN);
    const values: Record<SeriesKey, Float64Array> = {
      x: reduceSeries(g.x, layout),
      y: gap,
      yhat: gap,
      h: reduceSeries(g.h, layout),
      dL_dh: reduceSeries(g.dL_dh, layout),
      dL_dh_local: reduceSeries(g.dL_dh_local, layout),
      dL_dh_recurrent: reduceSeries(g.dL_dh_recurrent, layout),
      dL_ds: reduceSeries(g.dL_ds, layout),
      log_dL_dh: reduceSeries(g.dL_dh, layout, log),
      log_dL_dh_local: reduceSeries(g.dL_dh_local, layout, log),
      log_dL_dh_recurrent: reduceSeries(g.dL_dh_recurrent, layout, log),
      log_dL_ds: reduceSeries(g.dL_ds, layout, log),
      sum_w: gap,
      sum_v: gap,
    };
    const sigmaMask = this.sigmaMask;
    return {
      start: s,
      end: e,
      full: layout.full,
      t: layout.t,
      values,
      claims: [],
      vector: {
        sigma_max: reduceSeries(this.flow.sigma, layout, { mask: sigmaMask }),
        log_sigma_max: reduceSeries(this.flow.sigma, layout, { log: true, mask: sigmaMask }),
        heat: heatStrip(this.trace.dL_ds, this.trace.model.n, layout, this.heatFloor, this.series.heat),
      },
    };
  }

  /** Every vector of 0-based step i, for the step table. */
  step(i: number): VectorStepView {
    const v = vectorStepValues(this.trace, i);
    return {
      t: v.t,
      T: this.trace.T,
      hasTarget: this.trace.hasY[i] === 1,
      sigma: this.flow.sigma[i],
      x: v.x,
      s: v.s,
      h: v.h,
      phiPrime: v.phiPrime,
      dL_dh_local: v.dL_dh_local,
      dL_dh_recurrent: v.dL_dh_recurrent,
      dL_dh: v.dL_dh,
      dL_ds: v.dL_ds,
    };
  }
}
