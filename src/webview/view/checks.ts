/**
 * The checks strip (issue 9): one row per claim of the file, ✓ or ✗, with where its error enters
 * and the diagnosis. A row is a button: a claim that fails at a step selects that step and shows
 * its row in the editor; any other shows the claim itself there.
 */
import type { ClaimSummary } from '../../shared/protocol';
import { el } from '../dom';
import type { Panel } from '../panel';
import { post, type TimelineState } from '../state';

const SOURCE: Record<ClaimSummary['source'], string> = { formula: 'formula', column: 'column', value: 'value' };

export class ChecksPanel implements Panel {
  private readonly root = el('section', { class: 'checks', 'aria-label': 'Checks of your gradients' });
  readonly elements = [this.root];

  /** `selectStep`: selects step t in the charts and reveals its row in the editor. */
  constructor(private readonly selectStep: (t: number) => void) {}

  render(state: TimelineState): void {
    const checks = state.summary?.checks;
    this.root.hidden = !checks;
    if (!checks) {
      this.root.replaceChildren();
      return;
    }
    const failing = checks.claims.filter((c) => !c.ok).length;
    const passing = checks.claims.length - failing;
    const title = el(
      'h3',
      { class: 'checks-title' },
      el('strong', {}, 'Your claims'),
      ` against exact BPTT: ${passing} ✓ ${failing} ✗`,
      failing > 0 ? ' — click a ✗ to go to the step where its error enters' : '',
    );
    const list = el('ul', { class: 'claims' }, ...checks.claims.map((c, i) => el('li', { class: `claim ${c.ok ? 'ok' : 'bad'}` }, this.row(c, i, state))));
    // Only the totals the user's recursion gets wrong at the shown precision.
    const recursion = checks.recursion.filter((r) => state.fmt(r.user) !== state.fmt(r.exact));
    const totals =
      recursion.length > 0
        ? [el('p', { class: 'recursion' }, 'With your recursion (your ∂L/∂h feeding your ∂L/∂s): ', recursion.map((r) => `${r.quantity} = ${state.fmt(r.user)} (exact ${state.fmt(r.exact)})`).join(', '))]
        : [];
    this.root.replaceChildren(title, list, ...totals);
  }

  private row(c: ClaimSummary, index: number, state: TimelineState): HTMLElement {
    const m = c.firstMismatch;
    const t = m?.t ?? null;
    const name = `${c.quantity} (${SOURCE[c.source]}, line ${c.line})`;
    const parts: (Node | string)[] = [el('span', { class: 'mark', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'), el('span', { class: 'quantity' }, name)];
    let detail: string;
    if (c.error !== null) detail = c.error;
    else if (c.ok) detail = c.userTotal !== null ? `= ${state.fmt(c.userTotal)}, holds` : `holds at ${c.compared} step${c.compared === 1 ? '' : 's'}`;
    else if (m && t !== null) {
      detail = `error enters at t = ${t}${m.line !== null ? ` (line ${m.line})` : ''}: yours ${state.fmt(m.user)}, exact ${state.fmt(m.exact)}; ${c.mismatches} of ${c.compared} steps differ`;
    } else detail = m ? `yours ${state.fmt(m.user)}, exact ${state.fmt(m.exact)}` : 'fails';
    parts.push(el('span', { class: 'detail' }, detail));
    const label = `${c.ok ? 'holds' : 'fails'}: ${name}. ${detail}.${c.diagnosis.map((d) => ` ${d.code}: ${d.message}`).join('')}`;
    const button = el('button', { type: 'button', class: 'claim-row', 'aria-label': label, 'data-claim': String(index) }, ...parts);
    button.addEventListener('click', () => {
      if (!c.ok && t !== null) this.selectStep(t);
      else post({ type: 'revealClaim', index });
    });
    const diagnosis = c.diagnosis.map((d) => el('p', { class: 'diagnosis' }, el('code', {}, d.code), ` ${d.message}`));
    if (!c.ok && c.error === null && c.diagnosis.length === 0) diagnosis.push(el('p', { class: 'diagnosis' }, 'No known mistake of the catalogue reproduces these values.'));
    return el('div', {}, button, ...diagnosis);
  }
}
