/**
 * The three uPlot charts sharing one t axis: signal, gradient (linear or log10|·|), and the
 * running parameter-gradient sums. Colours come from the theme's CSS variables, read when the
 * charts are built (they are rebuilt on a theme change).
 */
import uPlot from 'uplot';
import { formatNumber } from '../shared/format';
import type { ChecksSummary, ClaimWindow, SeriesKey, SeriesWindow } from '../shared/protocol';
import { drawnText } from '../shared/legend';
import type { Band } from '../shared/series';
import { stepText, valueText, type LegendSource } from './legendText';
import { vectorSpecs } from './vectorCharts';

/** σ_max per step: only a vector model's window has it (SeriesWindow.vector). */
export type VectorSeriesKey = 'sigma_max' | 'log_sigma_max';

interface SeriesSpec {
  key: SeriesKey | VectorSeriesKey;
  /** A user's claim drawn over series `key`: its index in SeriesWindow.claims, and which of its arrays. */
  claim?: { index: number; part: 'user' | 'mismatch' };
  label: string;
  /** A --vscode-* colour variable. */
  color: string;
  width?: number;
  dash?: number[];
  points?: boolean;
  /** Points only, drawn as rings: the steps where a claim mismatches. */
  rings?: boolean;
}

export interface ChartSpec {
  id: 'signal' | 'gradient' | 'params' | 'sigma';
  /** The whole title (PNG export, accessible name): `lead` then `detail`. */
  title: string;
  /** What the chart is, in bold. */
  lead: string;
  /** Which series, and how they relate. */
  detail: string;
  /** Only the bottom chart names the shared t axis. */
  xLabel: boolean;
  yLabel: string;
  log: boolean;
  floor: number;
  /** A horizontal reference line at this y (σ = 1), or none. */
  hline?: number;
  series: SeriesSpec[];
}

/** log10 of an exact zero is drawn at `floor`; the legend says 0 there. Each drawn claim joins the chart of its exact series. */
export function chartSpecs(log: boolean, floor: number, checks: ChecksSummary | null = null, vector = false): ChartSpec[] {
  const out = (vector ? vectorSpecs(log) : specs(log)).map((s) => ({ ...s, title: s.lead + s.detail, floor }));
  checks?.drawn.forEach(({ claim, key }, index) => {
    const c = checks.claims[claim];
    const exactKey: SeriesSpec['key'] = log && (key === 'dL_dh' || key === 'dL_ds') ? `log_${key}` : key;
    for (const chart of out) {
      const exact = chart.series.find((s) => s.key === exactKey);
      if (!exact) continue;
      const name = `${c.quantity} (${c.source}, line ${c.line})`;
      chart.series.push({ key: exactKey, claim: { index, part: 'user' }, label: `yours: ${name}`, color: exact.color, width: 2, dash: [6, 4] });
      // Rings only for a failing claim: a holding one has nothing to mark, and no legend entry to explain.
      if (!c.ok) chart.series.push({ key: exactKey, claim: { index, part: 'mismatch' }, label: `✗ yours ≠ exact`, color: '--vscode-errorForeground', rings: true });
    }
  });
  return out;
}

/** The array a claim's series draws from a window: linear or log10|·|. */
function claimArray(c: ClaimWindow | undefined, part: 'user' | 'mismatch', log: boolean): Float64Array | null {
  if (!c) return null;
  if (part === 'user') return log ? c.log_user : c.user;
  return log ? c.log_mismatch : c.mismatch;
}

// Titles stay on one line in a 500 px wide panel (checked by the UI test).
function specs(log: boolean): Omit<ChartSpec, 'floor' | 'title'>[] {
  const g = (k: 'dL_dh' | 'dL_dh_local' | 'dL_dh_recurrent' | 'dL_ds'): SeriesKey => (log ? `log_${k}` : k);
  const wrap = (s: string): string => (log ? `|${s}|` : s);
  return [
    {
      id: 'signal',
      lead: 'Signal (forward pass)',
      detail: ': x_t, y_t, ŷ_t, h_t',
      xLabel: false,
      yLabel: 'value',
      log: false,
      series: [
        { key: 'x', label: 'x_t', color: '--vscode-charts-purple' },
        { key: 'y', label: 'y_t (target)', color: '--vscode-charts-orange', points: true },
        { key: 'yhat', label: 'ŷ_t', color: '--vscode-charts-green' },
        { key: 'h', label: 'h_t', color: '--vscode-charts-blue', width: 2 },
      ],
    },
    {
      id: 'gradient',
      lead: 'Gradient flowing back',
      detail: `: ∂L/∂h_t = local + recurrent, and ∂L/∂s_t${log ? ' · log10 |·|' : ''}`,
      xLabel: false,
      yLabel: log ? 'log10 |∂L/∂·|' : '∂L/∂·',
      log,
      series: [
        { key: g('dL_dh_local'), label: wrap('∂L/∂h_t local'), color: '--vscode-charts-green', dash: [4, 3] },
        { key: g('dL_dh_recurrent'), label: wrap('∂L/∂h_t recurrent'), color: '--vscode-charts-purple', dash: [2, 2] },
        { key: g('dL_dh'), label: wrap('∂L/∂h_t'), color: '--vscode-charts-blue' },
        { key: g('dL_ds'), label: wrap('∂L/∂s_t'), color: '--vscode-charts-red', width: 2 },
      ],
    },
    {
      id: 'params',
      lead: 'Parameter gradients',
      detail: ' summed back from t = T (reach ∂L/∂w, ∂L/∂v at t = 1)',
      xLabel: true,
      yLabel: 'Σ from T to t',
      log: false,
      series: [
        { key: 'sum_w', label: 'Σ_{τ≥t} ∂L/∂s_τ·h_{τ−1} (→ ∂L/∂w)', color: '--vscode-charts-blue', width: 2 },
        { key: 'sum_v', label: 'Σ_{τ≥t} ∂L/∂s_τ·x_τ (→ ∂L/∂v)', color: '--vscode-charts-orange', width: 2 },
      ],
    },
  ];
}

