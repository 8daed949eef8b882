/**
 * The timeline's view of one trace: the whole-range series it charts, computed once per trace
 * and reused by every overview and zoom window. No `vscode` here, so tests and the benchmark
 * run it in plain Node.
 *
 * Work is cut into slices of at most SLICE steps with `pause()` between them, so a 10⁶-step
 * trace never holds the extension host's event loop for more than a few milliseconds.
 */
import type { Trace } from '../../core/bptt';
import { allocDerived, fillDerived, type DerivedSeries } from '../../core/derived';
import type { SeriesKey, SeriesWindow, TraceSummary } from '../../shared/protocol';
import { backwardSums, bucketLayout, logFloorFor, magnitudeRange, reduceSeries, type ReduceOptions } from '../../shared/series';

export type Pause = () => Promise<void>;

/** Lets other events run (setImmediate, not a timer: no 1 ms clamp per slice). */
export const yieldToEventLoop: Pause = () => new Promise((resolve) => setImmediate(resolve));

const noPause: Pause = () => Promise.resolve();

/** Steps per uninterrupted slice of work: ~2–4 ms for the heaviest pass. */
export const SLICE = 1 << 17;

export class TraceSeries {
  private constructor(
    readonly trace: Trace,
    readonly derived: DerivedSeries,
    readonly sum_w: Float64Array,
    readonly sum_v: Float64Array,
    readonly logFloor: number,
    readonly maxAbs_dL_ds: number,
    readonly minAbs_dL_ds: number,
  ) {}

  static async prepare(trace: Trace, pause: Pause = noPause): Promise<TraceSeries> {
    const T = trace.T;
    const derived = allocDerived(T);
    for (let s = 0; s < T; s += SLICE) {
      const e = Math.min(T, s + SLICE);
      fillDerived(trace, s, e, {
        yhat: derived.yhat.subarray(s, e),
        dL_dyhat: derived.dL_dyhat.subarray(s, e),
        dL_dh: derived.dL_dh.subarray(s, e),
        dL_dh_local: derived.dL_dh_local.subarray(s, e),
        dL_dh_recurrent: derived.dL_dh_recurrent.subarray(s, e),
      });
      await pause();
    }
    const { sum_w, sum_v } = backwardSums(trace.dL_ds, trace.h, trace.x, trace.model.h0);
    await pause();
    // The log floor sits under the smallest non-zero magnitude of every gradient series charted.
    const ds = magnitudeRange(trace.dL_ds);
    const mins = [ds.minAbs];
    for (const g of [derived.dL_dh, derived.dL_dh_local, derived.dL_dh_recurrent]) {
      mins.push(magnitudeRange(g).minAbs);
      await pause();
    }
    const minAbs = Math.min(...mins.filter((m) => m > 0));
    return new TraceSeries(trace, derived, sum_w, sum_v, logFloorFor(minAbs), ds.maxAbs, ds.minAbs);
  }

  summary(meta: { uri: string; fileName: string; version: number; durationMs: number }): TraceSummary {
    const tr = this.trace;
    let last = tr.T - 1;
    while (last >= 0 && tr.hasY[last] === 0) last--;
    return {
      ...meta,
      T: tr.T,
      loss: tr.loss,
      grads: { ...tr.grads },
      model: { ...tr.model },
      nTargets: tr.nTargets,
      lastTarget: last >= 0 ? last + 1 : null,
      firstNonFinite: tr.firstNonFinite,
      nonFiniteOrigin: tr.nonFiniteOrigin ? { ...tr.nonFiniteOrigin } : null,
      maxAbs_dL_ds: this.maxAbs_dL_ds,
      minAbs_dL_ds: this.minAbs_dL_ds,
      logFloor: this.logFloor,
    };
  }

  /** Steps [start, end) (clamped to the trace) for a chart `width` px wide. */
  async window(start: number, end: number, width: number, pause: Pause = noPause): Promise<SeriesWindow> {
    const T = this.trace.T;
    const s = Math.max(0, Math.min(T, Math.floor(start)));
    const e = Math.max(s, Math.min(T, Math.floor(end)));
    const layout = bucketLayout(s, e, width);
    const { x, y, hasY, h, dL_ds } = this.trace;
    const d = this.derived;
    const log: ReduceOptions = { log: true, floor: this.logFloor };
    const plan: [SeriesKey, ArrayLike<number>, ReduceOptions][] = [
      ['x', x, {}],
      ['y', y, { mask: hasY }],
      ['yhat', d.yhat, {}],
      ['h', h, {}],
      ['dL_dh', d.dL_dh, {}],
      ['dL_dh_local', d.dL_dh_local, {}],
      ['dL_dh_recurrent', d.dL_dh_recurrent, {}],
      ['dL_ds', dL_ds, {}],
      ['log_dL_dh', d.dL_dh, log],
      ['log_dL_dh_local', d.dL_dh_local, log],
      ['log_dL_dh_recurrent', d.dL_dh_recurrent, log],
      ['log_dL_ds', dL_ds, log],
      ['sum_w', this.sum_w, {}],
      ['sum_v', this.sum_v, {}],
    ];
    const values = {} as Record<SeriesKey, Float64Array>;
    // Pause only where a series pass is long enough to matter.
    const big = e - s > SLICE;
    for (const [key, src, opts] of plan) {
      values[key] = reduceSeries(src, layout, opts);
      if (big) await pause();
    }
    return { start: s, end: e, full: layout.full, t: layout.t, values };
  }
}
