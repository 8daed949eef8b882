/**
 * BPTT Lens sequence files: CSV / TSV with `# bptt:` directives, and JSON `{"bptt": {…}, "x": [...], "y": [...]}`.
 * Runs anywhere (Node, CLI, web worker): no vscode, no DOM, no Node-only modules. Never throws.
 */
import type { CallerDefaults, ParsedSequence, SequenceFormat } from './types';
import { parseDelimited } from './csv';
import { parseJson } from './json';
import { failedSequence } from './failed';
import { isVectorText, parseVectorSequence, type ParsedVectorSequence } from './vector';

export { directiveEdit } from './directive';
export { formatNumberForDirective, parseNumber } from './numbers';
export { lineCol, LineIndex } from './lines';
export { MAX_ERRORS } from './errors';
export { MAX_DEPTH } from './jsonSyntax';
export { byteChunks, MAX_UNCUT, parseSequenceBytes, parseSequenceBytesSync } from './bytes';
export * from './types';

/** Parses a sequence file's text. Every problem becomes a located ParseError; this function never throws. */
export function parseSequence(text: string, format: SequenceFormat, defaults?: CallerDefaults): ParsedSequence {
  try {
    const src = typeof text === 'string' ? text : String(text ?? '');
    return format === 'json' ? parseJson(src, defaults) : parseDelimited(src, format, defaults);
  } catch (e) {
    // Defensive: a bug in the parser must not take down the extension host or the CLI.
    return failedSequence(format, defaults, e);
  }
}

/**
 * Parses any sequence file: a vector-model file (one that names weights: a `weights=` directive key,
 * a "weights" key) into a ParsedVectorSequence, any other file exactly as parseSequence does.
 */
export function parseAnySequence(text: string, format: SequenceFormat, defaults?: CallerDefaults): ParsedSequence | ParsedVectorSequence {
  const src = typeof text === 'string' ? text : String(text ?? '');
  let vector = false;
  try {
    vector = isVectorText(src, format);
  } catch {
    // a file the detector cannot read is left to the scalar parser's located errors
  }
  return vector ? parseVectorSequence(src, format, defaults) : parseSequence(src, format, defaults);
}

/** True for the result of a vector-model file. */
export function isVectorSequence(seq: ParsedSequence | ParsedVectorSequence): seq is ParsedVectorSequence {
  return (seq as ParsedVectorSequence).kind === 'vector';
}

/** The format a file name implies: .csv, .tsv, .json (any case); undefined for anything else. */
export function formatFromFileName(fileName: string): SequenceFormat | undefined {
  const m = /\.(csv|tsv|json)$/i.exec(typeof fileName === 'string' ? fileName : '');
  return m ? (m[1].toLowerCase() as SequenceFormat) : undefined;
}

/** Largest t in [0, T) with start[t] <= offset, treating negative starts (a missing element) as +∞; -1 if none. */
function lastStartAtOrBefore(start: Int32Array, T: number, offset: number): number {
  let lo = 0;
  let hi = T - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = start[mid];
    if (s >= 0 && s <= offset) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/**
 * CSV/TSV: the 0-based step whose row is line `line` (0-based), else -1. A row is one line, so the
 * editor needs no offsets to find it. O(log T).
 */
export function stepAtLine(seq: ParsedSequence, line: number): number {
  let lo = 0;
  let hi = seq.T - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const l = seq.line[mid];
    if (l === line) return mid;
    if (l < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The 0-based step whose row (CSV/TSV) or x[t]/y[t] element (JSON) contains offset — end inclusive, so a
 * cursor just after the text still counts — else -1. O(log T), no allocation.
 */
export function stepAtOffset(seq: ParsedSequence, offset: number): number {
  const T = seq.T;
  if (!(T > 0) || !(offset >= 0)) return -1;
  if (seq.format !== 'json') {
    const t = lastStartAtOrBefore(seq.rowStart, T, offset);
    return t >= 0 && offset <= seq.rowEnd[t] ? t : -1;
  }
  const tx = lastStartAtOrBefore(seq.xStart, T, offset);
  if (tx >= 0 && offset <= seq.xEnd[tx]) return tx;
  const ty = lastStartAtOrBefore(seq.yStart, T, offset);
  if (ty >= 0 && offset <= seq.yEnd[ty]) return ty;
  return -1;
}
