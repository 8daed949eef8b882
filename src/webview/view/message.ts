/** What the page shows instead of a trace: loading, no trace yet, or the parse errors to fix. */
import type { DidFailParseMessage } from '../../shared/protocol';
import { el } from '../dom';

export class MessageView {
  readonly root = el('section', { class: 'message' });

  loading(): void {
    this.root.replaceChildren(el('p', { class: 'empty' }, 'Loading…'));
  }

  empty(): void {
    this.root.replaceChildren(
      el('h2', {}, 'No trace yet'),
      el('p', { class: 'empty' }, 'Open a .csv/.tsv/.json sequence and run BPTT Lens: Run Backward Pass.'),
    );
  }

  errors(m: DidFailParseMessage): void {
    const one = m.errors.length === 1;
    this.root.replaceChildren(
      el('h2', {}, `${m.fileName} has ${one ? 'a problem' : `${m.errors.length} problems`}`),
      el('p', {}, `No trace until every value parses. Fix ${one ? 'it' : 'them'} in the editor (file:line:column below) and the timeline updates by itself.`),
      el('ul', { class: 'errors' }, ...m.errors.map((e) => el('li', {}, el('span', { class: 'loc' }, `${m.fileName}:${e.line}:${e.col}`), ` ${e.message}`))),
    );
  }
}