/** A built chart: its spec, its uPlot and its height in CSS px. */
export interface Chart {
  spec: ChartSpec;
  u: uPlot;
  height: number;
}

/** Plot height in CSS px for a chart (the x-axis label takes its own row). */
export function chartHeight(spec: ChartSpec, plot: number): number {
  return plot + (spec.xLabel ? X_LABEL_SIZE : 0);
}

const X_LABEL_SIZE = 22;

export function cssColor(name: string, fallback = '--vscode-foreground'): string {
  const style = getComputedStyle(document.body);
  return style.getPropertyValue(name).trim() || style.getPropertyValue(fallback).trim() || '#888';
}

/** uPlot draws gaps at null; NaN would poison its ranges. O(points), bounded by the chart width. */
function plotArray(a: Float64Array): (number | null)[] {
  const out = new Array<number | null>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] === a[i] ? a[i] : null;
  return out;
}

export function plotData(spec: ChartSpec, w: SeriesWindow): uPlot.AlignedData {
  return [
    w.t,
    ...spec.series.map((s) => {
      if (!s.claim) {
        const a = s.key === 'sigma_max' || s.key === 'log_sigma_max' ? w.vector?.[s.key] : w.values[s.key];
        return a ? plotArray(a) : new Array<number | null>(w.t.length).fill(null);
      }
      const a = claimArray(w.claims[s.claim.index], s.claim.part, s.key.startsWith('log_'));
      return a ? plotArray(a) : new Array<number | null>(w.t.length).fill(null);
    }),
  ];
}

/** What every chart draws on top of its series, kept by the caller and read at draw time. */
export interface Overlay {
  selected: number | null;
  firstNonFinite: number | null;
  bands: Band[];
}

export interface ChartCallbacks {
  overlay: () => Overlay;
  onXScale: (u: uPlot) => void;
  onDrawn: (ms: number) => void;
  legend: () => LegendSource;
}

/** Charts whose legend shows the selected step (filled by showStepInLegend), not the pointer's point. */
const legendShowsSelection = new WeakSet<uPlot>();

/** Fills `u`'s legend for step t (the nearest point; a reduced chart's legend reads the exact values), when t is in the data. */
export function showStepInLegend(u: uPlot, t: number | null): void {
  const ts = u.data[0];
  if (t === null || ts.length === 0 || t < ts[0] || t > ts[ts.length - 1]) return;
  u.setLegend({ idx: u.valToIdx(t) }, false);
  legendShowsSelection.add(u);
}

/** Band fill opacity: stronger on high-contrast themes, where 13 % of a colour on black is hard to see. */
export function bandAlpha(): number {
  return document.body.classList.contains('vscode-high-contrast') ? 0.3 : 0.13;
}

