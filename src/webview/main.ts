/**
 * The timeline webview: summary bar, three charts on one t axis, the selected-step table.
 * The host sends reduced series (≈ 2 points per pixel); zooming asks for the visible window at
 * full resolution. Zoom, selection and the log toggle persist through getState/setState.
 */
import type uPlot from 'uplot';
import { formatNumber } from '../shared/format';
import type {
  DidComputeTraceMessage,
  DidFailParseMessage,
  DidSelectStepMessage,
  ExportFormat,
  HostToWebviewMessage,
  SeriesWindow,
  TraceSummary,
  WebviewToHostMessage,
} from '../shared/protocol';
import { bandCaptions, bandRuns, gradientBands, prefersLog, type Band, type BandKind } from '../shared/series';
import { chartHeight, chartSpecs, createChart, cssColor, plotData, showStepInLegend, type ChartSpec, type Overlay } from './charts';

interface VsCodeApi {
  postMessage(msg: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface PersistedState {
  uri: string | null;
  T: number;
  zoom: [number, number] | null;
  t: number | null;
  /** null: decided by the trace's dynamic range. */
  log: boolean | null;
}

const vscode = acquireVsCodeApi();
const state: PersistedState = { uri: null, T: 0, zoom: null, t: null, log: null, ...(vscode.getState() as Partial<PersistedState> | undefined) };
const save = (): void => vscode.setState(state);
const post = (m: WebviewToHostMessage): void => vscode.postMessage(m);

/** Height of each chart's plot and t-axis ticks, CSS px (the bottom chart adds its axis label). */
const PLOT_HEIGHT = 168;
const WINDOW_DEBOUNCE_MS = 80;

let precision = 6;
let thresholds = { vanishing: 1e-6, exploding: 1e6 };
let summary: TraceSummary | null = null;
let overview: SeriesWindow | null = null;
/** What the charts currently show: the overview or a zoom window. */
let shown: SeriesWindow | null = null;
let step: DidSelectStepMessage | null = null;
let charts: { spec: ChartSpec; u: uPlot; height: number }[] = [];
let bands: Band[] = [];
let syncing = false;
let requestId = 0;
let pending: { id: number; start: number; end: number } | null = null;
let requestTimer: ReturnType<typeof setTimeout> | undefined;

// ------------------------------------------------------------------ DOM

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const app = document.getElementById('app') as HTMLElement;
const summaryBar = el('section', { class: 'summary', 'aria-label': 'Trace summary' });
const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Timeline tools' });
// aria-label: the accessible name without the CSS check mark of the pressed state.
const logButton = el('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': 'Log scale', title: 'Toggle log10|·| for the gradient chart (L)' }, 'Log scale');
const resetButton = el('button', { type: 'button', 'aria-label': 'Reset zoom', title: 'Show all steps (0 or double-click)' }, 'Reset zoom');
const pngButton = el('button', { type: 'button', 'aria-label': 'Export PNG', title: 'Save the charts as a PNG image' }, 'PNG');
const csvButton = el('button', { type: 'button', 'aria-label': 'Export CSV', title: 'Export every step of the trace as CSV' }, 'CSV');
const jsonButton = el('button', { type: 'button', 'aria-label': 'Export JSON', title: 'Export the trace as JSON' }, 'JSON');
const exportGroup = el('span', { class: 'export', role: 'group', 'aria-label': 'Export' }, el('span', { class: 'label', 'aria-hidden': 'true' }, 'Export'), pngButton, csvButton, jsonButton);
const zoomInfo = el('span', { class: 'zoom-info', 'aria-live': 'polite' });
toolbar.append(logButton, resetButton, exportGroup, zoomInfo);
const chartsBox = el('div', {
  class: 'charts',
  tabindex: '0',
  role: 'slider',
  'aria-label': 'Selected step',
  'aria-describedby': 'timeline-hints',
  'aria-valuemin': '1',
});
/** What the shading and the vertical lines mean; shown under the gradient chart's title. */
const key = el('p', { class: 'key', 'aria-label': 'Chart key' });
const legendNote = el('p', { class: 'note', id: 'timeline-hints' });
const stepBox = el('section', { class: 'step', 'aria-label': 'Selected step', 'aria-live': 'polite' });
const messageBox = el('section', { class: 'message' });

function showOnly(which: 'empty' | 'errors' | 'trace'): void {
  app.replaceChildren();
  if (which === 'trace') app.append(summaryBar, toolbar, chartsBox, legendNote, stepBox);
  else app.append(messageBox);
}

// ------------------------------------------------------------------ formatting

const fmt = (n: number | null | undefined): string => (n == null ? '—' : formatNumber(n, precision));

const sci = (n: number): string => formatNumber(n, 3);

function swatch(kind: BandKind | 'selected' | 'nonfinite'): HTMLElement {
  return el('span', { class: `swatch ${kind}`, 'aria-hidden': 'true' });
}

function renderSummary(s: TraceSummary): void {
  const m = s.model;
  const item = (label: string, value: string, cls = ''): HTMLElement => el('div', { class: `item ${cls}`.trim() }, el('dt', {}, label), el('dd', {}, value));
  const dl = el(
    'dl',
    {},
    item('T', String(s.T)),
    item('L', fmt(s.loss)),
    item('∂L/∂w', fmt(s.grads.w)),
    item('∂L/∂v', fmt(s.grads.v)),
    item('∂L/∂b', fmt(s.grads.b)),
    item('∂L/∂u', fmt(s.grads.u)),
    item('∂L/∂c', fmt(s.grads.c)),
    item('∂L/∂h0', fmt(s.grads.h0)),
  );
  if (s.firstNonFinite !== null) {
    const o = s.nonFiniteOrigin;
    dl.append(item('first non-finite', `t = ${s.firstNonFinite}${o ? ` (${o.quantity} = ${fmt(o.value)} at t = ${o.t})` : ''}`, 'bad'));
  }
  const part = (name: string, value: string): HTMLElement => el('span', {}, `${name}=${value}`);
  const model = el(
    'p',
    { class: 'model', 'aria-label': 'Model' },
    part('φ', m.phi),
    part('θ', m.theta),
    part('ℓ', `${m.loss}(${m.reduction})`),
    part('w', fmt(m.w)),
    part('v', fmt(m.v)),
    part('b', fmt(m.b)),
    part('u', fmt(m.u)),
    part('c', fmt(m.c)),
    part('h0', fmt(m.h0)),
  );
  // Where the gradient dies or blows up, in words, from the whole trace (not the zoom window).
  const runs = overview ? bandRuns(gradientBands(overview.t, overview.values.log_dL_ds, s.logFloor, thresholds.vanishing, thresholds.exploding), s.T) : [];
  const captions = bandCaptions(runs, s.T, sci(thresholds.vanishing), sci(thresholds.exploding)).map((c) =>
    el('p', { class: `band-caption ${c.kind}` }, swatch(c.kind), c.text),
  );
  const range = Number.isFinite(s.maxAbs_dL_ds) ? el('p', { class: 'range' }, `|∂L/∂s_t| ranges from ${sci(s.minAbs_dL_ds)} to ${sci(s.maxAbs_dL_ds)} over the ${s.T} steps.`) : '';
  summaryBar.replaceChildren(dl, model, ...captions, range);
  key.replaceChildren(
    el('span', { class: 'key-item' }, swatch('vanished'), `shaded blue: |∂L/∂s_t| < ${sci(thresholds.vanishing)} — vanishing`),
    el('span', { class: 'key-item' }, swatch('exploded'), `shaded red: > ${sci(thresholds.exploding)} — exploding`),
    el('span', { class: 'key-item' }, swatch('selected'), 'selected step'),
    ...(s.firstNonFinite !== null ? [el('span', { class: 'key-item' }, swatch('nonfinite'), 'first non-finite step')] : []),
  );
  legendNote.textContent =
    'Click a step to show it in the editor and below. Charts focused: ←/→ Home/End select, Enter shows in the editor, ' +
    '+/− zoom, 0 resets, L log scale. Drag or wheel to zoom, Shift+wheel pans, double-click resets.';
}

function renderStep(): void {
  if (!step || !summary) {
    stepBox.replaceChildren(el('p', { class: 'hint' }, 'Click a step in the charts, or move the cursor in the editor, to see every quantity of that step.'));
    return;
  }
  const v = step.values;
  const m = step.model;
  const rows: [string, number | null][] = [
    ['x_t', v.x],
    ['y_t', v.y],
    ['h_{t−1}', v.hPrev],
    ['s_t = w·h_{t−1} + v·x_t + b', v.s],
    ['h_t = φ(s_t)', v.h],
    ['ŷ_t = θ(u·h_t + c)', v.yhat],
    ['ℓ(ŷ_t, y_t)', v.loss],
    ['∂L/∂ŷ_t', v.dL_dyhat],
    ["θ'(u·h_t + c)", v.thetaPrime],
    ["φ'(s_t)", v.phiPrime],
    ['∂L/∂h_t local', v.dL_dh_local],
    ['∂L/∂h_t recurrent', v.dL_dh_recurrent],
    ['∂L/∂h_t', v.dL_dh],
    ['∂L/∂s_t', v.dL_ds],
    ['∂L/∂s_{t+1}', v.dL_ds_next],
    ['∂L/∂s_t·h_{t−1} (into ∂L/∂w)', v.dL_ds * v.hPrev],
    ['∂L/∂s_t·x_t (into ∂L/∂v)', v.dL_ds * v.x],
  ];
  const table = el(
    'table',
    { 'aria-label': `Every quantity of step t = ${v.t}` },
    el('caption', {}, `Every quantity at t = ${v.t} of ${summary.T}`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'quantity'), el('th', { scope: 'col' }, 'value'))),
    el('tbody', {}, ...rows.map(([name, n]) => el('tr', {}, el('th', { scope: 'row' }, name), el('td', { class: n !== null && !Number.isFinite(n) ? 'bad' : '' }, fmt(n))))),
  );
  const eqH = `∂L/∂h_t = ∂L/∂ŷ_t·θ'·u + w·∂L/∂s_{t+1} = ${fmt(v.dL_dyhat)}·${fmt(v.thetaPrime)}·${fmt(m.u)} + ${fmt(m.w)}·${fmt(v.dL_ds_next)} = ${fmt(v.dL_dh_local)} + ${fmt(v.dL_dh_recurrent)} = ${fmt(v.dL_dh)}`;
  const eqS = `∂L/∂s_t = ∂L/∂h_t·φ'(s_t) = ${fmt(v.dL_dh)}·${fmt(v.phiPrime)} = ${fmt(v.dL_ds)}`;
  // The two equations of the backward pass first: they are what the step is about.
  stepBox.replaceChildren(
    el(
      'div',
      { class: 'equations' },
      el('h3', {}, `Step t = ${v.t} of ${summary.T}: the backward pass`),
      el('p', { class: 'eq' }, eqH),
      el('p', { class: 'eq' }, eqS),
    ),
    table,
  );
  setAriaValue(v.t, v.dL_ds);
}

