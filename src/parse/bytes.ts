/**
 * Sequence files read from bytes, chunk by chunk: each chunk is cut where a line (CSV/TSV) or a JSON
 * token ends (an ASCII byte, so never inside a UTF-8 character), decoded, and given to the readers as
 * one block; the rest is carried to the next chunk. No string ever holds the whole file, so V8's
 * string length limit never applies. The result is the one parseSequence gives for the decoded text: offsets
 * are UTF-16 code-unit offsets into that text (not byte offsets), lines and columns the same.
 */
import type { CallerDefaults, ParsedSequence, SequenceFormat } from './types';
import { DelimitedReader } from './csv';
import { JsonReader } from './json';
import { SAMPLE, utf16HeadMessage } from './encoding';
import { failedSequence } from './failed';

/**
 * Longest run the readers are given without a place to cut (a line, or a JSON token). No real
 * sequence has a 64 MB cell; the bound keeps the one string such a run becomes small beside the
 * worker's heap (≥ 512 MB), because Node ends the whole process, not just the worker, when a single
 * allocation overshoots a worker's heap limit (nodejs/node#47224).
 */
export const MAX_UNCUT = 64 * 1024 * 1024;
/** Offsets are Int32: files up to 2³¹ − 1 characters. */
const MAX_CHARS = 0x7fffffff;

type Reader = DelimitedReader | JsonReader;

/**
 * Where CSV/TSV bytes may be cut: after the last line break (not after a final \r, whose \n may be
 * in the next chunk); -1 if none. A byte below 0x80 is always an ASCII character in UTF-8, so a cut
 * there never splits a character.
 */
function lineCut(b: Uint8Array): number {
  let k = lastBreak(b, b.length - 1);
  if (k === b.length - 1 && b[k] === 13) k = lastBreak(b, k - 1);
  return k < 0 ? -1 : k + 1;
}

/** The last \n or \r in b[0, from], or -1: searched from the end, where it is (lines are short beside a chunk). */
function lastBreak(b: Uint8Array, from: number): number {
  for (let i = from; i >= 0; i--) if (b[i] === 10 || b[i] === 13) return i;
  return -1;
}

/** After one of , : [ ] { } a JSON token has ended. */
function structural(c: number): boolean {
  return c === 44 || c === 58 || c === 91 || c === 93 || c === 123 || c === 125;
}

/**
 * Where JSON bytes may be cut: after the last , : [ ] { or } outside strings and comments, so that
 * no token spans two blocks; -1 if none. Keeps its state from chunk to chunk. Outside strings it jumps
 * from quote to slash with indexOf; only strings and comments go byte by byte.
 */
class JsonCutter {
  private state = 0; // 0 text, 1 string, 2 string escape, 3 line comment, 4 block comment, 5 block comment after *, 6 after /

