/**
 * Which sequence format a document is, and whether it asks to be analysed on open. Pure.
 */
import { formatFromFileName, type SequenceFormat } from '../parse';

const LANGUAGE_FORMAT: Record<string, SequenceFormat> = { csv: 'csv', tsv: 'tsv', json: 'json', jsonc: 'json' };

/**
 * The file extension decides; untitled documents use their language, then the text itself
 * (a leading `{` is JSON, a tab in the first data line is TSV, anything else CSV).
 */
export function documentFormat(fileName: string, languageId: string, head: string): SequenceFormat | undefined {
  const byName = formatFromFileName(fileName);
  if (byName) return byName;
  const byLanguage = LANGUAGE_FORMAT[languageId];
  if (byLanguage) return byLanguage;
  if (languageId !== 'plaintext') return undefined;
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) return 'json';
  const firstData = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  return firstData.includes('\t') ? 'tsv' : 'csv';
}

/**
 * Cheap check for a `# bptt:` line (CSV/TSV) or a `"bptt"` key (JSON), so files that carry a
 * directive are analysed as soon as they open. The parser has the final word (`hasDirective`).
 */
export function mayHaveDirective(text: string, format: SequenceFormat): boolean {
  if (format === 'json') return text.includes('"bptt"');
  return /^[ \t]*#[ \t]*bptt[ \t]*:/im.test(text.length > 65536 ? text.slice(0, 65536) : text);
}

/**
 * Cheap check for claims to verify (issue 9): a `# check:` line or a per-step gradient column
 * (`dL_dyhat dL_dh dL_ds`) in CSV/TSV, a `"check"` key or such an array in JSON. A file with claims
 * is analysed on open like one with a directive, even when it has none.
 */
export function mayHaveClaims(text: string, format: SequenceFormat): boolean {
  if (format === 'json') return /"(check|dL_dyhat|dL_dh|dL_ds)"/.test(text);
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  return /^[ \t]*#[ \t]*check[ \t]*:/im.test(head) || /^(.*[,\t])?[ \t]*"?dL_d(yhat|h|s)"?[ \t]*([,\t].*)?$/m.test(head);
}
