/** The summary above the charts: loss and parameter gradients, the model, and where the gradient dies or blows up, in words. */
import type { TraceSummary, VectorTraceSummary } from '../../shared/protocol';
import { bandCaptions, bandRuns, gradientBands } from '../../shared/series';
import { el, swatch } from '../dom';
import type { Panel } from '../panel';
import type { TimelineState } from '../state';

type Item = (label: string, value: string, cls?: string) => HTMLElement;
type Part = (name: string, value: string) => HTMLElement;

export class SummaryPanel implements Panel {
  private readonly root = el('section', { class: 'summary', 'aria-label': 'Trace summary' });
  readonly elements = [this.root];

  render(state: TimelineState): void {
    const s = state.summary;
    if (!s) return;
    const item: Item = (label, value, cls = '') => el('div', { class: `item ${cls}`.trim() }, el('dt', {}, label), el('dd', {}, value));
    const part: Part = (name, value) => el('span', {}, `${name}=${value}`);
    const [dl, model, verdict] = s.vector ? vectorParts(s, state, item, part) : scalarParts(s, state, item, part);
    if (s.firstNonFinite !== null) {
      const o = s.vector ? null : s.nonFiniteOrigin;
      dl.append(item('first non-finite', `t = ${s.firstNonFinite}${o ? ` (${o.quantity} = ${state.fmt(o.value)} at t = ${o.t})` : ''}`, 'bad'));
    }
    // Where the gradient dies or blows up, in words, from the whole trace (not the zoom window).
    const { vanishing, exploding } = state.thresholds;
    const o = state.overview;
    const runs = o ? bandRuns(gradientBands(o.t, o.values.log_dL_ds, s.logFloor, vanishing, exploding), s.T) : [];
    // A vector model's charts and bands are of the norm ‖∂L/∂s_t‖.
    const magnitude = (text: string): string => (s.vector ? text.replace('|∂L/∂s_t|', '‖∂L/∂s_t‖') : text);
    const captions = bandCaptions(runs, s.T, state.sci(vanishing), state.sci(exploding)).map((c) => el('p', { class: `band-caption ${c.kind}` }, swatch(c.kind), magnitude(c.text)));
    const range = Number.isFinite(s.maxAbs_dL_ds)
      ? el('p', { class: 'range' }, magnitude(`|∂L/∂s_t| ranges from ${state.sci(s.minAbs_dL_ds)} to ${state.sci(s.maxAbs_dL_ds)} over the ${s.T} steps.`))
      : '';
    this.root.replaceChildren(dl, model, ...(verdict ? [verdict] : []), ...captions, range);
  }
}

function scalarParts(s: TraceSummary, state: TimelineState, item: Item, part: Part): [HTMLElement, HTMLElement, null] {
  const fmt = (n: number): string => state.fmt(n);
  const m = s.model;
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
  return [dl, model, null];
}

/** A vector model: the gradients' norms, ‖W‖₂ and σ_max's range, and Pascanu et al.'s verdict in words. */
function vectorParts(s: VectorTraceSummary, state: TimelineState, item: Item, part: Part): [HTMLElement, HTMLElement, HTMLElement] {
  const fmt = (n: number): string => state.fmt(n);
  const v = s.vector;
  const g = v.gradNorms;
  const dl = el(
    'dl',
    {},
    item('T', String(s.T)),
    item('L', fmt(s.loss)),
    item('‖∂L/∂W‖', fmt(g.W)),
    item('‖∂L/∂V‖', fmt(g.V)),
    item('‖∂L/∂b‖', fmt(g.b)),
    item('‖∂L/∂U‖', fmt(g.U)),
    item('‖∂L/∂c‖', fmt(g.c)),
    item('‖∂L/∂h0‖', fmt(g.h0)),
    item('‖W‖₂', fmt(v.normW)),
    item('σ_max over t', s.T < 2 ? '—' : `${state.sci(v.sigmaMin)} … ${state.sci(v.sigmaMax)}`),
    item('horizon ≤ (from Π σ_max)', `median ${v.horizonMedian}, max ${v.horizonMax} steps back`),
  );
  const model = el(
    'p',
    { class: 'model', 'aria-label': 'Model' },
    part('φ', v.phi),
    part('θ', v.theta),
    part('ℓ', `${v.loss}(${v.reduction})`),
    part('n', String(v.n)),
    part('m', String(v.m)),
    part('k', String(v.k)),
  );
  const bound = `‖W‖₂·max φ' = ${state.sci(v.normW)}·${state.sci(v.maxPhiPrime)} = ${state.sci(v.pascanuBound)}`;
  const verdict = el(
    'p',
    { class: `pascanu ${v.vanishingGuaranteed ? 'vanished' : ''}`.trim(), 'aria-label': 'Pascanu bound' },
    v.vanishingGuaranteed
      ? `${bound} < 1: the gradient is guaranteed to vanish (Pascanu et al.): every ‖∂s_{t+1}/∂s_t‖ is below 1.`
      : `${bound} ≥ 1: vanishing is not guaranteed (Pascanu et al.'s bound); σ_max per step shows where it shrinks or grows.`,
  );
  return [dl, model, verdict];
}
