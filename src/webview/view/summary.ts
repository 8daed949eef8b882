/** The summary above the charts: loss and parameter gradients, the model, and where the gradient dies or blows up, in words. */
import { bandCaptions, bandRuns, gradientBands } from '../../shared/series';
import { el, swatch } from '../dom';
import type { Panel } from '../panel';
import type { TimelineState } from '../state';

export class SummaryPanel implements Panel {
  private readonly root = el('section', { class: 'summary', 'aria-label': 'Trace summary' });
  readonly elements = [this.root];

  render(state: TimelineState): void {
    const s = state.summary;
    if (!s) return;
    const fmt = (n: number): string => state.fmt(n);
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
    const { vanishing, exploding } = state.thresholds;
    const o = state.overview;
    const runs = o ? bandRuns(gradientBands(o.t, o.values.log_dL_ds, s.logFloor, vanishing, exploding), s.T) : [];
    const captions = bandCaptions(runs, s.T, state.sci(vanishing), state.sci(exploding)).map((c) => el('p', { class: `band-caption ${c.kind}` }, swatch(c.kind), c.text));
    const range = Number.isFinite(s.maxAbs_dL_ds)
      ? el('p', { class: 'range' }, `|∂L/∂s_t| ranges from ${state.sci(s.minAbs_dL_ds)} to ${state.sci(s.maxAbs_dL_ds)} over the ${s.T} steps.`)
      : '';
    this.root.replaceChildren(dl, model, ...captions, range);
  }
}
