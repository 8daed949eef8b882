/** The selected step: the two backward equations with its numbers, then every quantity in a table. */
import { backwardEquations, COMPACT } from '../../shared/equations';
import type { HostToWebviewMessage } from '../../shared/protocol';
import { el } from '../dom';
import type { Panel } from '../panel';
import type { TimelineState } from '../state';
import { vectorStepContent } from './vectorStep';

export class StepTablePanel implements Panel {
  private readonly root = el('section', { class: 'step', 'aria-label': 'Selected step', 'aria-live': 'polite' });
  readonly elements = [this.root];

  onMessage(m: HostToWebviewMessage, state: TimelineState): void {
    if (m.type === 'didSelectStep' || m.type === 'didSelectVectorStep') this.render(state);
  }

  render(state: TimelineState): void {
    if (state.summary?.vector) {
      const v = state.vectorStep?.step;
      this.root.replaceChildren(...(v ? vectorStepContent(v, state) : [el('p', { class: 'hint' }, 'Click a step in the charts, or move the cursor in the editor, to see every vector of that step.')]));
      return;
    }
    const { step, summary } = state;
    if (!step || !summary) {
      this.root.replaceChildren(el('p', { class: 'hint' }, 'Click a step in the charts, or move the cursor in the editor, to see every quantity of that step.'));
      return;
    }
    const v = step.values;
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
    const cell = (n: number | null): HTMLElement => el('td', { class: n !== null && !Number.isFinite(n) ? 'bad' : '' }, state.fmt(n));
    const table = el(
      'table',
      { 'aria-label': `Every quantity of step t = ${v.t}` },
      el('caption', {}, `Every quantity at t = ${v.t} of ${summary.T}`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'quantity'), el('th', { scope: 'col' }, 'value'))),
      el('tbody', {}, ...rows.map(([name, n]) => el('tr', {}, el('th', { scope: 'row' }, name), cell(n)))),
    );
    const { dL_dh: h, dL_ds: s } = backwardEquations(v, step.model, v.dL_ds_next, (n) => state.fmt(n), COMPACT);
    // The two equations of the backward pass first: they are what the step is about.
    this.root.replaceChildren(
      el(
        'div',
        { class: 'equations' },
        el('h3', {}, `Step t = ${v.t} of ${summary.T}: the backward pass`),
        el('p', { class: 'eq' }, `${h.name} = ${h.local} + ${h.recurrent} = ${h.factors} = ${h.parts} = ${h.value}`),
        el('p', { class: 'eq' }, `${s.name} = ${s.names} = ${s.factors} = ${s.value}`),
      ),
      table,
    );
  }
}
