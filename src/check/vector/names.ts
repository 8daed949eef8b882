/**
 * The user's gradient tensors, by name, to the quantities we compute. One table for every
 * naming convention:
 *   ours      dW dV db dU dc dh0, and per step dL_dh, dL_ds (T×n)
 *   PyTorch   the `.grad` of each state-dict entry, saved under the entry's name, with any module
 *             prefix: weight_hh_l0 → W, weight_ih_l0 → V, bias_ih_l0 and bias_hh_l0 → b (each
 *             receives ∂L/∂b), <head>.weight → U, <head>.bias → c
 *   NumPy     the course assignment's dWh dWx db dh0, and the head's dWy dby (dW_out, dW_vocab, …)
 * A parameter's gradient may also be spelled dL_dW, grad_W or W.grad, as the weights reader allows.
 * With layout `row` (the user's code multiplies h @ Wh) each user matrix is the transpose of ours.
 * TODO(weights): swap this table for the weights reader's name-mapper once it is on main.
 */
import type { VectorParamName, VectorShape } from '../../core/vector/model';
import type { TensorEntry, WeightsLayout } from '../../parse/weights/types';

/** What a user tensor claims: a parameter's gradient (by our parameter name) or a per-step quantity. */
export type VectorQuantity = VectorParamName | 'dL_dh' | 'dL_ds';

/** Per-step quantities first (they are computed first), then the totals in parameter order. */
export const VECTOR_QUANTITIES: readonly VectorQuantity[] = ['dL_dh', 'dL_ds', 'W', 'V', 'b', 'U', 'c', 'h0'];

/** Each parameter by our name and the NumPy aliases (as the weights reader spells them). */
const ALIASES = new Map<string, VectorParamName>([
  ['W', 'W'], ['Wh', 'W'], ['V', 'V'], ['Wx', 'V'], ['b', 'b'], ['h0', 'h0'],
  ['U', 'U'], ['Wy', 'U'], ['W_out', 'U'], ['W_vocab', 'U'], ['c', 'c'], ['by', 'c'], ['b_out', 'c'], ['b_vocab', 'c'],
]);
/** A gradient's name is the parameter's with one of these in front (dW, dL_dW, grad_W) or a `.grad`/`_grad` behind. */
const GRAD_PREFIXES = ['dL_d', 'grad_', 'd'];
const GRAD_SUFFIXES = ['.grad', '_grad'];

/** State-dict names, matched as the last dotted part (any module prefix). */
const STATE_DICT = new Map<string, VectorQuantity>([
  ['weight_hh_l0', 'W'], ['weight_ih_l0', 'V'], ['bias_ih_l0', 'b'], ['bias_hh_l0', 'b'],
]);

/** The quantity a tensor name claims, or null when the name is not a gradient we know. */
export function quantityOf(name: string): VectorQuantity | null {
  const suffix = GRAD_SUFFIXES.find((s) => name.endsWith(s));
  const base = suffix ? name.slice(0, -suffix.length) : name;
  const dot = base.lastIndexOf('.');
  const last = base.slice(dot + 1);
  if (last === 'dL_dh' || last === 'dL_ds') return last;
  const rnn = STATE_DICT.get(last);
  if (rnn) return rnn;
  // A head: "<prefix>.weight" / "<prefix>.bias" (the prefix is the Linear's module name).
  if (dot > 0 && last === 'weight') return 'U';
  if (dot > 0 && last === 'bias') return 'c';
  if (suffix) return ALIASES.get(last) ?? null;
  for (const p of GRAD_PREFIXES) {
    const q = last.startsWith(p) ? ALIASES.get(last.slice(p.length)) : undefined;
    if (q) return q;
  }
  return null;
}

export const KNOWN_NAMES = 'dW dV db dU dc dh0 dL_dh dL_ds; weight_hh_l0 weight_ih_l0 bias_ih_l0 bias_hh_l0 <head>.weight <head>.bias (any prefix, optional .grad); dWh dWx db dh0 dWy dby';

/** Rows and columns as OUR layout has them; per-step quantities are T×n. */
export function ourShape(q: VectorQuantity, shape: VectorShape, T: number): [number, number] {
  const { n, m, k } = shape;
  switch (q) {
    case 'dL_dh': case 'dL_ds': return [T, n];
    case 'W': return [n, n];
    case 'V': return [n, m];
    case 'U': return [k, n];
    case 'b': case 'h0': return [n, 1];
    case 'c': return [k, 1];
  }
}

/** Matrices a row-layout user stores transposed (per-step values and vectors are the same). */
export function isMatrix(q: VectorQuantity): boolean {
  return q === 'W' || q === 'V' || q === 'U';
}

/** A shape as the user's file has it: [r, c] for a matrix, [r] for a vector (a [r, 1] or [1, r] is accepted too). */
export function userShape(q: VectorQuantity, shape: VectorShape, T: number, layout: WeightsLayout): number[] {
  const [r, c] = ourShape(q, shape, T);
  if (!isMatrix(q) && c === 1) return [r];
  return layout === 'row' && isMatrix(q) ? [c, r] : [r, c];
}

/** Rows × columns of a tensor as 2-D, or null for rank > 2 (a vector [r] is r×1). */
export function asMatrix(shape: readonly number[]): [number, number] | null {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], 1];
  if (shape.length === 2) return [shape[0], shape[1]];
  return null;
}

/** The tensor's values in our layout (row-major, our rows × columns); transposes a row-layout matrix. */
export function toOurLayout(t: TensorEntry, q: VectorQuantity, layout: WeightsLayout): Float64Array {
  const rc = asMatrix(t.shape)!;
  if (layout !== 'row' || !isMatrix(q)) return t.data;
  const [r, c] = rc;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return out;
}
