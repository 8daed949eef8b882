/**
 * The three charts on one t axis, which together are a slider over the selected step: built on the
 * shown series, the selection (click, keys, the editor's cursor), the key to the shading, resizing.
 */
import type uPlot from 'uplot';
import type { ExportFormat, HostToWebviewMessage } from '../../shared/protocol';
import { chartHeight, chartSpecs, createChart, plotData, showStepInLegend, type Chart, type Overlay } from '../charts';
import { el, swatch } from '../dom';
import type { LegendSource } from '../legendText';
import { selectedValue } from '../../shared/legend';
import { HeatStripView } from '../heatStripView';
import { bindKeys } from '../keys';
import type { Panel } from '../panel';
import { recordDraw } from '../perf';
import { chartsPng } from '../png';
import { post, type TimelineState } from '../state';
import { Zoom } from '../zoom';
import type { ToolbarActions } from './toolbar';

/** Height of each chart's plot and t-axis ticks, CSS px (the bottom chart adds its axis label). */
const PLOT_HEIGHT = 168;
const RESIZE_DEBOUNCE_MS = 200;
const HINTS =
  'Click a step to show it in the editor and below. Charts focused: ←/→ Home/End select, Enter shows in the editor, ' +
  '+/− zoom, 0 resets, L log scale. Drag or wheel to zoom, Shift+wheel pans, double-click resets.';

export class ChartsPanel implements Panel, ToolbarActions {
  private readonly box = el('div', {
    class: 'charts',
    tabindex: '0',
    role: 'slider',
    'aria-label': 'Selected step',
    'aria-describedby': 'timeline-hints',
    'aria-valuemin': '1',
  });
  /** What the shading and the vertical lines mean; shown under the gradient chart's title. */
  private readonly key = el('p', { class: 'key', 'aria-label': 'Chart key' });
  readonly elements = [this.box, el('p', { class: 'note', id: 'timeline-hints' }, HINTS)];
  private charts: Chart[] = [];
  /** A vector model's per-unit strip, under the charts. */
  private readonly heat = new HeatStripView();
  private readonly zoom: Zoom;
  private lastWidth: number;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;

  /** `app`: the page, whose width the charts take; `onView`: the range or the scale changed. */
  constructor(
    private readonly state: TimelineState,
    private readonly app: HTMLElement,
    private readonly onView: () => void,
  ) {
    this.zoom = new Zoom(state, {
      charts: () => this.charts,
      width: () => this.width(),
      onData: () => {
        this.showSelectionInLegends();
        this.drawHeat();
      },
      onRange: onView,
    });
    bindKeys(
      this.box,
      {
        selected: () => state.persisted.t ?? 1,
        T: () => state.summary?.T ?? 1,
        range: () => this.zoom.range() ?? [1, state.summary?.T ?? 1],
        selectStep: (t, reveal) => this.selectStep(t, reveal),
        zoomBy: (factor, center) => this.zoom.by(factor, center),
        resetZoom: () => this.resetZoom(),
        toggleLog: () => this.toggleLog(),
      },
      () => state.summary !== null,
    );
    this.lastWidth = this.width();
    new ResizeObserver(() => this.resized()).observe(app);
  }

  width(): number {
    return Math.max(200, Math.floor(this.app.clientWidth));
  }

  render(state: TimelineState): void {
    const s = state.summary;
    if (!s) return;
    this.box.setAttribute('aria-valuemax', String(s.T));
    const { vanishing, exploding } = state.thresholds;
    this.key.replaceChildren(
      el('span', { class: 'key-item' }, swatch('vanished'), `shaded blue: |∂L/∂s_t| < ${state.sci(vanishing)} — vanishing`),
      el('span', { class: 'key-item' }, swatch('exploded'), `shaded red: > ${state.sci(exploding)} — exploding`),
      el('span', { class: 'key-item' }, swatch('selected'), 'selected step'),
      ...(s.firstNonFinite !== null ? [el('span', { class: 'key-item' }, swatch('nonfinite'), 'first non-finite step')] : []),
    );
    // build() keeps the charts' previous range, and so rewrites the persisted zoom: read it first.
    const zoom = state.persisted.zoom ?? [1, s.T];
    this.zoom.forgetRequests();
    this.build();
    this.zoom.set(zoom[0], zoom[1]);
  }

  onMessage(m: HostToWebviewMessage, state: TimelineState): void {
    switch (m.type) {
      case 'didComputeTrace': {
        const t = state.persisted.t;
        if (t === null) return;
        if (m.select !== null) this.zoom.keepInView(t);
        this.setAriaValue(t);
        this.showSelectionInLegends();
        post({ type: 'selectStep', t, reveal: false });
        return;
      }
      case 'didSelectStep':
        if (m.fromEditor) this.zoom.keepInView(m.values.t);
        this.redraw();
        this.setAriaValue(m.values.t, m.values.dL_ds);
        return;
      case 'didSelectVectorStep':
        if (m.fromEditor) this.zoom.keepInView(m.step.t);
        this.redraw();
        this.setAriaValue(m.step.t);
        return;
      case 'didLoadWindow':
        this.zoom.takeWindow(m);
        return;
      case 'didFailParse':
      case 'didClearTrace':
        this.destroy();
        return;
    }
  }

  /** With the theme's colours, which the charts read when built. */
  repaint(): void {
    if (this.state.shown) this.build();
  }

  toggleLog(): void {
    this.state.persisted.log = !this.state.isLog();
    this.state.save();
    this.build();
  }

