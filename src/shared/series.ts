/**
 * Chart data preparation for the timeline: pure functions over typed arrays, linear in the
 * number of steps, no allocation per step. Used by the host (10⁶ steps) and by tests.
 *
 * A window [start, end) of steps becomes at most 2·width points: when it has more steps than
 * that, each of `width` buckets (one per pixel) keeps its minimum and maximum, in the order they
 * occur, so a one-step spike still reaches its height and the line goes up before down exactly
 * when the data does. All series of a window share the x positions (the bucket's first and last
 * t), so one uPlot table holds them. NaN marks a gap.
 */

export interface BucketLayout {
  start: number;
  end: number;
  /** True when each step is its own point. */
  full: boolean;
  /** Bucket b covers steps [bounds[b], bounds[b+1]); length buckets + 1 (unused when full). */
  bounds: Int32Array;
  /** 1-based t of each output point. */
  t: Float64Array;
}

/** Below this many steps per pixel the window is sent at full resolution. */
export const FULL_RESOLUTION_FACTOR = 2;

export function bucketLayout(start: number, end: number, width: number): BucketLayout {
  const n = Math.max(0, end - start);
  const w = Math.max(1, Math.floor(width));
  if (n <= FULL_RESOLUTION_FACTOR * w) {
    const t = new Float64Array(n);
    for (let k = 0; k < n; k++) t[k] = start + k + 1;
    return { start, end, full: true, bounds: new Int32Array(0), t };
  }
  const bounds = new Int32Array(w + 1);
  for (let b = 0; b <= w; b++) bounds[b] = start + Math.floor((b * n) / w);
  const t = new Float64Array(2 * w);
  for (let b = 0; b < w; b++) {
    t[2 * b] = bounds[b] + 1;
    t[2 * b + 1] = bounds[b + 1];
  }
  return { start, end, full: false, bounds, t };
}

/**
 * How a series is read: `linear` as is; `log` as log10|v| with |v| below 10^floor (and 0)
 * drawn at `floor`. Non-finite values are gaps either way; `mask[i] = 0` marks a missing value
 * (a step without a target).
 */
export interface ReduceOptions {
  log?: boolean;
  floor?: number;
  mask?: Uint8Array;
}

/** Lowest decade a double reaches (denormals included). */
export const LOG_FLOOR_MIN = -324;

/** log10|v| for the chart: NaN/±Inf → NaN (gap), 0 and tiny values → floor. */
export function log10Abs(v: number, floor = LOG_FLOOR_MIN): number {
  if (!Number.isFinite(v)) return NaN;
  const a = Math.abs(v);
  return a === 0 ? floor : Math.max(floor, Math.log10(a));
}

/**
 * One series over a layout. log10|·| is monotonic in |v|, so in log mode the bucket keeps the
 * smallest and largest |v| and takes the logarithm of those two only.
 */
export function reduceSeries(src: ArrayLike<number>, layout: BucketLayout, opts: ReduceOptions = {}): Float64Array {
  const out = new Float64Array(layout.t.length);
  reduceBuckets(out, src, layout, opts, 0, Math.max(0, layout.bounds.length - 1));
  return out;
}

/**
 * Fills `out` (length layout.t.length) for buckets [from, to) only, so a caller can spread a long
 * reduction over several tasks. A full-resolution layout is filled whole on any call.
 */
export function reduceBuckets(out: Float64Array, src: ArrayLike<number>, layout: BucketLayout, opts: ReduceOptions, from: number, to: number): void {
  const { log = false, floor = LOG_FLOOR_MIN, mask } = opts;
  if (layout.full) {
    for (let k = 0, i = layout.start; i < layout.end; k++, i++) {
      const v = src[i];
      out[k] = mask !== undefined && mask[i] === 0 ? NaN : log ? log10Abs(v, floor) : Number.isFinite(v) ? v : NaN;
    }
    return;
  }
  const { bounds } = layout;
  for (let b = from; b < to; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    let iLo = -1;
    let iHi = -1;
    for (let i = bounds[b], e = bounds[b + 1]; i < e; i++) {
      if (mask !== undefined && mask[i] === 0) continue;
      const raw = src[i];
      // Non-finite values are gaps: they take part in neither extreme.
      if (!Number.isFinite(raw)) continue;
      const v = log ? Math.abs(raw) : raw;
      if (v < lo) {
        lo = v;
        iLo = i;
      }
      if (v > hi) {
        hi = v;
        iHi = i;
      }
    }
    if (iLo < 0) {
      out[2 * b] = NaN;
      out[2 * b + 1] = NaN;
      continue;
    }
    const a = log ? log10Abs(lo, floor) : lo;
    const z = log ? log10Abs(hi, floor) : hi;
    // In order of occurrence, so the drawn line follows the data through the bucket.
    if (iLo <= iHi) {
      out[2 * b] = a;
      out[2 * b + 1] = z;
    } else {
      out[2 * b] = z;
      out[2 * b + 1] = a;
    }
  }
}

/**
 * Running backward sums S_t = Σ_{τ ≥ t} ∂L/∂s_τ·h_{τ-1} and Σ_{τ ≥ t} ∂L/∂s_τ·x_τ, accumulated in
 * the same order as the backward pass, so S_1 is ∂L/∂w (resp. ∂L/∂v) to the bit.
 */
