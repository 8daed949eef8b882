/**
 * The timeline's heat strip: log10|∂L/∂s_t,i| as a units × time image, one column per bucket of
 * the charts' layout (series.ts bucketLayout), so it zooms with them step for step. Each pixel
 * keeps the largest magnitude of the steps it covers: a one-step spike never disappears, and a
 * NaN or ±∞ anywhere in the bucket wins (painted as non-finite). Pure: no `vscode`, no DOM.
 */
import { LOG_FLOOR_MIN, type BucketLayout } from './series';

export interface HeatStrip {
  /** Units (rows). */
  n: number;
  /** Columns: one per step of a full layout, one per bucket otherwise. */
  cols: number;
  /** First and last 1-based t of each column. */
  t0: Float64Array;
  t1: Float64Array;
  /**
   * Row-major units × columns: log10 of the largest |∂L/∂s_t,i| in the column, `floor` for exact
   * zeros, +∞ where a ±∞ occurs and NaN where a NaN occurs.
   */
  values: Float64Array;
  /** What an exact 0 is drawn at. */
  floor: number;
  /** Smallest and largest finite value above the floor in `values` (NaN when there is none): the colour scale. */
  min: number;
  max: number;
}

/**
 * Maxima of |∂L/∂s_t,i| over blocks of `size` steps, per unit (row-major blocks × n; NaN where a
 * NaN occurs): with them a wide window's strip reads each bucket's whole blocks, not its steps.
 */
export interface HeatBlocks {
  size: number;
  max: Float64Array;
}

export function heatBlocks(dL_ds: ArrayLike<number>, n: number, T: number, size: number): HeatBlocks {
  const max = new Float64Array(Math.ceil(T / size) * n);
  for (let s = 0; s < T; s++) {
    const o = Math.floor(s / size) * n;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(dL_ds[s * n + i]);
      // NaN wins and stays: NaN > x is false.
      if (a !== a) max[o + i] = NaN;
      else if (a > max[o + i]) max[o + i] = a;
    }
  }
  return { size, max };
}

/** max(big, |∂L/∂s_t,i| for steps [from, to)), NaN when any is NaN. */
function stepsMax(dL_ds: ArrayLike<number>, n: number, i: number, from: number, to: number, big: number): number {
  for (let s = from; s < to; s++) {
    const v = Math.abs(dL_ds[s * n + i]);
    if (v !== v) return NaN;
    if (v > big) big = v;
  }
  return big;
}

/** max over steps [from, to) of |∂L/∂s_t,i|, NaN when any is NaN: whole blocks from `blocks`, the ends step by step. */
function unitMax(dL_ds: ArrayLike<number>, n: number, i: number, from: number, to: number, blocks: HeatBlocks | undefined): number {
  const b0 = blocks ? Math.ceil(from / blocks.size) : 0;
  const b1 = blocks ? Math.floor(to / blocks.size) : 0;
  if (!blocks || b0 >= b1) return stepsMax(dL_ds, n, i, from, to, 0);
  let big = stepsMax(dL_ds, n, i, from, b0 * blocks.size, 0);
  for (let b = b0; b < b1 && big === big; b++) {
    const v = blocks.max[b * n + i];
    if (v !== v || v > big) big = v;
  }
  return big === big ? stepsMax(dL_ds, n, i, b1 * blocks.size, to, big) : big;
}

/**
 * The strip of `dL_ds` (row-major T×n) over `layout`'s window. O((end − start)·n), or with
 * `blocks` O((end − start)·n / size + columns·n·size): the same values, bounded for any T.
 * `floor` is the log floor of the charts (TraceSummary.logFloor): exact zeros sit there.
 */
export function heatStrip(dL_ds: ArrayLike<number>, n: number, layout: BucketLayout, floor = LOG_FLOOR_MIN, blocks?: HeatBlocks): HeatStrip {
  const cols = layout.full ? layout.end - layout.start : layout.bounds.length - 1;
  const values = new Float64Array(n * cols);
  const t0 = new Float64Array(cols);
  const t1 = new Float64Array(cols);
  let min = Infinity;
  let max = -Infinity;
  for (let col = 0; col < cols; col++) {
    const from = layout.full ? layout.start + col : layout.bounds[col];
    const to = layout.full ? from + 1 : layout.bounds[col + 1];
    t0[col] = from + 1;
    t1[col] = to;
    for (let i = 0; i < n; i++) {
      // max over the column's steps of |∂L/∂s_t,i|, NaN winning
      const big = unitMax(dL_ds, n, i, from, to, blocks);
      const v = big !== big ? NaN : big === 0 ? floor : big === Infinity ? Infinity : Math.max(floor, Math.log10(big));
      values[i * cols + col] = v;
      if (Number.isFinite(v) && v > floor) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  return { n, cols, t0, t1, values, floor, min: min === Infinity ? NaN : min, max: max === -Infinity ? NaN : max };
}
