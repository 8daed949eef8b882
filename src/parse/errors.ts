import type { ParseError } from './types';
import { LineIndex } from './lines';

/** At most this many errors are reported; the rest are summed up in one final error. */
export const MAX_ERRORS = 100;

/** File text quoted in a message is cut to this many characters (UTF-16 units) with "…". */
export const MAX_QUOTED = 60;

/**
 * No message is longer than this, whatever it quotes: with MAX_ERRORS that bounds the whole
 * error output (the Problems list, the CLI's stderr) to about 50 kB.
 */
export const MAX_MESSAGE = 500;

/** Collects errors as offset ranges; positions are computed once, at the end, from one line table. */
export class ErrorSink {
  private readonly msgs: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private extra = 0;
  private extraStart = 0;
  private extraEnd = 0;
  /** Added to every offset given to add(): where the block being read starts in the whole text. */
  base = 0;

  get count(): number {
    return this.msgs.length + this.extra;
  }

  add(message: string, start: number, end: number): void {
    start += this.base;
    end += this.base;
    if (end < start) end = start;
    if (this.msgs.length < MAX_ERRORS) {
      this.msgs.push(boundMessage(message));
      this.starts.push(start);
      this.ends.push(end);
    } else {
      if (this.extra === 0) {
        this.extraStart = start;
        this.extraEnd = end;
      }
      this.extra++;
    }
  }

  /** Drops every error (the JSON reader reports only its first syntax error when there is one). */
  clear(): void {
    this.msgs.length = this.starts.length = this.ends.length = 0;
    this.extra = 0;
  }

  /** The errors sorted by position, with 0-based line/col ranges clamped to [0, n]. */
  finish(n: number, idx: LineIndex): ParseError[] {
    const k = this.msgs.length;
    if (k === 0) return [];
    const order: number[] = [];
    for (let i = 0; i < k; i++) order.push(i);
    order.sort((a, b) => this.starts[a] - this.starts[b] || a - b);
    const out: ParseError[] = [];
    const make = (message: string, start: number, end: number): ParseError => {
      const s = Math.max(0, Math.min(n, start));
      const e = Math.max(s, Math.min(n, end));
      const line = idx.lineAt(s);
      const endLine = idx.lineAt(e);
      return { message, line, col: s - idx.starts[line], endLine, endCol: e - idx.starts[endLine] };
    };
    for (const i of order) out.push(make(this.msgs[i], this.starts[i], this.ends[i]));
    if (this.extra > 0) {
      out.push(
        make(
          `…and ${this.extra} more error${this.extra === 1 ? '' : 's'} (only the first ${MAX_ERRORS} are listed)`,
          this.extraStart,
          this.extraEnd,
        ),
      );
    }
    return out;
  }
}

/*
 * File text reaches terminals (the CLI's stderr) and the Problems list, so before it goes into a
 * message every character that could steer a terminal or hide text is written as an escape:
 * C0 and C1 controls and DEL (\x1b, \0, \n, \t, …), bidirectional overrides and isolates,
 * line/paragraph separators, BOMs and lone surrogates (\u202e, \ufeff, …).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT: Record<string, string> = { '\0': '\\0', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(ch: string): string {
  const short = SHORT[ch];
  if (short !== undefined) return short;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Cuts s to at most max UTF-16 units, ending in "…", without splitting a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let k = Math.max(0, max - 1);
  const c = s.charCodeAt(k - 1);
  if (c >= 0xd800 && c <= 0xdbff) k--;
  return s.slice(0, k) + '…';
}

/**
 * File text as it may appear in a message: cut to max characters (of the file's text, before
 * escaping) with "…", and every unsafe character escaped. Reads only the first max + 1
 * characters, so a 10 MB cell costs nothing.
 */
export function escapeText(s: string, max = MAX_QUOTED): string {
  const head = s.length > max + 1 ? s.slice(0, max + 1) : s;
  return cut(head, max).replace(UNSAFE, escapeChar);
}

/** File text in double quotes, escaped and cut as escapeText does; `"` and `\` are escaped too. */
export function quote(s: string, max = MAX_QUOTED): string {
  const head = s.length > max + 1 ? s.slice(0, max + 1) : s;
  return '"' + cut(head, max).replace(/["\\]/g, '\\$&').replace(UNSAFE, escapeChar) + '"';
}

/** The safety net every message passes through: unsafe characters escaped, at most MAX_MESSAGE long. */
export function boundMessage(message: string): string {
  return cut(message.length > MAX_MESSAGE + 1 ? message.slice(0, MAX_MESSAGE + 1) : message, MAX_MESSAGE).replace(UNSAFE, escapeChar);
}

/** Adds a first error that every later one hides: the file is not text the parsers can read. */
export function fatal(sink: ErrorSink, message: string, start: number, end: number): void {
  sink.clear();
  sink.add(message, start, end);
}

