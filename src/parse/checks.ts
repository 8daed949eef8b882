/**
 * What a file claims, for the checks engine to verify: `# check:` lines and per-step claim columns
 * (CSV/TSV), the "check" object and claim arrays (JSON). The parser only locates them; it does not
 * read formulas.
 */
import type { CheckClaimSource, ClaimColumn } from './types';
import type { ErrorSink } from './errors';
import type { LineIndex } from './lines';
import { Column } from './steps';

/** `digits` of a step without a claim. */
export const NO_CLAIM = 255;

/** Significant digits of the number literal text[s, e): leading zeros do not count, trailing ones do. */
export function significantDigits(text: string, s: number, e: number): number {
  let digits = 0;
  let leading = true;
  let zeros = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) break; // e E
    if (c < 48 || c > 57) continue;
    if (leading && c === 48) {
      zeros++;
      continue;
    }
    leading = false;
    digits++;
  }
  if (digits === 0) return zeros > 0 ? 1 : 0; // "0", "0.0" → 1; nan, inf → 0
  return Math.min(17, digits);
}

/** A claim column being read, step by step. */
export class ClaimBuilder {
  private readonly values = new Column(Float64Array);
  private readonly digits = new Column(Uint8Array);
  private readonly start = new Column(Int32Array);
  private readonly end = new Column(Int32Array);

  /** The column's range in the text (JSON: the array), for messages about the whole column. */
  rangeStart = 0;
  rangeEnd = 0;

  constructor(readonly name: string) {}

  get length(): number {
    return this.values.length;
  }

  push(value: number, digits: number, start: number, end: number): void {
    this.values.push(value);
    this.digits.push(digits);
    this.start.push(start);
    this.end.push(end);
  }

  /** Sets the end of the last cell (JSON: known when an array/object element closes). */
  setLastEnd(end: number): void {
    this.end.a[this.end.length - 1] = end;
  }

  /** The column with exactly T steps (missing steps: no claim, no cell). */
  finish(T: number): ClaimColumn {
    return {
      name: this.name,
      values: this.values.fit(T, NaN),
      digits: this.digits.fit(T, NO_CLAIM),
      start: this.start.fit(T, -1),
      end: this.end.fit(T, -1),
    };
  }
}

/** Claims located by offset while reading; their lines and columns are filled in once the line table is complete. */
export class CheckList {
  readonly items: CheckClaimSource[] = [];
  private readonly quantityOffsets: number[] = [];

  add(quantity: string, quantityOffset: number, expr: string, offset: number, length: number): void {
    this.items.push({ quantity, expr, line: 0, col: 0, offset, length, quantityLine: 0, quantityCol: 0 });
    this.quantityOffsets.push(quantityOffset);
  }

  finish(lines: LineIndex): CheckClaimSource[] {
    this.items.forEach((c, i) => {
      c.line = lines.lineAt(c.offset);
      c.col = c.offset - lines.starts[c.line];
      c.quantityLine = lines.lineAt(this.quantityOffsets[i]);
      c.quantityCol = this.quantityOffsets[i] - lines.starts[c.quantityLine];
    });
    return this.items;
  }
}

/**
 * If text[ls, le) is a `# check:` line, reads it into checks (reporting one without a usable "=") and
 * returns true.
 */
export function readCheckLine(text: string, ls: number, le: number, base: number, checks: CheckList, sink: ErrorSink): boolean {
  let i = ls;
  while (i < le && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i >= le || text.charCodeAt(i) !== 35 /* # */) return false;
  i++;
  while (i < le && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i + 5 > le || text.substring(i, i + 5).toLowerCase() !== 'check') return false;
  let j = i + 5;
  while (j < le && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  if (j >= le || text.charCodeAt(j) !== 58 /* : */) return false;
  const body = j + 1;
  const eq = assignmentAt(text, body, le);
  if (eq < 0) {
    sink.add('a "# check:" line needs "quantity = formula", e.g. "# check: dL_dh = dL_dyhat * u"', base + ls, base + le);
    return true;
  }
  const [qs, qe] = trimmed(text, body, eq);
  const [es, ee] = trimmed(text, eq + 1, le);
  if (qs === qe || es === ee) {
    sink.add(`a "# check:" line needs a quantity before "=" and a formula after it`, base + body, base + le);
    return true;
  }
  checks.add(text.substring(qs, qe), base + qs, text.substring(es, ee), base + es, ee - es);
  return true;
}

/** The first "=" in text[s, e) that is not part of "==", "<=", ">=" or "!="; -1 if none. */
function assignmentAt(text: string, s: number, e: number): number {
  for (let i = s; i < e; i++) {
    if (text.charCodeAt(i) !== 61) continue;
    const prev = i > s ? text.charCodeAt(i - 1) : 0;
    const next = i + 1 < e ? text.charCodeAt(i + 1) : 0;
    if (next === 61) {
      i++;
      continue;
    }
    if (prev === 60 || prev === 62 || prev === 33 || prev === 61) continue;
    return i;
  }
  return -1;
}

function trimmed(text: string, s: number, e: number): [number, number] {
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  return [s, e];
}