/** The slider's value for assistive technology: "t = 25 of 60, ∂L/∂s_t = 4.84e-20". */
function setAriaValue(t: number, dL_ds?: number): void {
  chartsBox.setAttribute('aria-valuenow', String(t));
  const T = summary?.T;
  chartsBox.setAttribute('aria-valuetext', `t = ${t}${T ? ` of ${T}` : ''}${dL_ds === undefined ? '' : `, ∂L/∂s_t = ${sci(dL_ds)}`}`);
}

// ------------------------------------------------------------------ charts

function isLog(): boolean {
  return state.log ?? (summary ? prefersLog({ maxAbs: summary.maxAbs_dL_ds, minAbs: summary.minAbs_dL_ds }) : false);
}

function chartWidth(): number {
  return Math.max(200, Math.floor(app.clientWidth));
}

const overlay = (): Overlay => ({ selected: state.t, firstNonFinite: summary?.firstNonFinite ?? null, bands });

function computeBands(w: SeriesWindow): void {
  bands = summary ? gradientBands(w.t, w.values.log_dL_ds, summary.logFloor, thresholds.vanishing, thresholds.exploding) : [];
}

/** (Re)builds the three charts on `shown`, keeping the x range. */
function buildCharts(): void {
  const range = currentRange();
  for (const c of charts) c.u.destroy();
  chartsBox.replaceChildren();
  charts = [];
  if (!shown) return;
  const log = isLog();
  logButton.setAttribute('aria-pressed', String(log));
  const width = chartWidth();
  for (const spec of chartSpecs(log, summary?.logFloor ?? -Infinity)) {
    const box = el('div', { class: `chart chart-${spec.id}`, role: 'group', 'aria-label': spec.title });
    box.append(el('h3', { class: 'chart-title' }, el('strong', {}, spec.lead), spec.detail));
    if (spec.id === 'gradient') box.append(key);
    chartsBox.append(box);
    const height = chartHeight(spec, PLOT_HEIGHT);
    const u = createChart(spec, box, width, height, plotData(spec, shown), {
      overlay,
      onXScale,
      onDrawn: recordDraw,
    });
    bindPointer(u);
    charts.push({ spec, u, height });
  }
  if (range) setRange(range[0], range[1]);
  showSelectionInLegends();
}

