/**
 * JSON read token by token with jsonc-parser's scanner, block by block, in fixed memory: an explicit
 * stack of open arrays/objects (at most MAX_DEPTH deep) instead of a tree or recursion. The grammar and
 * the first error reported are those of jsonc-parser's own parser (disallowComments, no trailing
 * commas); reading stops at the first syntax error. Subclasses see values through the on* hooks.
 */
import { createScanner } from 'jsonc-parser';
import { ErrorSink, quote } from './errors';
import { NUM, scanNumber } from './numbers';

/** 10^0 … 10^22 are exact doubles. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Arrays and objects nest at most this deep. */
export const MAX_DEPTH = 64;

// jsonc-parser's SyntaxKind (a const enum there, so spelled out here for bundlers)
export const T_OPEN_BRACE = 1;
const T_CLOSE_BRACE = 2;
export const T_OPEN_BRACKET = 3;
const T_CLOSE_BRACKET = 4;
const T_COMMA = 5;
const T_COLON = 6;
const T_COMMA_CHAR = 44;
export const T_NULL = 7;
export const T_TRUE = 8;
export const T_FALSE = 9;
export const T_STRING = 10;
export const T_NUMBER = 11;
const T_LINE_COMMENT = 12;
const T_BLOCK_COMMENT = 13;
const T_LINE_BREAK = 14;
const T_TRIVIA = 15;
const T_UNKNOWN = 16;
const T_EOF = 17;

/** jsonc-parser's ParseErrorCode values. */
const SYNTAX_MESSAGES: Record<number, string> = {
  1: 'unexpected character or word; JSON values are numbers, "strings", true, false, null, [arrays] and {objects}',
  2: 'invalid number',
  3: 'expected a property name in double quotes',
  4: 'expected a value',
  5: 'expected ":" after the property name',
  6: 'expected "," between items',
  7: 'expected "}" to close the object',
  8: 'expected "]" to close the array',
  9: 'unexpected text after the end of the JSON value',
  10: 'comments are not allowed in JSON',
  11: 'unterminated comment',
  12: 'unterminated string: the closing quote is missing',
  13: 'incomplete number',
  14: 'invalid \\u escape in string',
  15: 'invalid escape character in string',
  16: 'invalid character in string (control characters must be escaped)',
};
/** The scanner's ScanError → ParseErrorCode (1, an unterminated comment, is reported as a comment). */
const SCAN_ERRORS: Record<number, number> = { 2: 12, 3: 13, 4: 14, 5: 15, 6: 16 };

/** The message for error `code` at text[offset, offset + length) of a block (atEnd: the file ends there). */
function syntaxMessage(code: number, text: string, offset: number, length: number, atEnd: boolean): string {
  if (code === 1) {
    const m = /^[-+]?(NaN|Infinity|inf|nan)/.exec(text.substr(offset, 12));
    if (m) return `${m[0]} is not valid JSON; write it as the string ${JSON.stringify(m[0].replace(/^\+/, ''))}`;
    const found = text.substr(offset, Math.min(Math.max(length, 1), 20));
    return `unexpected ${quote(found)}: JSON values are numbers, "strings", true, false, null, [arrays] and {objects}, and property names need double quotes`;
  }
  const msg = SYNTAX_MESSAGES[code] ?? 'invalid JSON';
  if (code >= 4 && code <= 9) {
    if (atEnd) return `${msg}, but the file ends here`;
    return `${msg}, but found ${quote(text.substr(offset, Math.min(Math.max(length, 1), 20)))}`;
  }
  return msg;
}

// states of an open array / object
const A_FIRST = 0; // after "["
const A_AFTER = 1; // after an element
const A_NEXT = 2; // after ","
const O_FIRST = 3; // after "{"
const O_AFTER = 4; // after a value
const O_KEY = 5; // after ","
const O_COLON = 6; // after a key
const O_VALUE = 7; // after ":"

/** An open array or object. `role` and the rest belong to the subclass. */
export interface Frame {
  array: boolean;
  state: number;
  /** Offset of the "[" or "{". */
  start: number;
  /** What the subclass reads here. */
  role: number;
  /** Elements seen (arrays). */
  count: number;
  /** The current key (objects), its offset and length. */
  key: string;
  keyStart: number;
  keyEnd: number;
}

export abstract class JsonTokenReader {
  protected readonly stack: Frame[] = [];
  /** 0: before the top-level value, 1: inside or after it. */
  private top = 0;
  /** Set at the first syntax error: nothing more is read. */
  protected stopped = false;
  /** Whitespace between the top-level "{" and its first key (for the directive's layout); undefined if not only whitespace. */
  protected gap: string | undefined = '';
  protected eol = '';

  /** Every problem found, located. */
  readonly sink = new ErrorSink();
  /** Set at the first syntax error: from then on only it is reported. */
  protected syntaxError = false;

