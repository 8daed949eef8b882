/**
 * Is a sequence file a vector-model file? It is when it names weights: a `weights=` key in a CSV/TSV
 * `# bptt:` directive (they come before the header), or in JSON a top-level "weights" key or a
 * "weights" key in the "bptt" object. Anything else is a scalar file, parsed exactly as before.
 */
import { createScanner } from 'jsonc-parser';
import type { SequenceFormat } from '../types';
import { ErrorSink } from '../errors';
import { directiveBodyStart, forEachDirectivePair } from '../directive';
import { HASH, lineEndFrom, nextLineStart, skipBlanks } from '../csvCells';
import { T_OPEN_BRACE, T_OPEN_BRACKET, T_STRING } from '../jsonSyntax';

const T_CLOSE_BRACE = 2;
const T_CLOSE_BRACKET = 4;
const T_COMMA = 5;
const T_COLON = 6;
const T_EOF = 17;

/** True when text (the whole file, or for CSV/TSV any head of it that holds the lines above the header) names weights. */
export function isVectorText(text: string, format: SequenceFormat): boolean {
  return format === 'json' ? jsonNamesWeights(text) : directiveNamesWeights(text);
}

/** Whether the line at p starts with something other than blanks and `#`: the header or a data row. */
export function startsHeader(text: string, p: number, n: number): boolean {
  const fs = skipBlanks(text, p, n);
  if (fs >= n) return false;
  const c = text.charCodeAt(fs);
  return c !== HASH && c !== 10 && c !== 13;
}

function directiveNamesWeights(text: string): boolean {
  const n = text.length;
  const sink = new ErrorSink();
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (p < n) {
    // The header ends the directives: decided at its first character, without scanning the line
    // (a header can be megabytes long).
    if (startsHeader(text, p, n)) return false;
    const le = lineEndFrom(text, p, n);
    const fs = skipBlanks(text, p, le);
    if (fs < le) {
      const body = directiveBodyStart(text, p, le);
      let found = false;
      if (body >= 0) forEachDirectivePair(text, body, le, sink, (key) => { found ||= key === 'weights'; });
      if (found) return true;
    }
    p = nextLineStart(text, le, n);
  }
  return false;
}

/** A top-level "weights" key, or "weights" in the top-level "bptt" object. Scans tokens only when the word occurs at all. */
function jsonNamesWeights(text: string): boolean {
  if (text.indexOf('"weights"') < 0) return false;
  const sc = createScanner(text, true);
  // the open containers: true for an object; whether the next string in an object is a key
  const stack: boolean[] = [];
  let expectKey = false;
  let key = '';
  let inBptt = false;
  for (;;) {
    const tok = sc.scan();
    if (tok === T_EOF) return false;
    if (tok === T_OPEN_BRACE || tok === T_OPEN_BRACKET) {
      inBptt = stack.length === 1 && key === 'bptt' && tok === T_OPEN_BRACE ? true : stack.length === 1 ? false : inBptt;
      stack.push(tok === T_OPEN_BRACE);
      expectKey = tok === T_OPEN_BRACE;
      key = '';
    } else if (tok === T_CLOSE_BRACE || tok === T_CLOSE_BRACKET) {
      stack.pop();
      if (stack.length <= 1) inBptt = false;
      expectKey = false;
    } else if (tok === T_COMMA) {
      expectKey = stack.length > 0 && stack[stack.length - 1];
    } else if (tok === T_STRING && expectKey) {
      key = sc.getTokenValue();
      if (key === 'weights' && (stack.length === 1 || (stack.length === 2 && inBptt))) return true;
      expectKey = false;
    } else if (tok !== T_COLON) {
      expectKey = false;
    }
  }
}
