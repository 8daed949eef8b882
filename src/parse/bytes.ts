/**
 * Sequence files read from bytes, chunk by chunk: UTF-8 is decoded per chunk (a character split
 * between chunks is carried over by the decoder), and the text goes to the readers in blocks that end
 * where a line (CSV/TSV) or a JSON token ends, so no string ever holds the whole file and V8's string
 * length limit never applies. The result is the one parseSequence gives for the decoded text: offsets
 * are UTF-16 code-unit offsets into that text (not byte offsets), lines and columns the same.
 */
import type { CallerDefaults, ParsedSequence, SequenceFormat } from './types';
import { DelimitedReader } from './csv';
import { JsonReader } from './json';
import { SAMPLE, utf16HeadMessage } from './encoding';
import { failedSequence } from './failed';

/** Longest run the readers are given without a place to cut (a line, or a JSON token): well under V8's string limit. */
export const MAX_UNCUT = 1 << 28;
/** Offsets are Int32: files up to 2³¹ − 1 characters. */
const MAX_CHARS = 0x7fffffff;

type Reader = DelimitedReader | JsonReader;

/** Where a CSV/TSV text may be cut: after its last line break (not between \r and a possible \n). */
function lineCut(s: string): number {
  const n = s.length;
  let k = Math.max(s.lastIndexOf('\n'), s.lastIndexOf('\r'));
  if (k === n - 1 && s.charCodeAt(k) === 13) k = Math.max(s.lastIndexOf('\n', n - 2), s.lastIndexOf('\r', n - 2));
  return k + 1;
}

/** After one of , : [ ] { } a JSON token has ended. */
function structural(c: number): boolean {
  return c === 44 || c === 58 || c === 91 || c === 93 || c === 123 || c === 125;
}

/**
 * Where a JSON text may be cut: after its last , : [ ] { or } outside strings and comments, so that
 * no token spans two blocks. Keeps its state across calls (s grows at the end, loses its start).
 * Outside strings it jumps from quote to slash with indexOf; only strings and comments go char by char.
 */
class JsonCutter {
  private state = 0; // 0 text, 1 string, 2 string escape, 3 line comment, 4 block comment, 5 block comment after *, 6 after /
  private scanned = 0; // chars of the current text already scanned

  cut(s: string): number {
    const n = s.length;
    let st = this.state;
    let i = this.scanned;
    // the text (state 0) runs seen, newest last, to find the last structural character in
    const runs: number[] = [];
    let quote = -2;
    let slash = -2;
    while (i < n) {
      if (st === 0) {
        if (quote !== -1 && quote < i) quote = s.indexOf('"', i);
        if (slash !== -1 && slash < i) slash = s.indexOf('/', i);
        let q = n;
        if (quote >= 0) q = quote;
        if (slash >= 0 && slash < q) q = slash;
        runs.push(i, q);
        if (q >= n) {
          i = n;
          break;
        }
        st = s.charCodeAt(q) === 34 ? 1 : 6;
        i = q + 1;
        continue;
      }
      const c = s.charCodeAt(i++);
      if (st === 6) {
        st = c === 47 ? 3 : c === 42 ? 4 : 0;
        if (st === 0) i--; // the character after a lone "/" is text again
      } else if (st === 1) {
        if (c === 92) st = 2;
        else if (c === 34 || c === 10 || c === 13) st = 0;
      } else if (st === 2) st = 1;
      else if (st === 3) {
        if (c === 10 || c === 13) st = 0;
      } else if (st === 4) {
        if (c === 42) st = 5;
      } else if (st === 5) st = c === 47 ? 0 : c === 42 ? 5 : 4;
    }
    this.state = st;
    let safe = 0;
    for (let r = runs.length - 2; r >= 0 && safe === 0; r -= 2) {
      for (let k = runs[r + 1] - 1; k >= runs[r]; k--) {
        if (structural(s.charCodeAt(k))) {
          safe = k + 1;
          break;
        }
      }
    }
    // the caller drops s[0, safe): keep positions relative to what remains
    this.scanned = n - safe;
    return safe;
  }
}

