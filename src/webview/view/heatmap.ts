/**
 * The connectivity map |∂ℓ_τ/∂s_t| around the selected step: columns t, rows τ, log colour from
 * the editor background to the theme's blue, with a legend. Clicking a cell selects step t (and
 * reveals it in the editor) and marks row τ.
 */
import { cssColor } from '../charts';
import { decadeTicks, heatColor, parseColor, type Rgb } from '../../shared/flowSeries';
import type { FlowConnectivity } from '../../shared/protocol';
import { el } from '../dom';

const SIZE = 320;

export class HeatMap {
  private readonly canvas = el('canvas', { class: 'heatmap', width: String(SIZE), height: String(SIZE), role: 'img' });
  private readonly legend = el('div', { class: 'heat-legend' });
  private readonly caption = el('p', { class: 'note' });
  readonly root = el('div', { class: 'heat' }, el('h4', {}, 'Connectivity |∂ℓ_τ/∂s_t|: how much loss τ (row) reaches step t (column)'), this.caption, this.legend);
  private shown: FlowConnectivity | null = null;

  constructor(private readonly onPick: (t: number, tau: number) => void) {
    this.canvas.addEventListener('click', (e) => {
      const c = this.shown;
      if (!c || c.cols === 0) return;
      const r = this.canvas.getBoundingClientRect();
      const col = Math.min(c.cols - 1, Math.floor(((e.clientX - r.left) / r.width) * c.cols));
      const row = Math.min(c.rows - 1, Math.floor(((e.clientY - r.top) / r.height) * c.rows));
      this.onPick(c.tFrom + col, c.tauFrom + row);
    });
  }

  /** Takes the canvas out of the page (the panel is closed). */
  clear(): void {
    this.canvas.remove();
    this.shown = null;
  }

  draw(c: FlowConnectivity, t: number, tau: number | null, fmt: (n: number) => string): void {
    this.shown = c;
    if (!this.canvas.isConnected) this.caption.after(this.canvas);
    const ctx = this.canvas.getContext('2d');
    if (!ctx || c.cols === 0 || c.rows === 0) return;
    const low = parseColor(cssColor('--vscode-editor-background')) ?? [30, 30, 30];
    const high = parseColor(cssColor('--vscode-charts-blue')) ?? [55, 148, 255];
    const bad = parseColor(cssColor('--vscode-charts-red')) ?? [240, 80, 80];
    const img = ctx.createImageData(c.cols, c.rows);
    for (let i = 0; i < c.values.length; i++) {
      const [r, g, b] = heatColor(c.values[i], c.minPositive, c.max, low as Rgb, high as Rgb, bad as Rgb);
      img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
    }
    // Drawn at the window's resolution, then scaled to the canvas without smoothing: one cell, one block.
    const off = document.createElement('canvas');
    off.width = c.cols; off.height = c.rows;
    off.getContext('2d')?.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.drawImage(off, 0, 0, SIZE, SIZE);
    // The selection: column t, and row τ when a cell was picked (else row t).
    ctx.strokeStyle = cssColor('--vscode-charts-orange');
    const x = ((t - c.tFrom + 0.5) / c.cols) * SIZE, y = (((tau ?? t) - c.tauFrom + 0.5) / c.rows) * SIZE;
    ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, SIZE); ctx.moveTo(0, y); ctx.lineTo(SIZE, y); ctx.stroke();
    const tTo = c.tFrom + c.cols - 1, tauTo = c.tauFrom + c.rows - 1;
    this.canvas.setAttribute('aria-label', `Connectivity map for t = ${c.tFrom}…${tTo}, τ = ${c.tauFrom}…${tauTo}`);
    // Only the steps with a target have a loss term ℓ_τ: the other rows stay at the background colour.
    const lossRows: number[] = [];
    for (let row = 0; row < c.rows; row++) {
      for (let col = 0; col < c.cols; col++) if (c.values[row * c.cols + col] !== 0) { lossRows.push(c.tauFrom + row); break; }
    }
    // A few loss rows are named: a map that is mostly blank then says where to look.
    const which = lossRows.length > 0 && lossRows.length <= 6 ? ` (τ = ${lossRows.join(', ')})` : '';
    this.caption.textContent = `Columns t = ${c.tFrom}…${tTo} (left to right), rows τ = ${c.tauFrom}…${tauTo} (top to bottom); each loss ℓ_τ reaches only t ≤ τ, below the diagonal. ` +
      `${lossRows.length} of ${c.rows} rows have a loss term${which} (a target y_τ); the others stay blank. The orange cross marks the selected step. Click a cell to select both steps.`;
    this.drawLegend(c, low as Rgb, high as Rgb, bad as Rgb, fmt);
  }

  private drawLegend(c: FlowConnectivity, low: Rgb, high: Rgb, bad: Rgb, fmt: (n: number) => string): void {
    const ticks = decadeTicks(c.minPositive, c.max, 5);
    const stops = [c.minPositive, ...ticks, c.max].filter((v) => v > 0);
    const items = stops.map((v) => {
      const [r, g, b] = heatColor(v, c.minPositive, c.max, low, high, bad);
      return el('span', { class: 'key-item' }, colourSwatch(r, g, b), fmt(v));
    });
    const [r, g, b] = low;
    this.legend.replaceChildren(
      el('span', { class: 'key-item' }, colourSwatch(r, g, b), '0 (not reached)'),
      ...items,
    );
  }
}

/** A legend swatch; its colour set through the CSSOM (the page's CSP allows no inline style attribute). */
function colourSwatch(r: number, g: number, b: number): HTMLElement {
  const s = el('span', { class: 'heat-swatch', 'aria-hidden': 'true' });
  s.style.background = `rgb(${r}, ${g}, ${b})`;
  return s;
}
