/**
 * The legend entries of a chart, from the pure rules of shared/legend.ts: at full resolution each
 * point is a step; a reduced window's points are bucket extremes, so under the pointer the legend
 * shows the bucket's steps and ranges, and off the charts the selected step's exact values.
 */
import type uPlot from 'uplot';
import { stepEntry, valueEntry, type LegendKey } from '../shared/legend';

/** What the legend reads besides the chart's own data, asked for each time it is filled. */
export interface LegendSource {
  /** The shown window is min/max per bucket (SeriesWindow.full false). */
  reduced: boolean;
  selected: number | null;
  /** What series `key` draws at the selected step, exactly; undefined while unknown or not held. */
  exact(key: LegendKey): number | null | undefined;
}

/** True while the pointer (over this chart or a synced one) fills the legend; false when the selection does. */
const underPointer = (u: uPlot): boolean => u.cursor.idx != null;

export function stepText(source: () => LegendSource): uPlot.Series.Value {
  return (u, _v, _si, idx) => {
    const src = source();
    return stepEntry(u.data[0], !src.reduced, idx, underPointer(u), src.selected);
  };
}

/** `key`: the series whose exact value the selection holds, or null (a claim's: the host sends none). */
export function valueText(key: LegendKey | null, text: (v: number | null) => string, source: () => LegendSource): uPlot.Series.Value {
  return (u, _v, si, idx) => {
    const src = source();
    const exact = (): number | null | undefined => (key === null ? undefined : src.exact(key));
    return valueEntry(u.data[si] as ArrayLike<number | null>, !src.reduced, idx, underPointer(u), exact, text);
  };
}
