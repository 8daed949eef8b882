/**
 * The timeline's view of one trace: the whole-range series it charts, computed once per trace
 * and reused by every overview and zoom window. No `vscode` here, so the worker thread, tests
 * and the benchmark run it too.
 *
 * Work on the host is cut into slices of at most SLICE steps with `pause()` between them, so a
 * 10⁶-step trace never holds the extension host's event loop for more than a few milliseconds.
 */
import type { Trace } from '../../core/bptt';
import { allocDerived, fillDerived, type DerivedSeries } from '../../core/derived';
import type { CheckOptions, CheckReport } from '../../check';
import type { ClaimWindow, SeriesKey, SeriesWindow, TraceSummary } from '../../shared/protocol';
import { checksSummary, claimScale, drawnClaims, fillMismatchMask } from './checks';
import { backwardSums, bucketLayout, logFloorFor, magnitudeRange, reduceBuckets, type ReduceOptions } from '../../shared/series';

export type Pause = () => Promise<void>;

const noPause: Pause = () => Promise.resolve();

/** Steps per uninterrupted slice of work: ~2–4 ms for the heaviest pass. */
export const SLICE = 1 << 17;

/**
 * What the timeline charts besides the trace's own arrays: ŷ and the ∂L/∂h parts, the running
 * sums, the log floor and |∂L/∂s|'s range. O(T) work and 56 bytes a step, so for a document
 * computed in the worker the worker computes it and reduces its windows too (workerBody.ts: the
 * host never holds that document's arrays); for a small document the host prepares it itself in slices.
 */
export interface SeriesData {
  derived: DerivedSeries;
  sum_w: Float64Array;
  sum_v: Float64Array;
  logFloor: number;
  maxAbs_dL_ds: number;
  minAbs_dL_ds: number;
  /** Per drawn claim (checks.ts drawnClaims order): 1 at the steps where it mismatches. */
  mismatch: Uint8Array[];
}

/** Steps per slice of the mismatch masks: a column's value costs a String() where it fails at full precision. */
const MASK_SLICE = SLICE >> 3;

/** The work of `SeriesData`, with a `yield` wherever the host may pause. */
function* seriesSteps(trace: Trace, report?: CheckReport, options: CheckOptions = {}): Generator<void, SeriesData> {
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
    yield;
  }
  const { sum_w, sum_v } = backwardSums(trace.dL_ds, trace.h, trace.x, trace.model.h0);
  yield;
  // The log floor sits under the smallest non-zero magnitude of every gradient series charted.
  const ds = magnitudeRange(trace.dL_ds);
  const mins = [ds.minAbs];
  for (const g of [derived.dL_dh, derived.dL_dh_local, derived.dL_dh_recurrent]) {
    mins.push(magnitudeRange(g).minAbs);
    yield;
  }
  // The user's gradients go on the log chart too: the floor sits under theirs as well.
  const drawn = drawnClaims(report);
  for (const { claim } of drawn) {
    const c = report?.claims[claim];
    if (c?.user && (c.quantity === 'dL_dh' || c.quantity === 'dL_ds')) mins.push(magnitudeRange(c.user).minAbs);
  }
  const minAbs = Math.min(...mins.filter((m) => m > 0));
  // Where each drawn claim mismatches, always including the step where its error enters.
  const mismatch: Uint8Array[] = [];
  for (const { claim } of drawn) {
    const c = (report as CheckReport).claims[claim];
    const mask = new Uint8Array(T);
    const scale = claimScale(c);
    for (let s = 0; s < T; s += MASK_SLICE) {
      fillMismatchMask(mask, c, options, scale, s, Math.min(T, s + MASK_SLICE));
      yield;
    }
    const t = c.firstMismatch?.t;
    if (t != null && t >= 1 && t <= T) mask[t - 1] = 1;
    mismatch.push(mask);
  }
  return { derived, sum_w, sum_v, logFloor: logFloorFor(minAbs), maxAbs_dL_ds: ds.maxAbs, minAbs_dL_ds: ds.minAbs, mismatch };
}

