/**
 * Named tensors to one VectorWeights: the names mapped (names.ts), each matrix transposed when the
 * user's code multiplies row vectors (layout=row), and every shape checked against the others and
 * against the sequence: W n×n, V n×m, U k×n, b and h0 of n, c of k.
 * W, V and U are required; b and c are zeros when absent (bias=False), and h0 is zeros as in nn.RNN.
 * Tensors that name no parameter are ignored and listed in `ignored`, for the caller to show.
 */
import type { VectorParamName, VectorShape, VectorWeights } from '../../core/vector/model';
import type { TensorEntry, WeightsLayout, WeightsProblem } from './types';
import { mapParamNames, PARAM_SPELLINGS } from './names';
import { shapeText } from './tensor';

export interface WeightsOptions {
  layout: WeightsLayout;
  /** What the sequence file says the shape must be (m from x's width, k from y's width, when known). */
  expect?: Partial<VectorShape>;
}

export type VectorWeightsResult = { ok: true; weights: VectorWeights; ignored?: string[] } | { ok: false; problems: WeightsProblem[] };

/** A stored matrix as [rows, cols] of the parameter it is (transposed for layout=row), or null if not 2-D. */
function logicalShape(t: TensorEntry, row: boolean): [number, number] | null {
  if (t.shape.length !== 2) return null;
  return row ? [t.shape[1], t.shape[0]] : [t.shape[0], t.shape[1]];
}

/** The stored r×c data as the c×r transpose, row-major. */
function transpose(data: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j];
  return out;
}

/** A vector of `length`: shape (length,), or any shape whose other dimensions are all 1 ((1, n), (1, 1, n)). */
function fitsVector(t: TensorEntry, length: number): boolean {
  return t.data.length === length && t.shape.filter((d) => d !== 1).length <= 1;
}

export function toVectorWeights(tensors: TensorEntry[], options: WeightsOptions): VectorWeightsResult {
  const { params, other, problems } = mapParamNames(tensors);
  const row = options.layout === 'row';
  const expect = options.expect ?? {};
  const fail = (message: string, tensor?: TensorEntry): VectorWeightsResult => {
    const p: WeightsProblem = { message };
    if (tensor) p.tensor = tensor.name;
    return { ok: false, problems: [...problems, p] };
  };
  if (problems.length) return { ok: false, problems };
  const listed = tensors.slice(0, 8).map((t) => `"${t.name}" ${shapeText(t.shape)}`).join(', ') + (tensors.length > 8 ? `, … (${tensors.length} in all)` : '');
  const found = tensors.length ? `found ${listed}` : 'the file has no tensors';
  for (const p of ['W', 'V', 'U'] as VectorParamName[]) {
    if (!params[p]) return fail(`no tensor for ${p}: expected ${PARAM_SPELLINGS[p]}; ${found}`);
  }
  const Wt = params.W as TensorEntry;
  const Vt = params.V as TensorEntry;
  const Ut = params.U as TensorEntry;
  // the stored shape each matrix should have, in the layout's order, for the messages
  const stored = (r: number | string, c: number | string): string => (row ? `(${c}, ${r})` : `(${r}, ${c})`);
  const layoutNote = row ? ' (layout=row: stored transposed)' : '';
  // a shape that fits only transposed: say so, since a missing or extra layout=row is the likely cause
  const hint = (fitsTransposed: boolean): string =>
    fitsTransposed ? `; its transpose fits: ${row ? 'is the layout column (W·h, as PyTorch) rather than layout=row' : 'does the code multiply row vectors (h @ W)? then add layout=row'}` : '';

  const W = logicalShape(Wt, row);
  if (!W || W[0] !== W[1]) return fail(`"${Wt.name}" (W) has shape ${shapeText(Wt.shape)}; expected a square n × n matrix`, Wt);
  const n = W[0];
  if (n === 0) return fail(`"${Wt.name}" (W) is 0 × 0; expected at least one hidden unit`, Wt);
  if (expect.n !== undefined && expect.n !== n) return fail(`"${Wt.name}" (W) is ${n} × ${n}; expected n = ${expect.n}`, Wt);

  const V = logicalShape(Vt, row);
  if (!V || V[0] !== n) {
    const transposedFits = V !== null && V[1] === n;
    return fail(`"${Vt.name}" (V) has shape ${shapeText(Vt.shape)}; expected ${stored(n, 'm')}${layoutNote}, n = ${n} from W${hint(transposedFits)}`, Vt);
  }
  const m = V[1];
  if (expect.m !== undefined && expect.m !== m) return fail(`"${Vt.name}" (V) has shape ${shapeText(Vt.shape)}, so m = ${m} inputs per step; the sequence has ${expect.m} (x's width)`, Vt);

  const U = logicalShape(Ut, row);
  if (!U || U[1] !== n) {
    const transposedFits = U !== null && U[0] === n;
    return fail(`"${Ut.name}" (U) has shape ${shapeText(Ut.shape)}; expected ${stored('k', n)}${layoutNote}, n = ${n} from W${hint(transposedFits)}`, Ut);
  }
  const k = U[0];
  if (expect.k !== undefined && expect.k !== k) return fail(`"${Ut.name}" (U) has shape ${shapeText(Ut.shape)}, so k = ${k} outputs per step; the sequence expects ${expect.k}`, Ut);

  // vectors: given, or zeros
  const vector = (p: 'b' | 'c' | 'h0', length: number, what: string): Float64Array | string => {
    const t = params[p];
    if (!t) return new Float64Array(length);
    if (!fitsVector(t, length)) return `"${t.name}" (${p}) has shape ${shapeText(t.shape)}; expected (${length},), ${what}`;
    return Float64Array.from(t.data);
  };
  const b = vector('b', n, `n = ${n} from W`);
  if (typeof b === 'string') return fail(b, params.b);
  const c = vector('c', k, `k = ${k} from U`);
  if (typeof c === 'string') return fail(c, params.c);
  const h0 = vector('h0', n, `n = ${n} from W (one sequence: batch 1)`);
  if (typeof h0 === 'string') return fail(h0, params.h0);

  const matrix = (t: TensorEntry): Float64Array => (row ? transpose(t.data, t.shape[0], t.shape[1]) : Float64Array.from(t.data));
  const weights: VectorWeights = { n, m, k, W: matrix(Wt), V: matrix(Vt), b, U: matrix(Ut), c, h0 };
  return other.length ? { ok: true, weights, ignored: other.map((t) => t.name) } : { ok: true, weights };
}