  resetZoom(): void {
    this.zoom.reset();
  }

  exportPng(): void {
    const dataUrl = chartsPng(this.charts);
    if (dataUrl) post({ type: 'savePng', dataUrl });
  }

  exportTrace(format: ExportFormat): void {
    post({ type: 'exportTrace', format });
  }

  /** (Re)builds the three charts on the shown series, keeping the x range. */
  private build(): void {
    const range = this.zoom.range();
    this.destroy();
    const { shown, summary } = this.state;
    if (!shown) return;
    const width = this.width();
    const overlay = (): Overlay => ({ selected: this.state.persisted.t, firstNonFinite: summary?.firstNonFinite ?? null, bands: this.state.bands });
    for (const spec of chartSpecs(this.state.isLog(), summary?.logFloor ?? -Infinity, summary?.checks ?? null, summary?.vector !== undefined)) {
      const box = el('div', { class: `chart chart-${spec.id}`, role: 'group', 'aria-label': spec.title });
      box.append(el('h3', { class: 'chart-title' }, el('strong', {}, spec.lead), spec.detail));
      if (spec.id === 'gradient') box.append(this.key);
      this.box.append(box);
      const height = chartHeight(spec, PLOT_HEIGHT);
      const onXScale = (u: uPlot): void => {
        this.zoom.onXScale(u);
        this.drawHeat();
      };
      const u = createChart(spec, box, width, height, plotData(spec, shown), { overlay, onXScale, onDrawn: recordDraw, legend: () => this.legendSource() });
      this.bindPointer(u);
      this.charts.push({ spec, u, height });
    }
    // A vector model's per-unit strip; a scalar page stays as it was.
    if (summary?.vector) this.box.append(this.heat.root);
    if (range) this.zoom.set(range[0], range[1]);
    this.showSelectionInLegends();
    this.drawHeat();
    this.onView();
  }

  /** Whether the shown window is reduced, and the selected step's exact values (from the host's step message). */
  private legendSource(): LegendSource {
    const { shown, summary, persisted, step, vectorStep } = this.state;
    const selected = persisted.t;
    const floor = summary?.logFloor ?? -Infinity;
    return {
      reduced: shown !== null && !shown.full,
      selected,
      exact: (key) => (selected === null ? undefined : selectedValue({ step: step?.values ?? null, vectorStep: vectorStep?.step ?? null }, selected, key, floor)),
    };
  }

  /** The heat strip of the shown window on the charts' current t axis (hidden for a scalar model). */
  private drawHeat(): void {
    this.heat.draw(this.charts[0]?.u, this.state.shown?.vector?.heat, this.width());
  }

  private destroy(): void {
    for (const c of this.charts) c.u.destroy();
    this.charts = [];
    this.box.replaceChildren();
  }

  /** Selects step t (clamped to 1..T), brings it into view and tells the host, which reveals its row when asked. */
  selectStep(t: number, reveal: boolean): void {
    const T = this.state.summary?.T;
    if (!T) return;
    const clamped = Math.min(T, Math.max(1, Math.round(t)));
    this.state.persisted.t = clamped;
    this.state.save();
    const step = this.state.step;
    this.setAriaValue(clamped, step?.values.t === clamped ? step.values.dL_ds : undefined);
    this.zoom.keepInView(clamped);
    this.redraw();
    post({ type: 'selectStep', t: clamped, reveal });
  }

  /** The slider's value for assistive technology: "t = 25 of 60, ∂L/∂s_t = 4.84e-20". */
  private setAriaValue(t: number, dL_ds?: number): void {
    this.box.setAttribute('aria-valuenow', String(t));
    const T = this.state.summary?.T;
    this.box.setAttribute('aria-valuetext', `t = ${t}${T ? ` of ${T}` : ''}${dL_ds === undefined ? '' : `, ∂L/∂s_t = ${this.state.sci(dL_ds)}`}`);
  }

  private redraw(): void {
    for (const c of this.charts) c.u.redraw(false, false);
    this.showSelectionInLegends();
  }

  /** Legends show the selected step's values whenever the pointer is not over a chart. */
  private showSelectionInLegends(): void {
    for (const c of this.charts) if (c.u.cursor.idx == null) showStepInLegend(c.u, this.state.persisted.t);
  }

  /** Click selects and reveals; a drag (zoom selection) does not. Wheel zooms, Shift+wheel pans. */
  private bindPointer(u: uPlot): void {
    let downX = 0;
    u.over.addEventListener('mousedown', (e) => {
      downX = e.clientX;
    });
    u.over.addEventListener('click', (e) => {
      if (Math.abs(e.clientX - downX) > 3) return;
      this.box.focus();
      this.selectStep(u.posToVal(e.offsetX, 'x'), true);
    });
    u.over.addEventListener('dblclick', () => this.resetZoom());
    u.over.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
        const delta = horizontal ? e.deltaX || e.deltaY : e.deltaY;
        if (horizontal) this.zoom.pan(Math.sign(delta) * 0.1);
        else this.zoom.by(delta > 0 ? 1.25 : 0.8, u.posToVal(e.offsetX, 'x'));
      },
      { passive: false },
    );
  }

  /** Charts take the new width at once; the host reduces the series to it once the resize settles. */
  private resized(): void {
    const width = this.width();
    if (width === this.lastWidth) return;
    this.lastWidth = width;
    for (const c of this.charts) c.u.setSize({ width, height: c.height });
    this.drawHeat();
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => post({ type: 'didResize', width }), RESIZE_DEBOUNCE_MS);
  }
}
