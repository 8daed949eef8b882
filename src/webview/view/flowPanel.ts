/**
 * "Where the gradient goes" (issue 10), below the step table: why ∂L/∂s_t shrinks (the factor
 * log10|w·φ'(s_t)| with the line |factor| = 1, truncation cut points and the selected loss's
 * horizon as a bracket), how far back each loss reaches, the gradient by lag, the connectivity
 * map, and with truncate=k / horizon=k each truncated gradient beside the full one and its bias.
 */
import uPlot from 'uplot';
import { cutPoints, factorEquation, lagRows, shareSentence } from '../../shared/flowSeries';
import type { FlowStep, FlowView, HostToWebviewMessage } from '../../shared/protocol';
import { cssColor } from '../charts';
import { el } from '../dom';
import type { Panel } from '../panel';
import { post, type TimelineState } from '../state';
import { relBias } from '../../shared/flowSeries';
import { HeatMap } from './heatmap';

const PARAMS = ['w', 'v', 'b', 'h0'] as const;
const COLORS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple'];

export class FlowPanel implements Panel {
  private readonly head = el('div', { class: 'flow-summary' });
  private readonly productsLine = el('p', { class: 'flow-products-line' });
  private readonly factorBox = el('div', { class: 'chart' });
  private readonly stepBox = el('div', { class: 'flow-step' });
  private readonly lagBox = el('div', { class: 'chart flow-lag' });
  private readonly sweepBox = el('div', { class: 'chart flow-sweep' });
  private readonly heat = new HeatMap((t, tau) => this.pick(t, tau));
  /** The charts and the map are built only while open: closed, the page holds no canvas of ours. */
  private readonly more = el('details', { class: 'flow-more' },
    el('summary', {}, 'Show the charts: the factor per step, products back from the selected step, the connectivity map, the gradient by lag, the bias against k'),
    this.factorBox, this.stepBox, this.heat.root, this.lagBox, this.sweepBox);
  private readonly root = el('section', { class: 'flow', 'aria-label': 'Where the gradient goes' },
    el('h2', {}, 'Where the gradient goes'), this.head, this.more);
  readonly elements = [this.root];
  private flow: FlowView | null = null;
  private step: FlowStep | null = null;
  private tau: number | null = null;
  private charts: uPlot[] = [];
  private drawnWidth = 0;
  /** Charts wanted while the section had no width: the resize observer draws them. */
  private pending = false;

  constructor(private readonly state: TimelineState) {
    this.more.addEventListener('toggle', () => this.render(this.state));
    // Charts are drawn at the section's own width: put off while it has none (a hidden panel, a
    // section not laid out yet), and redrawn when it changes.
    new ResizeObserver(() => {
      const width = this.chartWidth();
      if (this.more.open && this.flow && width > 0 && (this.pending || Math.abs(width - this.drawnWidth) > 8)) {
        this.drawCharts();
        this.drawStep();
      }
    }).observe(this.root);
  }

  /** The width the charts get, or 0 while the section has no layout. */
  private chartWidth(): number {
    const w = this.root.clientWidth;
    return w > 0 ? Math.max(200, Math.floor(w) - 8) : 0;
  }

  render(state: TimelineState): void {
    // A vector model's "why it vanishes" is in its charts and summary (σ_max, ‖W‖₂, Pascanu's bound).
    this.root.hidden = state.summary?.vector !== undefined;
    if (this.root.hidden) return;
    if (!this.flow || state.summary?.uri === undefined) {
      this.head.replaceChildren(el('p', { class: 'hint' }, 'Computing factors, horizons and the gradient by lag…'));
      return;
    }
    this.drawSummary();
    if (!this.more.open) {
      for (const u of this.charts) u.destroy();
      this.charts = [];
      this.heat.clear();
      return;
    }
    this.drawCharts();
    this.drawStep();
  }

  onMessage(m: HostToWebviewMessage, state: TimelineState): void {
    if (m.type === 'didComputeFlow' && m.uri === state.summary?.uri) {
      this.flow = m.flow;
      this.render(state);
    } else if (m.type === 'didProgressFlow' && !this.flow) {
      this.head.replaceChildren(el('p', { class: 'hint' }, `Gradient by lag: ${Math.round(100 * m.fraction)} %…`));
    } else if (m.type === 'didSelectFlowStep') {
      if (this.step?.t !== m.step.t) this.tau = null;
      this.step = m.step;
      this.drawProductsLine();
      if (!this.more.open) return;
      this.drawStep();
      for (const u of this.charts) u.redraw(false, false);
    } else if (m.type === 'didComputeTrace' && this.flow && (this.flow.T !== m.summary.T)) {
      this.flow = null;
      this.step = null;
    }
  }