  /** A syntax error: the only error reported, then reading stops (a half-typed file would drown it in consequences). */
  protected onSyntaxError(message: string, start: number, end: number): void {
    this.syntaxError = true;
    this.sink.clear();
    this.sink.add(message, start, end);
  }

  /** A problem with what was read, unless a syntax error already stands alone. */
  protected report(message: string, start: number, end: number): void {
    if (!this.syntaxError) this.sink.add(message, start, end);
  }
  /** A string/number/true/false/null value at [start, start + length) of the whole text; local: its offset in `text`. */
  protected abstract onScalar(parent: Frame | undefined, token: number, text: string, local: number, length: number, start: number, value: string): void;
  /** An array or object opens at `start`: returns its role. */
  protected abstract onOpen(parent: Frame | undefined, array: boolean, start: number): number;
  /** An array or object closes; end is just after the "]" or "}". */
  protected abstract onClose(frame: Frame, end: number, parent: Frame | undefined): void;
  /** A key is read in an object (frame.key etc. are set). */
  protected abstract onKey(frame: Frame): void;

  /** Reads text, the part of the whole text that starts at offset base. Blocks must not split a token (see JsonCutter). */
  protected readBlock(text: string, base: number): void {
    if (this.stopped) return;
    const sc = createScanner(text, false);
    for (;;) {
      const f = this.stack.length > 0 ? this.stack[this.stack.length - 1] : undefined;
      if (f !== undefined && f.array && this.numeric(f.role)) {
        const p = sc.getPosition();
        const q = this.plainNumbers(f, text, p, base);
        if (q !== p) sc.setPosition(q);
      }
      const tok = sc.scan();
      if (tok === T_EOF) return;
      const local = sc.getTokenOffset();
      const len = sc.getTokenLength();
      const err = sc.getTokenError();
      if (err !== 0 && err !== 1) return this.syntax(SCAN_ERRORS[err] ?? 1, text, local, len, base);
      if (tok === T_LINE_BREAK || tok === T_TRIVIA) {
        if (tok === T_LINE_BREAK && this.eol === '') this.eol = text.substr(local, len);
        const f = this.stack.length === 1 ? this.stack[0] : undefined;
        if (f && f.state === O_FIRST && this.gap !== undefined && this.gap.length < 4096) this.gap += text.substr(local, len);
        continue;
      }
      if (tok === T_LINE_COMMENT || tok === T_BLOCK_COMMENT) return this.syntax(10, text, local, len, base);
      if (tok === T_UNKNOWN) return this.syntax(1, text, local, len, base);
      this.token(tok, text, local, len, base, tok === T_STRING ? sc.getTokenValue() : '');
      if (this.stopped) return;
    }
  }

  /** True for arrays of numbers (the subclass's x, y, claims), which are read by the fast path below. */
  protected numeric(_role: number): boolean {
    return false;
  }

  /**
   * The fast path through an array of numbers: reads `number , number , …` from text[p] while it is
   * plain (JSON numbers followed by a comma, "]" or white space; spaces, tabs and line breaks
   * between), exactly as the scanner would, and returns where it stopped. Anything else (a string,
   * null, "]", an error) is left to the scanner, so the grammar and its errors stay jsonc-parser's.
   */
  private plainNumbers(f: Frame, text: string, p: number, base: number): number {
    const n = text.length;
    for (;;) {
      let c = 0;
      while (p < n && ((c = text.charCodeAt(p)) === 32 || c === 9 || c === 10 || c === 13)) {
        if (c !== 32 && c !== 9 && this.eol === '') this.eol = c === 13 && text.charCodeAt(p + 1) === 10 ? '\r\n' : c === 13 ? '\r' : '\n';
        p++;
      }
      if (p >= n) return p;
      if (f.state === A_AFTER) {
        if (c !== T_COMMA_CHAR) return p;
        f.state = A_NEXT;
        p++;
        continue;
      }
      // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, then a delimiter; its value read on the way
      // (Clinger's fast path as in numbers.ts: ≤ 15 digits and a small exponent are exact, else scanNumber)
      const s = p;
      let i = c === 45 ? p + 1 : p;
      let d = text.charCodeAt(i);
      let mant = 0;
      let nd = 0;
      let scale = 0;
      if (d === 48) i++;
      else if (d >= 49 && d <= 57) {
        do {
          mant = mant * 10 + (d - 48);
          nd++;
        } while (++i < n && (d = text.charCodeAt(i)) >= 48 && d <= 57);
      } else return s;
      if (text.charCodeAt(i) === 46) {
        d = text.charCodeAt(++i);
        if (!(d >= 48 && d <= 57)) return s;
        do {
          if (nd > 0 || d !== 48) {
            mant = mant * 10 + (d - 48);
            nd++;
          }
          scale--;
        } while (++i < n && (d = text.charCodeAt(i)) >= 48 && d <= 57);
      }
      let exact = nd <= 15;
      if ((text.charCodeAt(i) | 32) === 101) {
        exact = false;
        d = text.charCodeAt(++i);
        if (d === 43 || d === 45) d = text.charCodeAt(++i);
        if (!(d >= 48 && d <= 57)) return s;
        while (i < n && (d = text.charCodeAt(++i)) >= 48 && d <= 57);
      }
      if (i >= n) return s;
      d = text.charCodeAt(i);
      if (d !== T_COMMA_CHAR && d !== 93 && d !== 32 && d !== 9 && d !== 10 && d !== 13) return s;
      let v: number;
      if (exact && scale >= -22) v = c === 45 ? -(mant / POW10[-scale]) : mant / POW10[-scale];
      else {
        scanNumber(text, s, i);
        v = NUM[0];
      }
      this.onPlainNumber(f, v, text, s, i - s, base + s);
      this.after(f);
      p = i;
    }
  }