export function createChart(spec: ChartSpec, host: HTMLElement, width: number, height: number, data: uPlot.AlignedData, cb: ChartCallbacks): uPlot {
  const fg = cssColor('--vscode-foreground');
  const grid = cssColor('--vscode-editorWidget-border', '--vscode-panel-border');
  const axis = (label: string | undefined): uPlot.Axis => ({
    label,
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    labelFont: '12px sans-serif',
    font: '11px sans-serif',
  });
  const yAxis = axis(spec.yLabel);
  yAxis.size = 64;
  if (spec.log) {
    // Whole decades only; the label is the magnitude itself.
    yAxis.incrs = [1, 2, 5, 10, 20, 50, 100];
    yAxis.values = (_u, splits) => splits.map((v) => `1e${v}`);
  } else {
    // Short labels at any magnitude: 4e+6 rather than 4,000,000.
    yAxis.values = (_u, splits) => splits.map((v) => formatNumber(v, 4));
  }
  const fmt = (v: number | null): string => drawnText(v, spec.log, spec.floor);
  let drawStart = 0;
  const opts: uPlot.Options = {
    width,
    height,
    scales: { x: { time: false }, ...(spec.hline !== undefined ? { y: { range: rangeWith(spec.hline) } } : {}) },
    axes: [spec.xLabel ? { ...axis('t (step)'), labelSize: X_LABEL_SIZE } : { ...axis(undefined), labelSize: 0 }, yAxis],
    series: [
      { label: 't', value: stepText(cb.legend) },
      ...spec.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: cssColor(s.color),
          width: s.width ?? 1.25,
          dash: s.dash,
          value: valueText(s.claim ? null : s.key, fmt, cb.legend),
          ...(s.rings
            ? { paths: () => null, points: { show: true, size: 9, width: 1.5, fill: 'transparent', stroke: cssColor(s.color) } }
            : s.points
              ? { paths: () => null, points: { show: true, size: 5, fill: cssColor(s.color), stroke: cssColor(s.color) } }
              : { points: { show: false } }),
        }),
      ),
    ],
    cursor: {
      sync: { key: 'bptt-t', setSeries: false, scales: ['x', null] },
      drag: { x: true, y: false, setScale: true },
      // Double-click resets to the whole trace, which uPlot cannot know from a zoomed window.
      bind: { dblclick: () => null },
      points: { show: false },
    },
    legend: { show: true, live: true },
    hooks: {
      drawClear: [
        (u) => {
          drawStart = performance.now();
          drawBands(u, cb.overlay().bands);
        },
      ],
      draw: [
        (u) => {
          if (spec.hline !== undefined) hline(u, spec.hline, cssColor('--vscode-charts-yellow'));
          drawMarkers(u, cb.overlay());
          cb.onDrawn(performance.now() - drawStart);
        },
      ],
      setScale: [
        (u, key) => {
          if (key === 'x') cb.onXScale(u);
        },
      ],
      // uPlot refills the legend only when the pointer's point is not the one shown; a reduced
      // chart's entries for the selection read differently from the pointer's, so refill once.
      setCursor: [
        (u) => {
          if (u.cursor.idx != null && legendShowsSelection.delete(u)) u.setLegend({ idx: u.cursor.idx }, false);
        },
      ],
      // With the pointer off the charts the legends show the selected step, not dashes.
      setLegend: [
        (u) => {
          if (u.cursor.idx == null) showStepInLegend(u, cb.overlay().selected);
        },
      ],
    },
  };
  return new uPlot(opts, data, host);
}

function drawBands(u: uPlot, bands: Band[]): void {
  if (bands.length === 0) return;
  const { ctx } = u;
  const { top, height, left, width } = u.bbox;
  const colors = { vanished: cssColor('--vscode-charts-blue'), exploded: cssColor('--vscode-charts-red') };
  ctx.save();
  ctx.globalAlpha = bandAlpha();
  for (const b of bands) {
    const x0 = Math.max(left, u.valToPos(b.t0, 'x', true));
    const x1 = Math.min(left + width, u.valToPos(b.t1, 'x', true));
    if (x1 <= x0) continue;
    ctx.fillStyle = colors[b.kind];
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
  }
  ctx.restore();
}

function vline(u: uPlot, t: number, color: string, width: number, dash: number[]): void {
  const x = Math.round(u.valToPos(t, 'x', true));
  const { top, height, left, width: w } = u.bbox;
  if (x < left || x > left + w) return;
  const { ctx } = u;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = width * devicePixelRatio;
  ctx.setLineDash(dash.map((d) => d * devicePixelRatio));
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.restore();
}

/** The y range of the data, widened to show the line at `y`. */
function rangeWith(y: number): uPlot.Range.Function {
  return (_u, min, max) => uPlot.rangeNum(Math.min(min ?? y, y), Math.max(max ?? y, y), 0.1, true);
}

/** A dashed reference line across the plot at y (skipped when outside the y range). */
function hline(u: uPlot, y: number, color: string): void {
  const p = Math.round(u.valToPos(y, 'y', true));
  const { top, height, left, width } = u.bbox;
  if (p < top || p > top + height) return;
  const { ctx } = u;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(left, p);
  ctx.lineTo(left + width, p);
  ctx.stroke();
  ctx.restore();
}

function drawMarkers(u: uPlot, o: Overlay): void {
  if (o.firstNonFinite !== null) vline(u, o.firstNonFinite, cssColor('--vscode-errorForeground'), 1.5, [5, 3]);
  if (o.selected !== null) vline(u, o.selected, cssColor('--vscode-focusBorder'), 2, []);
}
