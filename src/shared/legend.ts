/**
 * What the timeline's legends may say at a point of a chart window. At full resolution a point is
 * one step, and its value is that step's. A reduced window (SeriesWindow.full false) holds two
 * points per bucket, at its first and last step, carrying the bucket's min and max in order of
 * occurrence (series.ts): neither is the value of the step it sits at. So under the pointer the
 * legend names the bucket's steps and the series' range over them, and for the selected step it
 * shows the exact values the host sent, or nothing. Pure: no `vscode`, no DOM.
 */
import type { StepValues } from '../core/trace';
import { norm2 } from '../core/vector/norm';
import { formatNumber } from './format';
import type { SeriesKey } from './protocol';
import { log10Abs, LOG_FLOOR_MIN } from './series';
import type { VectorStepView } from './vectorProtocol';

/** Steps from..to (1-based, inclusive) that one point of a window stands for. */
export interface StepSpan {
  from: number;
  to: number;
}

/** First index of the points that share point idx's steps: idx itself when full, else its bucket's first. */
function firstPoint(full: boolean, idx: number): number {
  return full ? idx : idx - (idx % 2);
}

/** The steps point idx of a window's `t` stands for: its own step when full, else its whole bucket. */
export function pointSteps(t: ArrayLike<number>, full: boolean, idx: number): StepSpan | null {
  if (!(idx >= 0 && idx < t.length)) return null;
  const k = firstPoint(full, idx);
  return { from: t[k], to: full ? t[k] : t[k + 1] };
}

/** Smallest and largest drawn value of a series over a point's steps. */
export interface Extent {
  lo: number;
  hi: number;
}

/**
 * The range of one drawn series (as plotted: log10|·| on a log chart, null or NaN for a gap) over
 * point idx's steps: both points of its bucket, or the point alone when full. Null when all are gaps.
 */
export function pointExtent(values: ArrayLike<number | null>, full: boolean, idx: number): Extent | null {
  if (!(idx >= 0 && idx < values.length)) return null;
  const first = firstPoint(full, idx);
  const last = full ? first : Math.min(values.length - 1, first + 1);
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = first; k <= last; k++) {
    const v = values[k];
    if (v == null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? { lo, hi } : null;
}

/** Every key a chart series draws: the window's series, and a vector model's σ_max. */
export type LegendKey = SeriesKey | 'sigma_max' | 'log_sigma_max';

/** The plotted form of an exact value: finite as is (else a gap), or log10|·| with 0 at the floor. */
function drawn(v: number, log: boolean, floor: number): number | null {
  const y = log ? log10Abs(v, floor) : v;
  return Number.isFinite(y) ? y : null;
}

const SCALAR: Partial<Record<SeriesKey, keyof StepValues>> = {
  x: 'x',
  yhat: 'yhat',
  h: 'h',
  dL_dh: 'dL_dh',
  dL_dh_local: 'dL_dh_local',
  dL_dh_recurrent: 'dL_dh_recurrent',
  dL_ds: 'dL_ds',
};

/**
 * What series `key` draws at the selected step of a scalar trace, from its exact values: the
 * plotted form (log10|·| for a `log_` key), null for a gap (no target, non-finite), undefined
 * when the step values do not hold it (the running sums Σ_{τ≥t}).
 */
export function exactScalarValue(step: StepValues, key: LegendKey, floor: number): number | null | undefined {
  const log = key.startsWith('log_');
  const base = (log ? key.slice(4) : key) as SeriesKey;
  if (base === 'y') return step.y === null ? null : drawn(step.y, false, floor);
  const field = SCALAR[base];
  return field === undefined ? undefined : drawn(step[field] as number, log, floor);
}

const VECTOR: Partial<Record<SeriesKey, keyof VectorStepView>> = {
  x: 'x',
  h: 'h',
  dL_dh: 'dL_dh',
  dL_dh_local: 'dL_dh_local',
  dL_dh_recurrent: 'dL_dh_recurrent',
  dL_ds: 'dL_ds',
};

/**
 * The same for a vector model, whose charts draw norms: ‖·‖ of the step's vectors, and σ_max
 * (none at t = T, which has no J_T; its log has the floor of a double, as the host reduces it).
 */
export function exactVectorValue(step: VectorStepView, key: LegendKey, floor: number): number | null | undefined {
  if (key === 'sigma_max' || key === 'log_sigma_max') {
    if (step.t >= step.T) return null;
    return key === 'sigma_max' ? drawn(step.sigma, false, floor) : drawn(step.sigma, true, LOG_FLOOR_MIN);
  }
  const log = key.startsWith('log_');
  const field = VECTOR[(log ? key.slice(4) : key) as SeriesKey];
  return field === undefined ? undefined : drawn(norm2(step[field] as Float64Array), log, floor);
}

/** The selected step's exact values, as the host sent them: a scalar step or a vector one. */
export interface SelectedValues {
  step: StepValues | null;
  vectorStep: VectorStepView | null;
}

/**
 * What series `key` draws at step t, from the values of the selected step when they are step t's;
 * undefined when they are not (yet) or do not hold the series.
 */
export function selectedValue(sel: SelectedValues, t: number, key: LegendKey, floor: number): number | null | undefined {
  if (sel.vectorStep !== null) return sel.vectorStep.t === t ? exactVectorValue(sel.vectorStep, key, floor) : undefined;
  if (sel.step !== null) return sel.step.t === t ? exactScalarValue(sel.step, key, floor) : undefined;
  return undefined;
}

/**
 * A drawn value as the legends print it: 6 digits; on a log chart the magnitude 10^v to 4 digits,
 * and 0 where log10 of an exact zero is drawn at the floor. A gap is a dash.
 */
export function drawnText(v: number | null, log: boolean, floor: number): string {
  if (v == null || v !== v) return '—';
  if (!log) return formatNumber(v, 6);
  return v <= floor ? '0' : formatNumber(10 ** v, 4);
}

/**
 * The legend's t entry for point idx. A reduced window's point is a bucket: under the pointer the
 * entry names its steps ("29951–30000"); off the charts it is the selected step.
 */
export function stepEntry(t: ArrayLike<number>, full: boolean, idx: number | null, underPointer: boolean, selected: number | null): string {
  if (full || idx == null) return idx == null || !(idx >= 0 && idx < t.length) ? '—' : String(Math.round(t[idx]));
  if (!underPointer) return selected === null ? '—' : String(selected);
  const span = pointSteps(t, false, idx);
  return span === null ? '—' : `${span.from}–${span.to}`;
}

/**
 * A series' legend entry for point idx: its drawn value at full resolution; on a reduced window,
 * under the pointer, its range over the bucket ("−0.85 … 1"), and off the charts the selected
 * step's exact value (`exact`, undefined when unknown), never a bucket extreme.
 */
export function valueEntry(
  values: ArrayLike<number | null>,
  full: boolean,
  idx: number | null,
  underPointer: boolean,
  exact: () => number | null | undefined,
  text: (v: number | null) => string,
): string {
  if (full || idx == null) return text(idx == null ? null : (values[idx] ?? null));
  if (!underPointer) return text(exact() ?? null);
  const e = pointExtent(values, false, idx);
  if (e === null) return text(null);
  const [lo, hi] = [text(e.lo), text(e.hi)];
  return lo === hi ? lo : `${lo} … ${hi}`;
}
