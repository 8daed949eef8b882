/**
 * A very small WebAssembly assembler: just what the vector kernel's two SIMD functions need, so
 * the module is built from bytes in the bundle (no toolchain, no fetch, no fs) in Node and in a
 * browser Web Worker alike. Binary format: https://webassembly.github.io/spec/core/binary/
 */

export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** A memory argument: alignment (log2 bytes) and a constant byte offset. */
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** The instructions used, each a function returning its bytes. */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a], i32Mul: [0x6c], i32Shl: [0x74], i32GtU: [0x4b], i32GeU: [0x4f], i32LtU: [0x49],
  f64Load: (offset = 0) => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0) => [0x39, ...memarg(3, offset)],
  f64Add: [0xa0], f64Sub: [0xa1], f64Mul: [0xa2], f64Div: [0xa3], f64Abs: [0x99],
  f64Eq: [0x61], f64Lt: [0x63], f64Gt: [0x64],
  /** An f64 constant: its 8 bytes, little-endian. */
  f64: (v: number) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  i64: (v: number) => [0x42, ...sleb(v)],
  i64Add: [0x7c], i64Shl: [0x86], i64TruncF64S: [0xb0], f64ReinterpretI64: [0xbf],
  return: [0x0f], select: [0x1b],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(3, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(3, offset)],
  v128Load64Splat: (offset = 0) => [...simd(0x0a), ...memarg(3, offset)],
  f64x2Splat: simd(0x14), f64x2Add: simd(0xf0), f64x2Sub: simd(0xf1), f64x2Mul: simd(0xf2), f64x2Div: simd(0xf3),
  f64x2Abs: simd(0xec), f64x2Eq: simd(0x47), f64x2Lt: simd(0x49), f64x2Gt: simd(0x4a),
  /** (a, b, mask) → a where the mask's bits are set, b elsewhere. */
  v128Bitselect: simd(0x52),
  i32x4TruncSatF64x2SZero: simd(0xfc), i64x2ExtendLowI32x4S: simd(0xc7), i64x2Shl: simd(0xcb), i64x2Add: simd(0xce), i64x2Splat: simd(0x12),
  block: [0x02, 0x40], loop: [0x03, 0x40], if: [0x04, 0x40], end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** A call to the module's function number `f` (its place in assemble's list). */
  call: (f: number) => [0x10, ...uleb(f)],
};

/** Flattens nested instruction lists. */
export function code(...parts: (number | number[] | number[][])[]): number[] {
  return parts.flat(2) as number[];
}

export interface WasmFunction {
  name: string;
  params: number[];
  /** Extra locals, by type, after the params. */
  locals: number[];
  /** The result types (none when omitted). */
  results?: number[];
  body: number[];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...s].map((ch) => ch.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

/** A module importing its memory as env.mem and exporting `fns`. */
export function assemble(fns: WasmFunction[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec((f.results ?? []).map((r) => [r]))]);
  const imports = [[...name('env'), ...name('mem'), 0x02, 0x00, 1]];
  const funcs = fns.map((_, i) => uleb(i));
  const exports = fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = fns.map((f) => {
    const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