  private pick(t: number, tau: number): void {
    this.tau = tau;
    post({ type: 'selectStep', t, reveal: true });
  }

  private drawSummary(): void {
    const f = this.flow as FlowView;
    const fmt = (n: number): string => this.state.fmt(n);
    const lines = [
      el('p', {}, `Why it shrinks: ${f.attribution}.`),
      el('p', {}, `How far back each loss reaches (|∂ℓ_τ/∂s_t| / |∂ℓ_τ/∂s_τ| ≥ ${f.ratio}): median ${f.horizonMedian} steps, max ${f.horizonMax}` +
        (f.horizonMaxAt ? ` (ℓ at t = ${f.horizonMaxAt})` : '') + ` over ${f.nTargets} loss terms.`),
      el('p', {}, `Gradient by lag: ${PARAMS.map((p) => shareSentence(p, f.lag.lagAt[p], f.lag.K)).join('; ')}.`),
    ];
    if (f.smallest.length) lines.push(el('p', { class: 'note' }, `Smallest |factor|: ${f.smallest.map((s) => `t = ${s.t} (${fmt(s.factor)}, φ' = ${fmt(s.phiPrime)})`).join(', ')}.`));
    const tr = f.truncation;
    if (tr) {
      const rows = (['w', 'v', 'b', 'u', 'c', 'h0'] as const).map((p) => {
        const c = tr.compare[p];
        const rel = relBias(c.relBias);
        return el('tr', {}, el('th', { scope: 'row' }, `∂L/∂${p}`), el('td', {}, fmt(c.truncated)), el('td', {}, fmt(c.full)), el('td', { class: c.relBias !== 0 ? 'bias' : '' }, rel));
      });
      const what = tr.kind === 'truncate' ? `truncate=${tr.k}: the state is detached after t = ${cutList(f.T, tr.k)} (cut points: red dotted lines on the factor chart)` : `horizon=${tr.k}: each loss backpropagates through ${tr.k} step${tr.k === 1 ? '' : 's'} only`;
      lines.push(el('p', { class: 'flow-truncation-what' }, what), el('table', { class: 'flow-truncation', 'aria-label': 'Truncated gradient beside the full one' },
        el('thead', {}, el('tr', {}, ...['', 'truncated', 'full', 'relative bias'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...rows)));
    }
    this.head.replaceChildren(...lines, this.productsLine);
    this.drawProductsLine();
  }

  /** The running product back from the selected step, in one always-visible line (the table is under the charts). */
  private drawProductsLine(): void {
    const s = this.step;
    if (!s || !this.flow) {
      this.productsLine.replaceChildren();
      return;
    }
    const shown = s.products.filter((p) => p.d === 1 || p.d === 10 || p.to === 1);
    const parts = shown.map((p) => `∂s_${s.t}/∂s_${p.to} = ${this.state.fmt(p.product)} (${p.d} step${p.d === 1 ? '' : 's'} back)`);
    this.productsLine.replaceChildren(parts.length === 0
      ? `Running product back from the selected step t = ${s.t}: nothing before it.`
      : `Running product back from the selected step t = ${s.t}: ${parts.join('; ')}. More lags: the table under “Show the charts”.`);
  }

  private drawCharts(): void {
    for (const u of this.charts) u.destroy();
    this.charts = [];
    const f = this.flow as FlowView;
    const width = this.chartWidth();
    this.pending = width === 0;
    if (this.pending) return;
    this.drawnWidth = width;
    const fg = cssColor('--vscode-foreground');
    const grid = { stroke: cssColor('--vscode-editorWidget-border', '--vscode-foreground') + '40', width: 1 };
    const axes = (y: string): uPlot.Axis[] => [{ stroke: fg, grid }, { stroke: fg, grid, label: y, size: 60 }];
    // The factor, min and max per bucket, with |factor| = 1, the cut points and the selected loss's horizon.
    const fl = f.factorLog;
    const cuts = f.truncation?.kind === 'truncate' ? cutPoints(f.T, f.truncation.k) : [];
    this.factorBox.replaceChildren(el('h3', { class: 'chart-title' }, el('strong', {}, "log10|w·φ'(s_t)|"),
      ' — the factor ∂s_{t+1}/∂s_t; below the dashed line |factor| = 1 the gradient shrinks going back; orange bracket: how far back the selected step’s loss reaches' +
      (cuts.length ? `; red dotted lines: the truncate=${f.truncation?.k} cut points` : '')));
    const overlay = (u: uPlot): void => {
      const ctx = u.ctx;
      const { left, top, width: w, height: h } = u.bbox;
      ctx.save();
      ctx.lineWidth = devicePixelRatio;
      ctx.strokeStyle = fg;
      ctx.setLineDash([6, 4]);
      const y1 = u.valToPos(0, 'y', true);
      ctx.beginPath(); ctx.moveTo(left, y1); ctx.lineTo(left + w, y1); ctx.stroke();
      ctx.strokeStyle = cssColor('--vscode-charts-red');
      ctx.setLineDash([2, 3]);
      for (const c of cuts) {
        const x = u.valToPos(c + 0.5, 'x', true);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
      }
      const s = this.step;
      if (s && s.horizon !== null) {
        // The bracket: from s_τ back to s_{τ−horizon}, the steps loss τ reaches.
        const x0 = u.valToPos(s.t - s.horizon, 'x', true), x1 = u.valToPos(s.t, 'x', true), yb = top + 8 * devicePixelRatio;
        ctx.setLineDash([]);
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.strokeStyle = cssColor('--vscode-charts-orange');
        ctx.beginPath(); ctx.moveTo(x0, yb + 6 * devicePixelRatio); ctx.lineTo(x0, yb); ctx.lineTo(x1, yb); ctx.lineTo(x1, yb + 6 * devicePixelRatio); ctx.stroke();
      }
      ctx.restore();
    };
    this.charts.push(new uPlot({
      width, height: 180, legend: { show: false }, cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: { range: (_u, lo, hi) => [Math.min(lo, -1), Math.max(hi, 0.5)] } },
      axes: axes('log10|factor|'),
      series: [{}, { stroke: cssColor('--vscode-charts-blue'), width: 1 }, { stroke: cssColor('--vscode-charts-blue'), width: 1 }],
      hooks: { draw: [overlay] },
    }, [Array.from(fl.t), nulls(fl.min), nulls(fl.max)], this.factorBox));
    this.drawLag(width, fg, axes);
    this.drawSweep(width, axes);
  }

  private drawLag(width: number, fg: string, axes: (y: string) => uPlot.Axis[]): void {
    const f = this.flow as FlowView;
    const n = f.lag.G.w.length;
    const d = Array.from({ length: n }, (_, i) => i);
    // log10|G(d)| on a linear axis labelled in powers of ten: uPlot's own log axis has no tick
    // spacing below 1e-16 and drew nothing (a 0 × 0 plot) for a vanishing run, whose |G| reach 1e-35
    // at d = 59 and 1e-300 in longer ones. 0 and non-finite G have no point.
    const log = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (v !== 0 && Number.isFinite(v) ? Math.log10(Math.abs(v)) : null));
    const series = PARAMS.map((p) => log(f.lag.G[p]));
    let lo = Infinity, hi = -Infinity;
    for (const s of series) for (const v of s) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const yLo = Number.isFinite(lo) ? Math.floor(lo) : -1, yHi = Number.isFinite(hi) ? Math.max(Math.ceil(hi), yLo + 1) : 0;
    const pow10 = (e: number): string => this.state.sci(10 ** e);
    this.lagBox.replaceChildren(el('h3', { class: 'chart-title' }, el('strong', {}, '|G(d)| by lag d'), ` — how much of each parameter gradient comes from losses d steps later (Σ_d G(d) = ∂L/∂p), on a log scale${f.lag.allLags ? '' : `; lags > ${f.lag.K} in the table`}`));
    if (n > 1) {
      this.charts.push(new uPlot({
        width, height: 180, legend: { show: true }, cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false }, y: { range: (): uPlot.Range.MinMax => [yLo, yHi] } },
        // Ticks at whole exponents only, labelled "1e-20", not "-20".
        axes: [{ stroke: fg, label: 'lag d' }, { ...axes('|G(d)|')[1], values: (_u, splits) => splits.map((e) => (Number.isInteger(e) ? pow10(e) : '')) }],
        series: [{ label: 'd' }, ...PARAMS.map((p, i) => ({
          label: `|G_${p}|`, stroke: cssColor(COLORS[i]), width: 1.5, value: (_u: uPlot, e: number | null) => (e === null ? '--' : pow10(e)),
        }))],
      }, [d, ...series], this.lagBox));
    }
    const rows = PARAMS.map((p) => lagRows(f.lag.G[p], f.lag.beyondK[p], f.lag.allLags, 8));
    const head = el('tr', {}, el('th', { scope: 'col' }, 'lag d'), ...PARAMS.map((p) => el('th', { scope: 'col' }, `G_${p}(d)`)));
    const body = rows[0].map((r, i) => el('tr', {}, el('th', { scope: 'row' }, r.lag), ...rows.map((rs) => el('td', {}, `${this.state.fmt(rs[i].value)} (${(100 * rs[i].share).toFixed(0)}\u00a0%)`))));
    const total = el('tr', {}, el('th', { scope: 'row' }, 'Σ_d = ∂L/∂·'), ...PARAMS.map((p) => el('td', {}, this.state.fmt(f.lag.total[p]))));
    this.lagBox.append(el('table', { class: 'flow-lag-table', 'aria-label': 'Gradient by lag' },
      el('caption', {}, 'Signed G(d), with the cumulative share of |G| up to lag d in brackets'), el('thead', {}, head), el('tbody', {}, ...body, total)));
  }

  private drawSweep(width: number, axes: (y: string) => uPlot.Axis[]): void {
    const tr = this.flow?.truncation;
    if (!tr) {
      this.sweepBox.replaceChildren();
      return;
    }
    const full = tr.compare;
    const k = Array.from({ length: tr.sweep.K }, (_, i) => i + 1);
    const rel = (p: (typeof PARAMS)[number]): (number | null)[] => Array.from(tr.sweep.bias[p].subarray(0, tr.sweep.K), (b) => (full[p].full !== 0 ? (100 * b) / full[p].full : null));
    this.sweepBox.replaceChildren(el('h3', { class: 'chart-title' }, el('strong', {}, `Bias of the ${tr.kind}=k gradient against k`), ' — (truncated − full) / |full|, in %; 0 once k covers every lag'));
    this.charts.push(new uPlot({
      width, height: 180, legend: { show: true }, scales: { x: { time: false } },
      axes: [{ stroke: cssColor('--vscode-foreground'), label: 'k' }, axes('relative bias, %')[1]],
      series: [{ label: 'k' }, ...PARAMS.map((p, i) => ({ label: `∂L/∂${p}`, stroke: cssColor(COLORS[i]), width: 1.5 }))],
    }, [k, ...PARAMS.map(rel)], this.sweepBox));
  }

  private drawStep(): void {
    const s = this.step;
    if (!s || !this.flow) {
      this.stepBox.replaceChildren();
      return;
    }
    const fmt = (n: number): string => this.state.fmt(n);
    const w = this.state.step?.model.w ?? s.factor / s.phiPrime;
    const rows = s.products.map((p) => el('tr', {}, el('td', {}, String(p.to)), el('td', {}, String(p.d)), el('td', {}, fmt(p.product))));
    this.stepBox.replaceChildren(
      el('h3', {}, `Step t = ${s.t}: the factor and its running product back`),
      el('p', { class: 'eq' }, factorEquation(w, s.phiPrime, this.state.precision)),
      el('p', {}, s.horizon === null ? `t = ${s.t} has no target: no loss term ℓ_${s.t}.` : `ℓ_${s.t} reaches ${s.horizon} steps back (to t = ${s.t - s.horizon}), drawn as the bracket above.`),
      el('table', { class: 'flow-products', 'aria-label': 'Running product of the factors back from the selected step' },
        el('caption', {}, `Running product of the factors from t = ${s.t} back to an earlier step t − d: ∂s_${s.t}/∂s_{${s.t}−d} = Π_{j=${s.t}−d}^{${s.t - 1}} w·φ'(s_j), ` +
          `the share of a gradient at s_${s.t} that reaches s_{${s.t}−d}. Select another step (click the timeline or the map) to start from there.`),
        el('thead', {}, el('tr', {}, ...['back to step', 'lag d', `∂s_${s.t}/∂s_{${s.t}−d}`].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...rows)),
    );
    this.heat.draw(s.connectivity, s.t, this.tau, (n) => this.state.sci(n));
  }
}

/** "5, 10, 15, …, 395": the first cut points and the last. */
function cutList(T: number, k: number): string {
  const c = cutPoints(T, k);
  if (c.length === 0) return `none (T = ${T} ≤ ${k})`;
  return c.length <= 4 ? c.join(', ') : `${c.slice(0, 3).join(', ')}, …, ${c[c.length - 1]}`;
}

function nulls(a: Float64Array): (number | null)[] {
  return Array.from(a, (v) => (v === v ? v : null));
}
