/**
 * .npy (format versions 1, 2 and 3): the magic "\x93NUMPY", a version, a header length (u16 LE in
 * v1, u32 LE in v2/v3), and a Python dict literal {'descr': '<f8', 'fortran_order': False,
 * 'shape': (3, 4), } — read by a small tokenizer, never evaluated. Then the data, in C or Fortran order.
 */
import type { TensorEntry, WeightsProblem } from './types';
import { dtypeProblem, fortranToRowMajor, readFloats, shapeProblem, shapeSize } from './tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** NumPy's headers are a few hundred bytes; a structured dtype may be longer. */
const MAX_HEADER = 1 << 20;
const ADVICE = 'save with np.save(path, a.astype(np.float64))';

export type NpyResult = { ok: true; tensor: TensorEntry } | { ok: false; problem: WeightsProblem };

type PyValue = string | boolean | number[] | null;

/**
 * The header dict: string keys, values that are 'strings', True/False/None or tuples of integers.
 * Anything else (a list descr: a structured dtype) is null with the reason.
 */
export function parseNpyHeader(text: string): { ok: true; dict: Map<string, PyValue> } | { ok: false; why: string } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')) i++;
  };
  const str = (): string | null => {
    const q = text[i];
    if (q !== "'" && q !== '"') return null;
    const close = text.indexOf(q, i + 1);
    if (close < 0) return null;
    const s = text.slice(i + 1, close);
    i = close + 1;
    return s;
  };
  const value = (): PyValue | undefined => {
    ws();
    if (text[i] === "'" || text[i] === '"') return str() ?? undefined;
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    if (text[i] !== '(') return undefined;
    i++;
    const dims: number[] = [];
    for (;;) {
      ws();
      if (text[i] === ')') break;
      const m = /^\d{1,16}L?/.exec(text.slice(i, i + 18));
      if (!m) return undefined;
      dims.push(Number(m[0].replace('L', '')));
      i += m[0].length;
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== ')') return undefined;
    }
    i++;
    return dims;
  };
  const dict = new Map<string, PyValue>();
  ws();
  if (text[i++] !== '{') return { ok: false, why: 'the header is not a dict' };
  for (;;) {
    ws();
    if (text[i] === '}') return { ok: true, dict };
    const key = str();
    if (key === null) return { ok: false, why: 'expected a quoted key in the header' };
    ws();
    if (text[i++] !== ':') return { ok: false, why: `expected ":" after '${key}' in the header` };
    ws();
    if (key === 'descr' && text[i] === '[') return { ok: false, why: 'a structured dtype (a list descr); expected a plain float array' };
    const v = value();
    if (v === undefined) return { ok: false, why: `the value of '${key}' is not a string, True/False or a tuple of integers` };
    dict.set(key, v);
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return { ok: false, why: 'expected "," or "}" in the header' };
  }
}

/** What a descr such as '<f2', '|O', '<i8' is, for the refusal. */
function descrKind(type: string): string {
  if (type === 'f2') return 'float16';
  if (type === 'O') return 'an object array (a pickle), which BPTT Lens never loads';
  if (/^[iu]\d$/.test(type)) return 'an integer type';
  if (type === 'b1' || type === '?') return 'bool';
  if (type.startsWith('c')) return 'complex';
  return 'not a float array';
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/** One .npy file, from `bytes` (which may be a view into a larger .npz); `name` is for messages. */
export function readNpy(bytes: Uint8Array, name: string): NpyResult {
  const fail = (message: string, offset: number): NpyResult => ({ ok: false, problem: { message: `${name}: ${message}`, tensor: name, offset } });
  for (let j = 0; j < MAGIC.length; j++) {
    if (bytes[j] !== MAGIC[j]) return fail('not a .npy file (it does not start with "\\x93NUMPY")', 0);
  }
  if (bytes.length < 10) return fail('truncated .npy header', bytes.length);
  const major = bytes[6];
  if (major < 1 || major > 3) return fail(`.npy format version ${major}.${bytes[7]}; expected 1.0, 2.0 or 3.0`, 6);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) return fail('truncated .npy header', bytes.length);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthSize;
  if (headerLength > MAX_HEADER || headerStart + headerLength > bytes.length) {
    return fail(`the header length is ${headerLength}, but ${bytes.length - headerStart} bytes follow: truncated or not a .npy file`, 8);
  }
  // v1 and v2 headers are latin-1, v3 UTF-8; a valid header is ASCII in all three
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const parsed = parseNpyHeader(text);
  if (!parsed.ok) return fail(parsed.why, headerStart);
  const { dict } = parsed;
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string' || typeof fortran !== 'boolean' || !Array.isArray(shape)) {
    return fail("the header needs 'descr' (a string), 'fortran_order' (True/False) and 'shape' (a tuple)", headerStart);
  }
  // descr: a byte order ('<' little, '>' big, '|' not applicable, '=' native) and a type code
  const order = /^[<>|=]/.test(descr) ? descr[0] : '=';
  const type = /^[<>|=]/.test(descr) ? descr.slice(1) : descr;
  const itemSize = type === 'f8' ? 8 : type === 'f4' ? 4 : 0;
  if (itemSize === 0) return { ok: false, problem: dtypeProblem(name, descrKind(type), descr, ADVICE, headerStart) };
  if (order === '|') return fail(`descr '${descr}': a float needs a byte order '<' or '>'`, headerStart);
  const size = shapeSize(shape);
  if (size < 0) return { ok: false, problem: shapeProblem(name, shape, headerStart) };
  const dataStart = headerStart + headerLength;
  if (bytes.length - dataStart < size * itemSize) {
    return fail(`shape ${JSON.stringify(shape)} of ${descr} needs ${size * itemSize} data bytes, but the file has ${bytes.length - dataStart}: truncated`, dataStart);
  }
  // '=' is the writer's native order, little-endian on every machine NumPy ships for
  const raw = readFloats(bytes, dataStart, size, itemSize, order !== '>');
  const data = fortran ? fortranToRowMajor(raw, shape) : raw;
  return { ok: true, tensor: { name, shape, dtype: descr, data } };
}