/** Legends show the selected step's values whenever the pointer is not over a chart. */
function showSelectionInLegends(): void {
  for (const c of charts) if (c.u.cursor.idx == null) showStepInLegend(c.u, state.t);
}

function currentRange(): [number, number] | null {
  const u = charts[0]?.u;
  const { min, max } = u?.scales.x ?? {};
  return min != null && max != null ? [min, max] : null;
}

/** Sets every chart's x range without re-entering onXScale for each. */
function setRange(min: number, max: number): void {
  syncing = true;
  try {
    for (const c of charts) c.u.setScale('x', { min, max });
  } finally {
    syncing = false;
  }
  rangeChanged(min, max);
}

/** `range`: the x range being set, when a setScale is still pending (uPlot commits in a microtask). */
function setShown(w: SeriesWindow, range = currentRange()): void {
  shown = w;
  computeBands(w);
  syncing = true;
  try {
    for (const c of charts) {
      c.u.setData(plotData(c.spec, w), false);
      if (range) c.u.setScale('x', { min: range[0], max: range[1] });
    }
  } finally {
    syncing = false;
  }
  showSelectionInLegends();
}

function onXScale(u: uPlot): void {
  if (syncing) return;
  const { min, max } = u.scales.x;
  if (min == null || max == null) return;
  syncing = true;
  try {
    for (const c of charts) if (c.u !== u) c.u.setScale('x', { min, max });
  } finally {
    syncing = false;
  }
  rangeChanged(min, max);
}

