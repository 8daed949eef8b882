/** The toolbar: log scale, reset zoom, the exports, and which steps the charts show. */
import type { ExportFormat } from '../../shared/protocol';
import { el } from '../dom';
import type { Panel } from '../panel';
import type { TimelineState } from '../state';

export interface ToolbarActions {
  toggleLog(): void;
  resetZoom(): void;
  exportPng(): void;
  exportTrace(format: ExportFormat): void;
}

export class Toolbar implements Panel {
  private readonly root = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Timeline tools' });
  // aria-label: the accessible name without the CSS check mark of the pressed state.
  private readonly logButton = el('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': 'Log scale', title: 'Toggle log10|·| for the gradient chart (L)' }, 'Log scale');
  private readonly zoomInfo = el('span', { class: 'zoom-info', 'aria-live': 'polite' });
  readonly elements = [this.root];

  constructor(actions: ToolbarActions) {
    const button = (label: string, title: string, text: string, action: () => void): HTMLElement => {
      const b = el('button', { type: 'button', 'aria-label': label, title }, text);
      b.addEventListener('click', action);
      return b;
    };
    this.logButton.addEventListener('click', () => actions.toggleLog());
    const exports = el(
      'span',
      { class: 'export', role: 'group', 'aria-label': 'Export' },
      el('span', { class: 'label', 'aria-hidden': 'true' }, 'Export'),
      button('Export PNG', 'Save the charts as a PNG image', 'PNG', () => actions.exportPng()),
      button('Export CSV', 'Export every step of the trace as CSV', 'CSV', () => actions.exportTrace('csv')),
      button('Export JSON', 'Export the trace as JSON', 'JSON', () => actions.exportTrace('json')),
    );
    this.root.append(this.logButton, button('Reset zoom', 'Show all steps (0 or double-click)', 'Reset zoom', () => actions.resetZoom()), exports, this.zoomInfo);
  }

  /** Also called whenever the charts' range or scale changes. */
  render(state: TimelineState): void {
    this.logButton.setAttribute('aria-pressed', String(state.isLog()));
    const T = state.summary?.T;
    if (T === undefined) return;
    const z = state.persisted.zoom;
    this.zoomInfo.textContent = z ? `t ${Math.max(1, Math.ceil(z[0]))}–${Math.min(T, Math.floor(z[1]))} of ${T}` : `all ${T} steps`;
  }
}