/** In one go: for the worker thread, which has no event loop to keep responsive. */
export function seriesData(trace: Trace, report?: CheckReport, options?: CheckOptions): SeriesData {
  const steps = seriesSteps(trace, report, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The scalars of the series the summary shows. */
export type SeriesStats = Pick<SeriesData, 'logFloor' | 'maxAbs_dL_ds' | 'minAbs_dL_ds'>;

export type SummaryMeta = { uri: string; fileName: string; version: number; durationMs: number };

/** What the timeline reads of a trace's series: here (TraceSeries), or from the worker that keeps a large document's trace (RemoteResult). */
export interface SeriesSource {
  summary(meta: SummaryMeta): TraceSummary;
  /** Steps [start, end) (clamped to the trace) for a chart `width` px wide. */
  window(start: number, end: number, width: number, pause?: Pause): Promise<SeriesWindow>;
}

/** The summary the timeline shows first: the trace's scalars and the series' ranges. */
export function traceSummary(tr: Trace, stats: SeriesStats, checks: CheckReport | undefined, meta: SummaryMeta): TraceSummary {
  return {
    ...meta,
    T: tr.T,
    loss: tr.loss,
    grads: { ...tr.grads },
    model: { ...tr.model },
    nTargets: tr.nTargets,
    lastTargetT: tr.lastTargetT,
    firstNonFinite: tr.firstNonFinite,
    nonFiniteOrigin: tr.nonFiniteOrigin ? { ...tr.nonFiniteOrigin } : null,
    maxAbs_dL_ds: stats.maxAbs_dL_ds,
    minAbs_dL_ds: stats.minAbs_dL_ds,
    logFloor: stats.logFloor,
    checks: checksSummary(checks),
  };
}

export class TraceSeries implements SeriesSource {
  readonly derived: DerivedSeries;
  readonly sum_w: Float64Array;
  readonly sum_v: Float64Array;
  readonly logFloor: number;
  readonly maxAbs_dL_ds: number;
  readonly minAbs_dL_ds: number;
  /** The drawn claims' values and mismatch masks; log for a gradient. */
  private readonly claims: { user: Float64Array; mask: Uint8Array; log: boolean }[];

  private constructor(
    readonly trace: Trace,
    data: SeriesData,
    readonly checks: CheckReport | undefined,
  ) {
    this.derived = data.derived;
    this.sum_w = data.sum_w;
    this.sum_v = data.sum_v;
    this.logFloor = data.logFloor;
    this.maxAbs_dL_ds = data.maxAbs_dL_ds;
    this.minAbs_dL_ds = data.minAbs_dL_ds;
    this.claims = [];
    drawnClaims(checks).forEach(({ claim, key }, k) => {
      const user = checks?.claims[claim].user;
      const mask = data.mismatch[k];
      if (user && mask) this.claims.push({ user, mask, log: key === 'dL_dh' || key === 'dL_ds' });
    });
  }

  /** From series the worker computed (of the same trace and report). */
  static of(trace: Trace, data: SeriesData, checks?: CheckReport): TraceSeries {
    return new TraceSeries(trace, data, checks);
  }

  /** Computes the series on this thread, in slices of at most SLICE steps with `pause()` between them. */
  static async prepare(trace: Trace, pause: Pause = noPause, checks?: CheckReport, options?: CheckOptions): Promise<TraceSeries> {
    const steps = seriesSteps(trace, checks, options);
    for (;;) {
      const r = steps.next();
      if (r.done) return new TraceSeries(trace, r.value, checks);
      await pause();
    }
  }

  summary(meta: SummaryMeta): TraceSummary {
    return traceSummary(this.trace, this, this.checks, meta);
  }

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
    // At most SLICE steps per task: a pass over 10⁶ steps takes ~4 ms once optimised, but several
    // times that while the JIT is still compiling it (first run, first log-scale series).
    const buckets = layout.full ? 0 : layout.bounds.length - 1;
    const perSlice = Math.max(1, Math.floor((SLICE * buckets) / Math.max(1, e - s)));
    const reduce = async (src: ArrayLike<number>, opts: ReduceOptions): Promise<Float64Array> => {
      const out = new Float64Array(layout.t.length);
      reduceBuckets(out, src, layout, opts, 0, Math.min(buckets, perSlice));
      for (let b = perSlice; b < buckets; b += perSlice) {
        await pause();
        reduceBuckets(out, src, layout, opts, b, Math.min(buckets, b + perSlice));
      }
      return out;
    };
    const values = {} as Record<SeriesKey, Float64Array>;
    for (const [key, src, opts] of plan) values[key] = await reduce(src, opts);
    // The user's values, and the same values only where they mismatch (the markers).
    const claims: ClaimWindow[] = [];
    for (const c of this.claims) {
      const mismatch: ReduceOptions = { mask: c.mask };
      claims.push({
        user: await reduce(c.user, {}),
        mismatch: await reduce(c.user, mismatch),
        log_user: c.log ? await reduce(c.user, log) : null,
        log_mismatch: c.log ? await reduce(c.user, { ...log, ...mismatch }) : null,
      });
    }
    return { start: s, end: e, full: layout.full, t: layout.t, values, claims };
  }
}
