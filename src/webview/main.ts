/**
 * The timeline webview: summary bar, toolbar, three charts on one t axis, the selected-step table.
 * This file lays the panels out and dispatches the host's messages: each message goes into the
 * state, then to the panels. The host sends reduced series (≈ 2 points per pixel); zooming asks
 * for the visible window at full resolution. Zoom, selection and the log toggle persist.
 */
import { assertNever, type HostToWebviewMessage } from '../shared/protocol';
import type { Panel } from './panel';
import { markFirstPaint } from './perf';
import { post, TimelineState } from './state';
import { ChartsPanel } from './view/chartsPanel';
import { ChecksPanel } from './view/checks';
import { MessageView } from './view/message';
import { StepTablePanel } from './view/stepTable';
import { SummaryPanel } from './view/summary';
import { FlowPanel } from './view/flowPanel';
import { Toolbar } from './view/toolbar';

const app = document.getElementById('app') as HTMLElement;
const state = new TimelineState();
const message = new MessageView();
const charts = new ChartsPanel(state, app, () => toolbar.render(state));
const toolbar = new Toolbar(charts);

/** The page with a trace, top to bottom. A new panel is a new file and a line here. */
const panels: Panel[] = [new SummaryPanel(), new ChecksPanel((t) => charts.selectStep(t, true)), toolbar, charts, new StepTablePanel(), new FlowPanel(state)];

function layout(which: 'trace' | 'message'): void {
  if (which === 'trace') app.replaceChildren(...panels.flatMap((p) => p.elements));
  else app.replaceChildren(message.root);
}

function render(): void {
  for (const p of panels) p.render(state);
}

/** Takes `m` into the state and lays the page out for it; the panels then see it in dispatch(). */
function take(m: HostToWebviewMessage): void {
  switch (m.type) {
    case 'didComputeTrace':
      state.takeTrace(m);
      layout('trace');
      render();
      return;
    case 'didFailParse':
      state.clear(m.uri);
      message.errors(m);
      layout('message');
      return;
    case 'didClearTrace':
      state.clear();
      message.empty();
      layout('message');
      return;
    case 'didSelectStep':
      state.takeStep(m);
      return;
    case 'didSelectVectorStep':
      state.takeVectorStep(m);
      return;
    case 'didLoadWindow':
      // Only the charts use it, if it is the window they asked for last.
      return;
    case 'didComputeFlow':
    case 'didProgressFlow':
    case 'didSelectFlowStep':
      // Only the flow panel uses them.
      return;
    case 'didChangeSettings':
      state.takeSettings(m);
      render();
      return;
    default:
      assertNever(m);
  }
}

function dispatch(m: HostToWebviewMessage): void {
  const arrived = performance.now();
  take(m);
  for (const p of panels) p.onMessage?.(m, state);
  if (m.type === 'didComputeTrace') markFirstPaint(arrived);
}

window.addEventListener('message', (e: MessageEvent<HostToWebviewMessage>) => dispatch(e.data));

// Repaint with the new theme's colours (the charts read the --vscode-* variables when built). VS
// Code sets the theme's kind (vscode-light, vscode-dark, vscode-high-contrast) and id on <body>.
new MutationObserver(() => charts.repaint()).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });

render();
message.loading();
layout('message');
post({ type: 'ready', width: charts.width() });
