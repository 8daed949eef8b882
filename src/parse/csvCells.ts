/** The cell-level pieces of the CSV/TSV reader (csv.ts): line ends, quoted cells, the delimiter, messages. */
import type { DirectiveLayout, SequenceFormat } from './types';
import { type ErrorSink, escapeText, quote } from './errors';
import { type ClaimBuilder, NO_CLAIM, significantDigits } from './checks';
import { NUM, scanNumber } from './numbers';

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const COMMA = 44;
export const SEMI = 59;

/** Offset of the first \r or \n at or after p (or text.length). */
export function lineEndFrom(text: string, p: number, n: number): number {
  for (let i = p; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
  }
  return n;
}

/** Offset where the next line starts, given a line end le. */
export function nextLineStart(text: string, le: number, n: number): number {
  if (le >= n) return n;
  return text.charCodeAt(le) === CR && le + 1 < n && text.charCodeAt(le + 1) === LF ? le + 2 : le + 1;
}

/** Lines in text[p, n): its \n, and one more for a last line that has none (the rows, when every line is a row). */
export function countLines(text: string, p: number, n: number): number {
  let lines = n > p && text.charCodeAt(n - 1) !== LF ? 1 : 0;
  for (let i = text.indexOf('\n', p); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

export function skipBlanks(text: string, i: number, e: number): number {
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

export interface Cell {
  /** Content range: inside the quotes for a quoted cell, trimmed otherwise. */
  start: number;
  end: number;
  value: string;
}

/** Splits the header line text[ls, le) into cells (not a hot path). */
export function splitLine(text: string, ls: number, le: number, delim: number, sink: ErrorSink): Cell[] {
  const cells: Cell[] = [];
  let i = ls;
  for (;;) {
    i = skipBlanksExcept(text, i, le, delim);
    let cs = i;
    let ce: number;
    let value: string;
    if (i < le && text.charCodeAt(i) === QUOTE) {
      const r = readQuoted(text, i, le, delim, sink);
      cs = i + 1;
      ce = r.contentEnd;
      value = text.substring(cs, ce).replace(/""/g, '"').trim();
      i = r.next;
    } else {
      while (i < le && text.charCodeAt(i) !== delim) i++;
      ce = i;
      while (ce > cs && isBlank(text.charCodeAt(ce - 1), delim)) ce--;
      value = text.substring(cs, ce);
    }
    cells.push({ start: cs, end: ce, value });
    if (i < le && text.charCodeAt(i) === delim) {
      i++;
      continue;
    }
    return cells;
  }
}

export function isBlank(c: number, delim: number): boolean {
  return c === SPACE || (c === TAB && delim !== TAB);
}

export function skipBlanksExcept(text: string, i: number, e: number, delim: number): number {
  while (i < e && isBlank(text.charCodeAt(i), delim)) i++;
  return i;
}

/**
 * Reads a quoted cell whose opening quote is at q, on a line ending at le.
 * Returns where its content ends and where scanning continues (at the delimiter or le).
 */
export function readQuoted(
  text: string,
  q: number,
  n: number,
  delim: number,
  sink: ErrorSink,
): { contentEnd: number; next: number; ok: boolean } {
  let i = q + 1;
  let c = 0;
  while (i < n && (c = text.charCodeAt(i)) !== LF && c !== CR) {
    if (c === QUOTE) {
      if (i + 1 < n && text.charCodeAt(i + 1) === QUOTE) {
        i += 2;
        continue;
      }
      const contentEnd = i;
      i = skipBlanksExcept(text, i + 1, n, delim);
      if (i < n && (c = text.charCodeAt(i)) !== delim && c !== LF && c !== CR) {
        let j = i;
        while (j < n && (c = text.charCodeAt(j)) !== delim && c !== LF && c !== CR) j++;
        sink.add(`unexpected text ${quote(text.substring(i, j))} after a closing quote`, i, j);
        return { contentEnd, next: j, ok: false };
      }
      return { contentEnd, next: i, ok: true };
    }
    i++;
  }
  sink.add('unterminated quoted field: the closing quote is missing (a quoted field may not span lines)', q, i);
  return { contentEnd: i, next: i, ok: false };
}

export function detectDelimiter(text: string, ls: number, le: number, format: SequenceFormat): number {
  let tabs = 0;
  let commas = 0;
  let semis = 0;
  let inQ = false;
  for (let i = ls; i < le; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQ = !inQ;
    else if (!inQ) {
      if (c === TAB) tabs++;
      else if (c === COMMA) commas++;
      else if (c === SEMI) semis++;
    }
  }
  if (format === 'tsv' && tabs > 0) return TAB;
  if (format === 'csv' && commas > 0) return COMMA;
  if (tabs > 0 && tabs >= commas && tabs >= semis) return TAB;
  if (commas > 0 && commas >= semis) return COMMA;
  if (semis > 0) return SEMI;
  if (tabs > 0) return TAB;
  return format === 'tsv' ? TAB : COMMA;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function describeColumns(columns: string[]): string {
  const shown = columns.slice(0, 8).map((c) => (c === '' ? '""' : escapeText(c)));
  return shown.join(', ') + (columns.length > 8 ? ', …' : '');
}

export function notANumberMessage(name: string, text: string, s: number, e: number, delim: number): string {
  const raw = text.substring(s, e);
  let hint = '';
  if (delim === SEMI && /^[+-]?\d+,\d+$/.test(raw)) hint = ' (use "." as the decimal point)';
  else if (/^[+-]?\d[\d_]*_\d/.test(raw)) hint = ' (digit separators "_" are not allowed)';
  return `${name}: ${quote(raw)} is not a number${hint}`;
}

/**
 * The claim cells of one row, text[s[k], e[k]) for claim k (s[k] = -1: the row has no such cell): a
 * number (with its digits), empty (no claim), or an error (reported to sink unless it is undefined).
 */
export function readClaimCells(
  text: string,
  base: number,
  claims: ClaimBuilder[],
  s: Int32Array,
  e: Int32Array,
  delim: number,
  sink: ErrorSink | undefined,
): void {
  for (let k = 0; k < claims.length; k++) {
    const claim = claims[k];
    if (s[k] < 0) claim.push(NaN, NO_CLAIM, -1, -1);
    else if (s[k] === e[k]) claim.push(NaN, NO_CLAIM, base + s[k], base + e[k]);
    else if (scanNumber(text, s[k], e[k])) claim.push(NUM[0], significantDigits(text, s[k], e[k]), base + s[k], base + e[k]);
    else {
      sink?.add(notANumberMessage(claim.name, text, s[k], e[k], delim), s[k], e[k]);
      claim.push(NaN, NO_CLAIM, base + s[k], base + e[k]);
    }
  }
}

/** Where a directive goes in a text of n characters ending with `last` that has directives but no header: at the end. */
export function endOfTextLayout(n: number, last: number, eol: string): DirectiveLayout {
  const needsBreak = n > 0 && last !== LF && last !== CR && !(n === 1 && last === 0xfeff);
  return { start: n, end: n, before: needsBreak ? eol : '', after: eol };
}