export function backwardSums(
  dL_ds: ArrayLike<number>,
  h: ArrayLike<number>,
  x: ArrayLike<number>,
  h0: number,
  outW: Float64Array = new Float64Array(dL_ds.length),
  outV: Float64Array = new Float64Array(dL_ds.length),
): { sum_w: Float64Array; sum_v: Float64Array } {
  let sw = 0;
  let sv = 0;
  for (let i = dL_ds.length - 1; i >= 0; i--) {
    const g = dL_ds[i];
    sw += g * (i > 0 ? h[i - 1] : h0);
    sv += g * x[i];
    outW[i] = sw;
    outV[i] = sv;
  }
  return { sum_w: outW, sum_v: outV };
}

export interface MagnitudeRange {
  /** Largest finite |v|, or NaN when no value is finite and non-zero. */
  maxAbs: number;
  /** Smallest finite non-zero |v|, or NaN. */
  minAbs: number;
}

export function magnitudeRange(values: ArrayLike<number>): MagnitudeRange {
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a === 0 || a === Infinity || a !== a) continue;
    if (a > maxAbs) maxAbs = a;
    if (a < minAbs) minAbs = a;
  }
  return minAbs === Infinity ? { maxAbs: NaN, minAbs: NaN } : { maxAbs, minAbs };
}

/** One decade below the smallest non-zero magnitude, so exact zeros sit visibly under everything else. */
export function logFloorFor(minAbs: number): number {
  if (!(minAbs > 0 && minAbs < Infinity)) return -1;
  return Math.max(LOG_FLOOR_MIN, Math.floor(Math.log10(minAbs)) - 1);
}

/** Log scale pays off when |∂L/∂s| spans more than this many decades' ratio. */
export const LOG_DEFAULT_RATIO = 1e4;

export function prefersLog(range: MagnitudeRange): boolean {
  return range.maxAbs / range.minAbs > LOG_DEFAULT_RATIO;
}

export type BandKind = 'vanished' | 'exploded';

export interface Band {
  kind: BandKind;
  /** Span in t, half a step beyond the first and last point so single steps stay visible. */
  t0: number;
  t1: number;
}

/**
 * Runs of consecutive points whose |∂L/∂s_t| (given as log10, `floor` for exact zeros) lies below
 * `vanishing` or above `exploding`. Points after the last non-zero gradient are not marked: no
 * target lies downstream of them, so nothing vanished there.
 */
export function gradientBands(t: ArrayLike<number>, log_dL_ds: ArrayLike<number>, floor: number, vanishing: number, exploding: number): Band[] {
  const bands: Band[] = [];
  const lo = Math.log10(vanishing);
  const hi = Math.log10(exploding);
  let last = t.length - 1;
  while (last >= 0 && !(log_dL_ds[last] > floor)) last--;
  let open: Band | null = null;
  for (let k = 0; k <= last; k++) {
    const v = log_dL_ds[k];
    const kind: BandKind | null = v < lo ? 'vanished' : v > hi ? 'exploded' : null;
    if (open && open.kind === kind) {
      open.t1 = t[k] + 0.5;
      continue;
    }
    open = kind ? { kind, t0: t[k] - 0.5, t1: t[k] + 0.5 } : null;
    if (open) bands.push(open);
  }
  return bands;
}

/** A run of whole steps [from, to] (1-based, inclusive) that a band covers. */
export interface BandRun {
  kind: BandKind;
  from: number;
  to: number;
}

/** The bands as whole steps within 1..T, in order. */
export function bandRuns(bands: readonly Band[], T: number): BandRun[] {
  const runs: BandRun[] = [];
  for (const b of bands) {
    const from = Math.max(1, Math.ceil(b.t0));
    const to = Math.min(T, Math.floor(b.t1));
    if (to >= from) runs.push({ kind: b.kind, from, to });
  }
  return runs;
}

/** "t ≤ 47", "t = 3…9", "every step": where a run lies, as a person reads it. */
export function describeRun(r: { from: number; to: number }, T: number): string {
  if (r.from <= 1 && r.to >= T) return `every step (t = 1…${T})`;
  if (r.from <= 1) return `t ≤ ${r.to}`;
  if (r.to >= T) return `t ≥ ${r.from}`;
  return r.from === r.to ? `t = ${r.from}` : `t = ${r.from}…${r.to}`;
}

const MAX_RUNS_NAMED = 3;

/**
 * One plain-language sentence per kind of band, e.g.
 * "|∂L/∂s_t| falls below 1e-6 for t ≤ 47: the gradient has vanished there." `threshold` formats a number.
 */
export function bandCaptions(runs: readonly BandRun[], T: number, vanishing: string, exploding: string): { kind: BandKind; text: string }[] {
  const out: { kind: BandKind; text: string }[] = [];
  for (const kind of ['vanished', 'exploded'] as const) {
    const mine = runs.filter((r) => r.kind === kind);
    if (mine.length === 0) continue;
    const named = mine.slice(0, MAX_RUNS_NAMED).map((r) => describeRun(r, T));
    const more = mine.length - named.length;
    const where = named.join(', ') + (more > 0 ? ` and ${more} more stretch${more === 1 ? '' : 'es'}` : '');
    out.push({
      kind,
      text:
        kind === 'vanished'
          ? `|∂L/∂s_t| falls below ${vanishing} for ${where}: the gradient has vanished there.`
          : `|∂L/∂s_t| exceeds ${exploding} for ${where}: the gradient has exploded there.`,
    });
  }
  return out;
}
