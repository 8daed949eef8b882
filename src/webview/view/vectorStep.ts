/**
 * The selected step of a vector model, in full: the backward equations in vector form with the
 * norms, then one row per hidden unit (and one per input) with every component.
 */
import type { VectorStepView } from '../../shared/protocol';
import { norm2 as norm } from '../../core/vector/norm';
import { el } from '../dom';
import type { TimelineState } from '../state';

const UNIT_COLUMNS: [string, keyof VectorStepView][] = [
  ['s_t,i', 's'],
  ['h_t,i', 'h'],
  ["φ'(s_t,i)", 'phiPrime'],
  ['(Uᵀ·(∂L/∂ŷ_t ⊙ θ\'))_i local', 'dL_dh_local'],
  ['(Wᵀ·∂L/∂s_{t+1})_i recurrent', 'dL_dh_recurrent'],
  ['∂L/∂h_t,i', 'dL_dh'],
  ['∂L/∂s_t,i', 'dL_ds'],
];

export function vectorStepContent(v: VectorStepView, state: TimelineState): HTMLElement[] {
  const sci = (n: number): string => state.sci(n);
  const cell = (n: number): HTMLElement => el('td', { class: Number.isFinite(n) ? '' : 'bad' }, state.fmt(n));
  const equations = el(
    'div',
    { class: 'equations' },
    el('h3', {}, `Step t = ${v.t} of ${v.T}: the backward pass${v.hasTarget ? '' : ' (no target)'}`),
    el('p', { class: 'eq' }, `∂L/∂h_t = Uᵀ·(∂L/∂ŷ_t ⊙ θ'(U·h_t + c)) + Wᵀ·∂L/∂s_{t+1}:  ‖∂L/∂h_t‖ = ${sci(norm(v.dL_dh))}, ‖local‖ = ${sci(norm(v.dL_dh_local))}, ‖recurrent‖ = ${sci(norm(v.dL_dh_recurrent))}${v.t === v.T ? ' (0 at t = T)' : ''}`),
    el('p', { class: 'eq' }, `∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t):  ‖∂L/∂s_t‖ = ${sci(norm(v.dL_ds))}`),
    el('p', { class: 'eq' }, v.t < v.T ? `σ_max(∂s_{t+1}/∂s_t) = σ_max(W·diag(φ'(s_t))) = ${sci(v.sigma)}` : 'σ_max: no ∂s_{t+1}/∂s_t at t = T'),
  );
  const n = v.h.length;
  const units = el(
    'table',
    { class: 'vector-units', 'aria-label': `Every unit of step t = ${v.t}` },
    el('caption', {}, `Every hidden unit at t = ${v.t} of ${v.T}`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'i'), ...UNIT_COLUMNS.map(([label]) => el('th', { scope: 'col' }, label)))),
    el(
      'tbody',
      {},
      ...Array.from({ length: n }, (_, i) => el('tr', {}, el('th', { scope: 'row' }, String(i + 1)), ...UNIT_COLUMNS.map(([, key]) => cell((v[key] as Float64Array)[i])))),
    ),
  );
  const inputs = el(
    'table',
    { class: 'vector-inputs', 'aria-label': `The input of step t = ${v.t}` },
    el('caption', {}, `x_t (m = ${v.x.length})`),
    el('tbody', {}, ...Array.from(v.x, (x, j) => el('tr', {}, el('th', { scope: 'row' }, `x_t,${j + 1}`), cell(x)))),
  );
  return [equations, units, inputs];
}