/** After any zoom or pan: persist it, and show data fine enough for the new range. */
function rangeChanged(min: number, max: number): void {
  if (!summary || !overview) return;
  const T = summary.T;
  const whole = min <= 1 && max >= T;
  state.zoom = whole ? null : [min, max];
  save();
  zoomInfo.textContent = whole ? `all ${T} steps` : `t ${Math.max(1, Math.ceil(min))}–${Math.min(T, Math.floor(max))} of ${T}`;
  const start = Math.max(0, Math.floor(min) - 1);
  const end = Math.min(T, Math.ceil(max));
  if (whole || end <= start) {
    cancelWindowRequest();
    if (shown !== overview) setShown(overview, [min, max]);
    return;
  }
  const covers = shown !== null && shown.start <= start && shown.end >= end;
  if (!covers) setShown(overview, [min, max]);
  const fineEnough = covers && shown !== null && (shown.full || (shown.start === start && shown.end === end));
  if (!fineEnough) requestWindow(start, end);
  else cancelWindowRequest();
}

/** A window asked for an earlier range must not replace what the new range already shows. */
function cancelWindowRequest(): void {
  clearTimeout(requestTimer);
  pending = null;
}

function requestWindow(start: number, end: number): void {
  if (pending && pending.start === start && pending.end === end) return;
  clearTimeout(requestTimer);
  requestTimer = setTimeout(() => {
    pending = { id: ++requestId, start, end };
    post({ type: 'requestWindow', requestId: pending.id, start, end, width: chartWidth() });
  }, WINDOW_DEBOUNCE_MS);
}

