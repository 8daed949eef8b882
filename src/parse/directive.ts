import { MODEL_KEYS, isModelKey, isNumericKey, type Model } from '../core/model';
import { isTruncationKey, type ParsedSequence, type TruncationKeys } from './types';
import { ErrorSink, quote } from './errors';
import { formatNumberForDirective, parseNumber } from './numbers';
import { type ChoiceKey, type FileValues, isChoice, setFileValue, unknownChoiceMessage, unknownKeyMessage } from './resolve';

function isSep(c: number): boolean {
  return c === 32 || c === 9 || c === 44; /* space, tab, comma */
}

/**
 * Splits a directive body text[start, end) into `key=value` pairs, reporting malformed tokens to sink.
 * For each pair: the key's range [ks, ke), the '=' at eq, and the value's range [vs, ve) (empty when missing).
 * The scalar directive (below) and the vector one (src/parse/vector) read their keys from it.
 */
export function forEachDirectivePair(
  text: string,
  start: number,
  end: number,
  sink: ErrorSink,
  pair: (key: string, ks: number, ke: number, eq: number, vs: number, ve: number) => void,
): void {
  let i = start;
  while (i < end) {
    while (i < end && isSep(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const ks = i;
    while (i < end && !isSep(text.charCodeAt(i)) && text.charCodeAt(i) !== 61 /* = */) i++;
    const ke = i;
    let j = i;
    while (j < end && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    if (j >= end || text.charCodeAt(j) !== 61) {
      if (ke === ks) {
        // a stray token starting with something odd; cannot happen (= is handled above) but stay safe
        i = j + 1;
        continue;
      }
      const tok = text.substring(ks, ke);
      sink.add(`expected key=value, got ${quote(tok)}`, ks, ke);
      i = ke;
      continue;
    }
    // j at '='
    let vs = j + 1;
    while (vs < end && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    let ve = vs;
    while (ve < end && !isSep(text.charCodeAt(ve))) ve++;
    i = ve;
    if (ke === ks) {
      sink.add(`expected key=value, got ${quote(text.substring(ks, ve))}`, ks, Math.max(ve, j + 1));
      continue;
    }
    pair(text.substring(ks, ke), ks, ke, j, vs, ve);
  }
}

/**
 * Reads the `key=value` pairs of a directive body text[start, end) (what follows `# bptt:`),
 * storing valid values into `file` (when given) and reporting every problem at its token.
 */
export function parseDirectiveBody(text: string, start: number, end: number, sink: ErrorSink, file?: FileValues, truncation?: TruncationKeys): void {
  forEachDirectivePair(text, start, end, sink, (key, ks, ke, j, vs, ve) => {
    if (isTruncationKey(key)) {
      if (ve === vs) {
        sink.add(`missing value for ${key} (write ${key}=<steps>)`, ks, j + 1);
        return;
      }
      const value = text.substring(vs, ve);
      const n = parseNumber(value);
      const problem = truncationProblem(key, n, value);
      if (problem) sink.add(problem, vs, ve);
      else if (truncation) truncation[key] = n;
      return;
    }
    if (!isModelKey(key)) {
      sink.add(unknownKeyMessage(key), ks, ke);
      return;
    }
    if (ve === vs) {
      sink.add(`missing value for ${key} (write ${key}=<value>)`, ks, j + 1);
      return;
    }
    const value = text.substring(vs, ve);
    if (isNumericKey(key)) {
      const n = parseNumber(value);
      if (n === undefined) sink.add(`${key}: ${quote(value)} is not a number`, vs, ve);
      else if (!Number.isFinite(n)) sink.add(`${key} must be a finite number, got ${quote(value)}`, vs, ve);
      else if (file) setFileValue(file, key, n);
    } else {
      const k = key as ChoiceKey;
      if (!isChoice(k, value)) sink.add(unknownChoiceMessage(k, value), vs, ve);
      else if (file) setFileValue(file, key, value);
    }
  });
}

/** Why `n` (read from `value`) is not a valid truncate/horizon, or undefined when it is: a whole number ≥ 1. */
export function truncationProblem(key: keyof TruncationKeys, n: number | undefined, value: string): string | undefined {
  if (n !== undefined && Number.isInteger(n) && n >= 1 && n <= 2 ** 31 - 1) return undefined;
  return `${key} must be a whole number ≥ 1 (steps), got ${quote(value)}`;
}

/**
 * If the line text[ls, le) is a `# bptt:` directive, returns the offset just after the colon; else -1.
 * A `# bptt key=value` line without the colon is reported (returns -2) rather than silently ignored.
 */
export function directiveBodyStart(text: string, ls: number, le: number): number {
  let i = ls;
  while (i < le && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i >= le || text.charCodeAt(i) !== 35 /* # */) return -1;
  i++;
  while (i < le && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i + 4 > le || text.substring(i, i + 4).toLowerCase() !== 'bptt') return -1;
  i += 4;
  const afterWord = i;
  while (i < le && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i < le && text.charCodeAt(i) === 58 /* : */) return i + 1;
  if ((afterWord === le || i > afterWord) && text.substring(i, le).includes('=')) return -2;
  return -1;
}

/** The `key=value …` text of a directive line for model (all ten keys, in MODEL_KEYS order). */
export function directivePairs(model: Model): string {
  return MODEL_KEYS.map((k) => `${k}=${valueText(model[k])}`).join(' ');
}

function valueText(v: number | string): string {
  return typeof v === 'number' ? formatNumberForDirective(v) : String(v);
}

/** The `"bptt": {…}` JSON property for model (all ten keys). */
export function jsonDirectiveProperty(model: Model): string {
  const parts = MODEL_KEYS.map((k) => {
    const v = model[k] as number | string;
    const t = typeof v === 'number' ? (Number.isFinite(v) ? formatNumberForDirective(v) : JSON.stringify(String(v))) : JSON.stringify(v);
    return `"${k}": ${t}`;
  });
  return `"bptt": {${parts.join(', ')}}`;
}

/**
 * The edit that makes the file self-describing: replace [offset, offset + length) with text.
 * For a file without a directive length is 0 (a pure insertion at seq.directiveOffset). For a JSON file
 * that already has a "bptt" key, the edit replaces that property (length > 0); for a CSV/TSV file that
 * already has directive lines, the new line goes just above the header so it wins.
 */
export function directiveEdit(seq: ParsedSequence, model: Model): { offset: number; text: string; length: number } {
  const json = seq.format === 'json';
  const layout = seq.directiveLayout ?? {
    start: seq.directiveOffset,
    end: seq.directiveOffset,
    before: '',
    after: json ? ', ' : '\n',
  };
  const body = json ? jsonDirectiveProperty(model) : `# bptt: ${directivePairs(model)}`;
  return { offset: layout.start, length: layout.end - layout.start, text: layout.before + body + layout.after };
}
