/**
 * Which kind of file FILE is, read no more than it takes: a vector-model file (it names weights) is
 * read whole as text; a scalar file is left to the streaming parser exactly as before. A CSV/TSV
 * file decides in its first lines (directives come before the header); a JSON file only when the
 * word "weights" occurs in it. stdin cannot be read twice, so its bytes are kept for the scalar parser.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isVectorText } from '../parse/vector';
import type { SequenceFormat } from '../parse';

export type Input = { kind: 'vector'; text: string } | { kind: 'scalar'; chunks?: Uint8Array[] };

/** The head a CSV/TSV file's directives must fit in. */
const HEAD = 1 << 20;
const WORD = Buffer.from('"weights"');
const decoder = () => new TextDecoder('utf-8', { ignoreBOM: true });

/** Throws what reading FILE throws (a missing file, say); the caller words it. */
export async function classifyInput(file: string, format: SequenceFormat): Promise<Input> {
  if (file === '-') return classifyBytes(await readAll(process.stdin), format);
  if (format !== 'json') {
    const head = await readHead(file, HEAD);
    return isVectorText(decoder().decode(head), format) ? { kind: 'vector', text: await readText(file) } : { kind: 'scalar' };
  }
  if (!(await fileHas(file, WORD))) return { kind: 'scalar' };
  const text = await readText(file);
  return isVectorText(text, format) ? { kind: 'vector', text } : { kind: 'scalar' };
}

function classifyBytes(chunks: Uint8Array[], format: SequenceFormat): Input {
  let text: string | undefined;
  if (format !== 'json' || chunks.some((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).includes(WORD))) {
    const d = decoder();
    text = chunks.map((c) => d.decode(c, { stream: true })).join('') + d.decode();
  }
  return text !== undefined && isVectorText(text, format) ? { kind: 'vector', text } : { kind: 'scalar', chunks };
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return chunks;
}

async function readHead(file: string, max: number): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function readText(file: string): Promise<string> {
  const d = decoder();
  let text = '';
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) text += d.decode(c as Buffer, { stream: true });
  return text + d.decode();
}

/** Whether the file's bytes contain word (a match may straddle two chunks). */
async function fileHas(file: string, word: Buffer): Promise<boolean> {
  let tail: Buffer = Buffer.alloc(0);
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const b = c as Buffer;
    if (Buffer.concat([tail, b.subarray(0, word.length - 1)]).includes(word) || b.includes(word)) return true;
    tail = b.subarray(Math.max(0, b.length - word.length + 1));
  }
  return false;
}