// ------------------------------------------------------------------ interaction

function selectStep(t: number, reveal: boolean): void {
  if (!summary) return;
  const T = summary.T;
  const clamped = Math.min(T, Math.max(1, Math.round(t)));
  state.t = clamped;
  save();
  setAriaValue(clamped, step?.values.t === clamped ? step.values.dL_ds : undefined);
  keepInView(clamped);
  redraw();
  post({ type: 'selectStep', t: clamped, reveal });
}

/** Pans (keeping the zoom span) so step t is visible. */
function keepInView(t: number): void {
  const r = currentRange();
  if (!r || !summary || (t >= r[0] && t <= r[1])) return;
  const span = r[1] - r[0];
  const min = Math.min(Math.max(1, t - span / 2), Math.max(1, summary.T - span));
  setRange(min, min + span);
}

function redraw(): void {
  for (const c of charts) c.u.redraw(false, false);
  showSelectionInLegends();
}

function zoomBy(factor: number, center: number): void {
  const r = currentRange();
  if (!r || !summary) return;
  const T = summary.T;
  const span = Math.min(T - 1, Math.max(4, (r[1] - r[0]) * factor));
  let min = center - (center - r[0]) * (span / (r[1] - r[0]));
  min = Math.min(Math.max(1, min), T - span);
  setRange(min, min + span);
}

function panBy(fraction: number): void {
  const r = currentRange();
  if (!r || !summary) return;
  const span = r[1] - r[0];
  const min = Math.min(Math.max(1, r[0] + span * fraction), summary.T - span);
  setRange(min, min + span);
}

function resetZoom(): void {
  if (summary) setRange(1, summary.T);
}

/** Click selects and reveals; a drag (zoom selection) does not. Wheel zooms, Shift+wheel pans. */
function bindPointer(u: uPlot): void {
  let downX = 0;
  u.over.addEventListener('mousedown', (e) => {
    downX = e.clientX;
  });
  u.over.addEventListener('click', (e) => {
    if (Math.abs(e.clientX - downX) > 3) return;
    chartsBox.focus();
    selectStep(u.posToVal(e.offsetX, 'x'), true);
  });
  u.over.addEventListener('dblclick', resetZoom);
  u.over.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      const delta = horizontal ? e.deltaX || e.deltaY : e.deltaY;
      if (horizontal) panBy(Math.sign(delta) * 0.1);
      else zoomBy(delta > 0 ? 1.25 : 0.8, u.posToVal(e.offsetX, 'x'));
    },
    { passive: false },
  );
}

chartsBox.addEventListener('keydown', (e) => {
  if (!summary) return;
  const t = state.t ?? 1;
  const r = currentRange() ?? [1, summary.T];
  const page = Math.max(1, Math.round((r[1] - r[0]) / 10));
  const keys: Record<string, () => void> = {
    ArrowLeft: () => selectStep(t - 1, false),
    ArrowRight: () => selectStep(t + 1, false),
    ArrowDown: () => selectStep(t - 1, false),
    ArrowUp: () => selectStep(t + 1, false),
    PageDown: () => selectStep(t - page, false),
    PageUp: () => selectStep(t + page, false),
    Home: () => selectStep(1, false),
    End: () => selectStep(summary?.T ?? 1, false),
    Enter: () => selectStep(t, true),
    '+': () => zoomBy(0.5, t),
    '=': () => zoomBy(0.5, t),
    '-': () => zoomBy(2, t),
    '0': resetZoom,
    l: toggleLog,
    L: toggleLog,
  };
  const action = keys[e.key];
  if (action && !e.altKey && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
    action();
  }
});

