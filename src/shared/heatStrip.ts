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
 * The strip of `dL_ds` (row-major T×n) over `layout`'s window. O((end − start)·n).
 * `floor` is the log floor of the charts (TraceSummary.logFloor): exact zeros sit there.
 */
export function heatStrip(dL_ds: ArrayLike<number>, n: number, layout: BucketLayout, floor = LOG_FLOOR_MIN): HeatStrip {
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
      let big = 0;
      let nan = false;
      for (let s = from; s < to; s++) {
        const a = Math.abs(dL_ds[s * n + i]);
        if (a !== a) nan = true;
        else if (a > big) big = a;
      }
      const v = nan ? NaN : big === 0 ? floor : big === Infinity ? Infinity : Math.max(floor, Math.log10(big));
      values[i * cols + col] = v;
      if (Number.isFinite(v) && v > floor) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  return { n, cols, t0, t1, values, floor, min: min === Infinity ? NaN : min, max: max === -Infinity ? NaN : max };
}