  cut(b: Uint8Array): number {
    const n = b.length;
    let st = this.state;
    let i = 0;
    const runs: number[] = []; // the text (state 0) runs, to find the last structural byte in
    let quote = -2;
    let slash = -2;
    while (i < n) {
      if (st === 0) {
        if (quote !== -1 && quote < i) quote = b.indexOf(34, i);
        if (slash !== -1 && slash < i) slash = b.indexOf(47, i);
        let q = n;
        if (quote >= 0) q = quote;
        if (slash >= 0 && slash < q) q = slash;
        runs.push(i, q);
        if (q >= n) break;
        st = b[q] === 34 ? 1 : 6;
        i = q + 1;
        continue;
      }
      const c = b[i++];
      if (st === 6) {
        st = c === 47 ? 3 : c === 42 ? 4 : 0;
        if (st === 0) i--; // the byte after a lone "/" is text again
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
    for (let r = runs.length - 2; r >= 0; r -= 2) {
      for (let k = runs[r + 1] - 1; k >= runs[r]; k--) if (structural(b[k])) return k + 1;
    }
    return -1;
  }
}

/**
 * Feeds a reader block by block. Chunks are cut at the byte level (lineCut, JsonCutter): the bytes
 * before the cut, after those carried over from earlier chunks, decode to one flat string (fast to
 * read, unlike a concatenation), and the bytes after it are carried to the next chunk.
 */
class ByteFeeder {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly reader: Reader;
  private readonly cutter: (b: Uint8Array) => number;
  /** The first bytes, held back until there are enough to tell UTF-16. */
  private head: Uint8Array[] | undefined = [];
  private carry: Uint8Array[] = [];
  private carried = 0;
  private base = 0;
  private failed = false;

  constructor(
    private readonly format: SequenceFormat,
    defaults: CallerDefaults | undefined,
    sizeHint: number,
  ) {
    if (format === 'json') {
      this.reader = new JsonReader(defaults);
      const c = new JsonCutter();
      this.cutter = (b) => c.cut(b);
    } else {
      this.reader = new DelimitedReader(format, defaults, sizeHint);
      this.cutter = lineCut;
    }
  }

  push(chunk: Uint8Array): void {
    if (this.failed || chunk.length === 0) return;
    if (this.head) {
      this.head.push(chunk);
      this.carried += chunk.length;
      if (this.carried < SAMPLE) return;
      chunk = this.takeHead();
      if (this.failed) return;
    }
    const cut = this.cutter(chunk);
    if (cut < 0) {
      this.carry.push(chunk);
      this.carried += chunk.length;
      if (this.carried > MAX_UNCUT) {
        const what = this.format === 'json' ? 'a single JSON token' : 'a single line';
        this.fail(`${what} is longer than ${MAX_UNCUT / (1024 * 1024)} MB; BPTT Lens cannot read it`, this.base, this.base);
      }
      return;
    }
    this.carry.push(chunk.subarray(0, cut));
    this.feed(joined(this.carry, this.carried + cut));
    this.carry = [chunk.subarray(cut)];
    this.carried = chunk.length - cut;
  }

  /** The held-back first bytes as one array (checked for UTF-16), to be read like any chunk. */
  private takeHead(): Uint8Array {
    const head = joined(this.head ?? [], this.carried);
    this.head = undefined;
    this.carried = 0;
    const utf16 = utf16HeadMessage(head);
    if (utf16) this.fail(utf16, 0, 0);
    return head;
  }

  private feed(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes);
    if (this.base + text.length > MAX_CHARS) {
      return this.fail('this file is over 2 GiB of text; BPTT Lens reads files of up to 2³¹ − 1 characters', this.base, this.base);
    }
    this.reader.feed(text, this.base);
    this.base += text.length;
  }

  private fail(message: string, start: number, end: number): void {
    this.failed = true;
    this.carry = [];
    this.carried = 0;
    this.reader.fail(message, start, end);
  }

  end(): ParsedSequence {
    if (this.head) {
      const head = this.takeHead();
      if (!this.failed) {
        this.carry = [head];
        this.carried = head.length;
      }
    }
    if (!this.failed && this.carried > 0) this.feed(joined(this.carry, this.carried));
    return this.reader.finish();
  }
}

/** The parts as one array (no copy for one part). */
function joined(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
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
 * sizeHint: the file's size in bytes if known (CSV/TSV then sizes its arrays once instead of growing them).
 * Throws only what reading `chunks` throws (a missing file, say); every problem of the content is a ParseError.
 */
export async function parseSequenceBytes(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  format: SequenceFormat,
  defaults?: CallerDefaults,
  sizeHint = 0,
): Promise<ParsedSequence> {
  const feeder = new ByteFeeder(format, defaults, sizeHint);
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
export function parseSequenceBytesSync(
  chunks: Iterable<Uint8Array>,
  format: SequenceFormat,
  defaults?: CallerDefaults,
  sizeHint = 0,
): ParsedSequence {
  return guarded(format, defaults, () => {
    const feeder = new ByteFeeder(format, defaults, sizeHint);
    for (const chunk of chunks) feeder.push(chunk);
    return feeder.end();
  });
}

/** A large byte array as chunks of about 1 MB (views, not copies). */
export function* byteChunks(bytes: Uint8Array, size = 1 << 20): Generator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.subarray(o, Math.min(bytes.length, o + size));
}