  /** A number the fast path read (value v) in an array of numbers. */
  protected onPlainNumber(f: Frame, _v: number, text: string, local: number, len: number, start: number): void {
    this.onScalar(f, T_NUMBER, text, local, len, start, '');
  }

  /** The end of the text at offset n. */
  protected readEnd(n: number): void {
    if (!this.stopped) this.token(T_EOF, '', 0, 0, n, '');
  }

  private syntax(code: number, text: string, local: number, len: number, base: number): void {
    const atEnd = local >= text.length;
    this.stopped = true;
    this.onSyntaxError(syntaxMessage(code, text, local, len, atEnd), base + local, base + local + Math.max(len, 0));
  }

  private token(tok: number, text: string, local: number, len: number, base: number, value: string): void {
    const f = this.stack.length > 0 ? this.stack[this.stack.length - 1] : undefined;
    const isValue = tok === T_OPEN_BRACE || tok === T_OPEN_BRACKET || (tok >= T_NULL && tok <= T_NUMBER);
    let code = 0;
    if (!f) {
      if (this.top === 0) {
        if (isValue) return this.value(undefined, tok, text, local, len, base, value);
        code = 4;
      } else if (tok !== T_EOF) code = 9;
      if (code) this.syntax(code, text, local, len, base);
      return;
    }
    switch (f.state) {
      case A_FIRST:
      case A_AFTER:
        if (tok === T_CLOSE_BRACKET) return this.close(f, base + local + len);
        if (tok === T_EOF) code = 8;
        else if (f.state === A_AFTER) {
          if (tok === T_COMMA) {
            f.state = A_NEXT;
            return;
          }
          code = 6;
        } else if (isValue) return this.value(f, tok, text, local, len, base, value);
        else code = 4;
        break;
      case A_NEXT:
      case O_VALUE:
        if (isValue) return this.value(f, tok, text, local, len, base, value);
        code = 4;
        break;
      case O_FIRST:
      case O_AFTER:
        if (tok === T_CLOSE_BRACE) return this.close(f, base + local + len);
        if (tok === T_EOF) code = 7;
        else if (f.state === O_AFTER) {
          if (tok === T_COMMA) {
            f.state = O_KEY;
            return;
          }
          code = 6;
        } else if (tok === T_COMMA) code = 4;
        else if (tok === T_STRING) return this.key(f, local, len, base, value);
        else code = 3;
        break;
      case O_KEY:
        if (tok === T_STRING) return this.key(f, local, len, base, value);
        code = 3;
        break;
      case O_COLON:
        if (tok === T_COLON) {
          f.state = O_VALUE;
          return;
        }
        code = 5;
        break;
    }
    this.syntax(code, text, local, len, base);
  }

  private key(f: Frame, local: number, len: number, base: number, value: string): void {
    f.key = value;
    f.keyStart = base + local;
    f.keyEnd = base + local + len;
    f.state = O_COLON;
    this.onKey(f);
  }

  private value(f: Frame | undefined, tok: number, text: string, local: number, len: number, base: number, value: string): void {
    const start = base + local;
    if (tok === T_OPEN_BRACE || tok === T_OPEN_BRACKET) {
      if (this.stack.length >= MAX_DEPTH) {
        this.stopped = true;
        this.onSyntaxError(`nested too deeply: more than ${MAX_DEPTH} levels of [ ] and { }`, start, start + 1);
        return;
      }
      const array = tok === T_OPEN_BRACKET;
      const role = this.onOpen(f, array, start);
      this.stack.push({ array, state: array ? A_FIRST : O_FIRST, start, role, count: 0, key: '', keyStart: -1, keyEnd: -1 });
      return;
    }
    this.onScalar(f, tok, text, local, len, start, value);
    this.after(f);
  }

  /** A value of f (or the top-level value) is complete. */
  private after(f: Frame | undefined): void {
    if (!f) this.top = 1;
    else if (f.array) {
      f.state = A_AFTER;
      f.count++;
    } else f.state = O_AFTER;
  }

  private close(f: Frame, end: number): void {
    this.stack.pop();
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : undefined;
    this.onClose(f, end, parent);
    this.after(parent);
  }
}
