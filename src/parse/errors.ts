import type { ParseError } from './types';
import { LineIndex } from './lines';

/** At most this many errors are reported; the rest are summed up in one final error. */
export const MAX_ERRORS = 100;

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
      this.msgs.push(message);
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

/** Adds a first error that every later one hides: the file is not text the parsers can read. */
export function fatal(sink: ErrorSink, message: string, start: number, end: number): void {
  sink.clear();
  sink.add(message, start, end);
}

/** Shortens user text quoted in a message. */
export function quote(s: string, max = 40): string {
  const t = s.length > max ? s.slice(0, max) + '…' : s;
  return JSON.stringify(t);
}