function toggleLog(): void {
  state.log = !isLog();
  save();
  buildCharts();
}

logButton.addEventListener('click', toggleLog);
resetButton.addEventListener('click', resetZoom);
pngButton.addEventListener('click', exportPng);
const exportTrace = (format: ExportFormat) => () => post({ type: 'exportTrace', format });
csvButton.addEventListener('click', exportTrace('csv'));
jsonButton.addEventListener('click', exportTrace('json'));

/**
 * The three chart canvases stacked into one PNG, painted on the editor background (an opaque
 * image: viewers show transparency as black). Above each chart its title, fitted to the width,
 * and its legend (a colour swatch per series), wrapped onto as many rows as it needs.
 */
function exportPng(): void {
  const canvases = charts.map((c) => c.u.ctx.canvas);
  if (canvases.length === 0) return;
  const dpr = devicePixelRatio;
  const width = Math.max(...canvases.map((c) => c.width));
  const pad = 8 * dpr;
  const rowH = Math.round(18 * dpr);
  const swatchW = 12 * dpr;
  const font = `${Math.round(13 * dpr)}px sans-serif`;
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  if (!ctx) return;
  ctx.font = font;
  const layouts = charts.map((c) => {
    const items: { label: string; color: string; x: number; row: number }[] = [];
    let x = pad;
    let row = 1;
    for (const s of c.spec.series) {
      const w = swatchW + 4 * dpr + ctx.measureText(s.label).width;
      if (x > pad && x + w > width - pad) {
        x = pad;
        row++;
      }
      items.push({ label: s.label, color: cssColor(s.color), x, row });
      x += w + 14 * dpr;
    }
    return { items, header: (row + 1) * rowH + 6 * dpr };
  });
  out.width = width;
  out.height = canvases.reduce((h, c, i) => h + layouts[i].header + c.height, 0);
  // Setting the size reset the context.
  ctx.fillStyle = cssColor('--vscode-editor-background');
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  const fg = cssColor('--vscode-foreground');
  let y = 0;
  charts.forEach((c, i) => {
    const { items, header } = layouts[i];
    const mid = (row: number): number => y + 4 * dpr + row * rowH + rowH / 2;
    ctx.fillStyle = fg;
    ctx.fillText(c.spec.title, pad, mid(0), width - 2 * pad);
    for (const item of items) {
      ctx.fillStyle = item.color;
      ctx.fillRect(item.x, mid(item.row) - 1.5 * dpr, swatchW, 3 * dpr);
      ctx.fillStyle = fg;
      ctx.fillText(item.label, item.x + swatchW + 4 * dpr, mid(item.row));
    }
    y += header;
    ctx.drawImage(canvases[i], 0, y);
    y += canvases[i].height;
  });
  post({ type: 'savePng', dataUrl: out.toDataURL('image/png') });
}

// ------------------------------------------------------------------ performance marks

let traceArrived = 0;

/** Draw time per chart per frame; read by the e2e test through performance entries. */
function recordDraw(ms: number): void {
  performance.measure('bptt:draw', { start: performance.now() - ms, end: performance.now() });
}

function markFirstPaint(): void {
  const start = traceArrived;
  requestAnimationFrame(() => performance.measure('bptt:firstPaint', { start, end: performance.now() }));
}

// ------------------------------------------------------------------ messages

