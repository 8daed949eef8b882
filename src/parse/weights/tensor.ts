/**
 * What every weights reader shares: the element bound, shape products, dtype messages and the
 * Fortran → row-major copy. Nothing here touches Node or the DOM.
 */
import type { WeightsProblem } from './types';

/** At most 2²⁶ elements per tensor (512 MiB as float64): far above any RNN, far below the heap. */
export const MAX_ELEMENTS = 1 << 26;

/** Dimensions at most; an RNN's tensors have 2 (per-step gradients T×n too). */
export const MAX_DIMS = 8;

/** The number of elements of `shape`, or -1 if a dimension is not a non-negative integer or the product is over MAX_ELEMENTS. */
export function shapeSize(shape: readonly unknown[]): number {
  if (shape.length > MAX_DIMS) return -1;
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return -1;
    size *= d;
    if (size > MAX_ELEMENTS) return -1;
  }
  return size;
}

export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** "a float32 or float64" problem for a dtype BPTT Lens does not read; `advice` says how to re-save. */
export function dtypeProblem(tensor: string, kind: string, dtype: string, advice: string, offset?: number): WeightsProblem {
  const p: WeightsProblem = { message: `tensor "${tensor}" is ${kind} (${dtype}); BPTT Lens reads float32 and float64: ${advice}`, tensor };
  if (offset !== undefined) p.offset = offset;
  return p;
}

/** The too-large or malformed shape problem. */
export function shapeProblem(tensor: string, shape: readonly unknown[], offset?: number): WeightsProblem {
  const p: WeightsProblem = {
    message: `tensor "${tensor}" has shape ${JSON.stringify(shape)}; expected at most ${MAX_DIMS} non-negative integer dimensions and at most ${MAX_ELEMENTS} elements`,
    tensor,
  };
  if (offset !== undefined) p.offset = offset;
  return p;
}

/**
 * Fortran (column-major) data to row-major: element (i0, …, i_{d-1}) sits at
 * i0 + s0·(i1 + s1·(i2 + …)) in `f`. Walks the row-major index with a counter per dimension.
 */
export function fortranToRowMajor(f: Float64Array, shape: readonly number[]): Float64Array {
  const d = shape.length;
  const out = new Float64Array(f.length);
  if (d < 2 || f.length === 0) {
    out.set(f);
    return out;
  }
  if (d === 2) {
    // a matrix: the transpose of the stored c×r row-major block
    const [r, c] = shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = f[j * r + i];
    return out;
  }
  // stride[j]: the step in f for a step of index j
  const stride = new Array<number>(d);
  stride[0] = 1;
  for (let j = 1; j < d; j++) stride[j] = stride[j - 1] * shape[j - 1];
  const idx = new Array<number>(d).fill(0);
  let src = 0;
  for (let r = 0; r < out.length; r++) {
    out[r] = f[src];
    // advance the row-major counter: the last index moves fastest
    for (let j = d - 1; j >= 0; j--) {
      idx[j]++;
      src += stride[j];
      if (idx[j] < shape[j]) break;
      src -= stride[j] * shape[j];
      idx[j] = 0;
    }
  }
  return out;
}

/** Little- or big-endian float32/float64 at `offset` of `bytes` to float64 (offsets need no alignment). */
export function readFloats(bytes: Uint8Array, offset: number, count: number, itemSize: 4 | 8, littleEndian: boolean): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * itemSize);
  const out = new Float64Array(count);
  if (itemSize === 8) for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, littleEndian);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, littleEndian);
  return out;
}
