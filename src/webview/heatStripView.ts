/**
 * The heat strip under the charts: log10|∂L/∂s_t,i|, one row per hidden unit, on the charts' t
 * axis (it follows their zoom). Colours run from the theme's blue (smallest in view) to its red
 * (largest); an exact 0 is left blank, ±∞ and NaN take the theme's warning and error colours.
 */
import type uPlot from 'uplot';
import type { HeatStrip } from '../shared/heatStrip';
import { cssColor } from './charts';
import { el } from './dom';

/** Height of one unit's row in CSS px: 16 units make 96 px, 256 units 256 px. */
function rowHeight(n: number): number {
  return Math.max(1, Math.min(6, Math.floor(256 / Math.max(1, n))));
}

type Rgb = [number, number, number];

/** A CSS colour as RGB, through a 1×1 canvas (which accepts every form the theme uses). */
function rgb(color: string): Rgb {
  const c = document.createElement('canvas').getContext('2d');
  if (!c) return [128, 128, 128];
  c.fillStyle = color;
  c.fillRect(0, 0, 1, 1);
  const d = c.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2]];
}

export class HeatStripView {
  private readonly canvas = el('canvas', { class: 'heat-canvas', role: 'img' });
  private readonly caption = el('p', { class: 'heat-caption' });
  readonly root = el('div', { class: 'heat-strip', role: 'group', 'aria-label': 'Heat strip of log10 |∂L/∂s_t,i| per unit' }, el('h3', { class: 'chart-title' }, el('strong', {}, 'Per unit'), ': log10 |∂L/∂s_t,i|, one row per hidden unit i'), this.canvas, this.caption);

  /** Draws `strip` on the t axis of `u` (any of the charts: they share it), `width` CSS px wide. */
  draw(u: uPlot | undefined, strip: HeatStrip | undefined, width: number): void {
    if (!u || !strip) {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    const dpr = devicePixelRatio;
    const rowPx = rowHeight(strip.n);
    const height = strip.n * rowPx;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const lo = rgb(cssColor('--vscode-charts-blue'));
    const hi = rgb(cssColor('--vscode-charts-red'));
    const inf = cssColor('--vscode-charts-yellow');
    const nan = cssColor('--vscode-errorForeground');
    const span = strip.max - strip.min;
    const { left, width: plotWidth } = u.bbox;
    const rowH = rowPx * dpr;
    for (let col = 0; col < strip.cols; col++) {
      // Each column spans its steps, half a step either side, clipped to the plot.
      // Whole device pixels, so neighbouring columns meet without an anti-aliased seam.
      const x0 = Math.max(left, Math.floor(u.valToPos(strip.t0[col] - 0.5, 'x', true)));
      const x1 = Math.min(left + plotWidth, Math.ceil(u.valToPos(strip.t1[col] + 0.5, 'x', true)));
      if (x1 <= x0) continue;
      for (let i = 0; i < strip.n; i++) {
        const v = strip.values[i * strip.cols + col];
        if (v <= strip.floor) continue;
        if (v !== v) ctx.fillStyle = nan;
        else if (v === Infinity) ctx.fillStyle = inf;
        else {
          const f = span > 0 ? (v - strip.min) / span : 1;
          ctx.fillStyle = `rgb(${lo.map((a, j) => Math.round(a + f * (hi[j] - a))).join(',')})`;
        }
        ctx.fillRect(x0, Math.round(i * rowH), x1 - x0, Math.round((i + 1) * rowH) - Math.round(i * rowH));
      }
    }
    const range = Number.isFinite(strip.min) ? `blue 1e${strip.min.toFixed(1)} … red 1e${strip.max.toFixed(1)} in view` : 'every ∂L/∂s_t,i in view is 0';
    const text = `${strip.n} units (unit 1 at the top); ${range}; blank: exactly 0; yellow ±∞, error colour NaN.`;
    this.caption.textContent = text;
    this.canvas.setAttribute('aria-label', `Heat strip: ${text}`);
  }
}