/** Feeds decoded chunks to a reader in blocks that end where a line or token ends. */
class ByteFeeder {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly reader: Reader;
  private readonly cutter: (s: string) => number;
  private head: Uint8Array[] | undefined = [];
  private headBytes = 0;
  private pending = '';
  private base = 0;
  private failed = false;

  constructor(
    private readonly format: SequenceFormat,
    defaults: CallerDefaults | undefined,
  ) {
    if (format === 'json') {
      this.reader = new JsonReader(defaults);
      const c = new JsonCutter();
      this.cutter = (s) => c.cut(s);
    } else {
      this.reader = new DelimitedReader(format, defaults);
      this.cutter = lineCut;
    }
  }

  push(chunk: Uint8Array): void {
    if (this.failed || chunk.length === 0) return;
    if (this.head) {
      // hold the first bytes back until there are enough to tell UTF-16 by its byte order mark
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes < SAMPLE) return;
      this.flushHead();
      return;
    }
    this.text(this.decoder.decode(chunk, { stream: true }), false);
  }

  private flushHead(): void {
    const head = this.head ?? [];
    this.head = undefined;
    const bytes = new Uint8Array(this.headBytes);
    let o = 0;
    for (const h of head) {
      bytes.set(h, o);
      o += h.length;
    }
    const utf16 = utf16HeadMessage(bytes);
    if (utf16) return this.fail(utf16, 0, 0);
    this.text(this.decoder.decode(bytes, { stream: true }), false);
  }

  private text(s: string, last: boolean): void {
    const all = this.pending.length > 0 ? this.pending + s : s;
    const cut = last ? all.length : this.cutter(all);
    if (this.base + all.length > MAX_CHARS) {
      return this.fail('this file is over 2 GiB of text; BPTT Lens reads files of up to 2³¹ − 1 characters', this.base, this.base);
    }
    if (cut > 0) {
      this.reader.feed(cut === all.length ? all : all.substring(0, cut), this.base);
      this.base += cut;
    }
    this.pending = cut === all.length ? '' : all.substring(cut);
    if (this.pending.length > MAX_UNCUT) {
      const what = this.format === 'json' ? 'a single JSON token' : 'a single line';
      this.fail(`${what} is longer than ${MAX_UNCUT} characters; BPTT Lens cannot read it`, this.base, this.base);
    }
  }

  private fail(message: string, start: number, end: number): void {
    this.failed = true;
    this.pending = '';
    this.reader.fail(message, start, end);
  }

  end(): ParsedSequence {
    if (this.head) this.flushHead();
    if (!this.failed) this.text(this.decoder.decode(), true);
    return this.reader.finish();
  }
}

function guarded(format: SequenceFormat, defaults: CallerDefaults | undefined, run: () => ParsedSequence): ParsedSequence {
  try {
    return run();
  } catch (e) {
    return failedSequence(format, defaults, e);
  }
}

/**
 * Parses a sequence file from its bytes (UTF-8) as they come. See the module comment for offsets.
 * Throws only what reading `chunks` throws (a missing file, say); every problem of the content is a ParseError.
 */
export async function parseSequenceBytes(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  format: SequenceFormat,
  defaults?: CallerDefaults,
): Promise<ParsedSequence> {
  const feeder = new ByteFeeder(format, defaults);
  let failure: unknown;
  for await (const chunk of chunks) {
    if (failure !== undefined) continue;
    try {
      feeder.push(chunk);
    } catch (e) {
      failure = e;
    }
  }
  if (failure !== undefined) return failedSequence(format, defaults, failure);
  return guarded(format, defaults, () => feeder.end());
}

/** parseSequenceBytes for bytes already in memory (the extension's worker). */
export function parseSequenceBytesSync(chunks: Iterable<Uint8Array>, format: SequenceFormat, defaults?: CallerDefaults): ParsedSequence {
  return guarded(format, defaults, () => {
    const feeder = new ByteFeeder(format, defaults);
    for (const chunk of chunks) feeder.push(chunk);
    return feeder.end();
  });
}

/** A large byte array as chunks of about 1 MB (views, not copies). */
export function* byteChunks(bytes: Uint8Array, size = 1 << 20): Generator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.subarray(o, Math.min(bytes.length, o + size));
}