function didComputeTrace(m: DidComputeTraceMessage): void {
  traceArrived = performance.now();
  const s = m.summary;
  // Same file, same length: an edit or a resize; keep the user's zoom and selection.
  const keep = state.uri === s.uri && state.T === s.T;
  if (!keep) {
    state.zoom = null;
    state.t = null;
    step = null;
  }
  // A step asked for with the panel wins; else the kept one; else the last step with a target,
  // so the table and the legends show numbers straight away.
  if (m.select !== null) state.t = Math.min(s.T, Math.max(1, m.select));
  else if (state.t === null && s.T > 0) state.t = s.lastTargetT ?? s.T;
  state.uri = s.uri;
  state.T = s.T;
  save();
  // buildCharts() restores the charts' previous range, and so rewrites state.zoom: read it first.
  const zoom = state.zoom;
  summary = s;
  overview = m.overview;
  shown = m.overview;
  pending = null;
  computeBands(shown);
  chartsBox.setAttribute('aria-valuemax', String(s.T));
  showOnly('trace');
  renderSummary(s);
  buildCharts();
  // Not the previous file's (or length's) range, which buildCharts() kept.
  if (zoom) setRange(zoom[0], zoom[1]);
  else setRange(1, s.T);
  if (state.t !== null) {
    if (m.select !== null) keepInView(state.t);
    setAriaValue(state.t);
    showSelectionInLegends();
    post({ type: 'selectStep', t: state.t, reveal: false });
  }
  renderStep();
  markFirstPaint();
}

function didFailParse(m: DidFailParseMessage): void {
  summary = null;
  state.uri = m.uri;
  save();
  const list = el('ul', { class: 'errors' }, ...m.errors.map((e) => el('li', {}, el('span', { class: 'loc' }, `${m.fileName}:${e.line}:${e.col}`), ` ${e.message}`)));
  const one = m.errors.length === 1;
  messageBox.replaceChildren(
    el('h2', {}, `${m.fileName} has ${one ? 'a problem' : `${m.errors.length} problems`}`),
    el('p', {}, `No trace until every value parses. Fix ${one ? 'it' : 'them'} in the editor (file:line:column below) and the timeline updates by itself.`),
    list,
  );
  showOnly('errors');
}

function didClearTrace(): void {
  summary = null;
  overview = shown = null;
  for (const c of charts) c.u.destroy();
  charts = [];
  messageBox.replaceChildren(
    el('h2', {}, 'No trace yet'),
    el('p', { class: 'empty' }, 'Open a .csv/.tsv/.json sequence and run BPTT Lens: Run Backward Pass.'),
  );
  showOnly('empty');
}

window.addEventListener('message', (e: MessageEvent<HostToWebviewMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'didComputeTrace':
      didComputeTrace(m);
      break;
    case 'didFailParse':
      didFailParse(m);
      break;
    case 'didClearTrace':
      didClearTrace();
      break;
    case 'didSelectStep':
      step = m;
      state.t = m.values.t;
      save();
      if (m.fromEditor) keepInView(m.values.t);
      redraw();
      renderStep();
      break;
    case 'didLoadWindow':
      if (pending && m.requestId === pending.id) {
        pending = null;
        setShown(m.window);
      }
      break;
    case 'didChangeSettings':
      precision = m.precision;
      thresholds = { vanishing: m.vanishingThreshold, exploding: m.explodingThreshold };
      if (summary && shown) {
        renderSummary(summary);
        computeBands(shown);
        redraw();
      }
      renderStep();
      break;
  }
});

// Repaint with the new theme's colours: the charts read CSS variables when built.
new MutationObserver(() => {
  if (shown) buildCharts();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
let lastWidth = 0;
new ResizeObserver(() => {
  const width = chartWidth();
  if (width === lastWidth) return;
  lastWidth = width;
  for (const c of charts) c.u.setSize({ width, height: c.height });
  clearTimeout(resizeTimer);
  // Ask for series reduced to the new width once the resize settles.
  resizeTimer = setTimeout(() => post({ type: 'didResize', width }), 200);
}).observe(app);

renderStep();
showOnly('empty');
messageBox.replaceChildren(el('p', { class: 'empty' }, 'Loading…'));
lastWidth = chartWidth();
post({ type: 'ready', width: lastWidth });
