/**
 * The user's gradient tensors, by name, to the quantities we compute, whatever the convention:
 *   ours      dW dV db dU dc dh0, and per step dL_dh, dL_ds (T×n)
 *   PyTorch   the `.grad` of each state-dict entry, saved under the entry's name, with any module
 *             prefix: weight_hh_l0 → W, weight_ih_l0 → V, bias_ih_l0 and bias_hh_l0 → b (each
 *             receives ∂L/∂b), <head>.weight → U, <head>.bias → c
 *   NumPy     the course assignment's dWh dWx db dh0, and the head's dWy dby (dW_out, dW_vocab, …)
 * The names are the weights reader's (src/parse/weights/names.ts, gradients mode), which also takes
 * dL_dW, grad_W and W.grad. With layout `row` (the user's code multiplies h @ Wh) each user matrix
 * is the transpose of ours.
 */
import { VECTOR_PARAM_NAMES, type VectorParamName, type VectorShape } from '../../core/vector/model';
import { mapParamNames } from '../../parse/weights/names';
import type { TensorEntry, WeightsLayout, WeightsProblem } from '../../parse/weights/types';

/** What a user tensor claims: a parameter's gradient (by our parameter name) or a per-step quantity. */
export type VectorQuantity = VectorParamName | 'dL_dh' | 'dL_ds';

/** Per-step quantities first (they are computed first), then the totals in parameter order. */
export const VECTOR_QUANTITIES: readonly VectorQuantity[] = ['dL_dh', 'dL_ds', 'W', 'V', 'b', 'U', 'c', 'h0'];

/**
 * The quantity each tensor claims, by the weights reader's name-mapper in its gradients mode; the
 * per-step dL_dh, dL_ds (any prefix) come back as `other`. PyTorch's two bias gradients are each
 * ∂L/∂b: the mapper keeps one, so the other is claimed here. What names nothing is left over.
 */
export function claimedQuantities(tensors: readonly TensorEntry[]): { claims: [TensorEntry, VectorQuantity][]; left: TensorEntry[]; problems: WeightsProblem[] } {
  const map = mapParamNames(tensors, { gradients: true });
  const claims: [TensorEntry, VectorQuantity][] = [];
  for (const p of VECTOR_PARAM_NAMES) {
    const t = map.params[p];
    if (t) claims.push([t, p]);
  }
  const left: TensorEntry[] = [];
  for (const t of map.other) {
    const last = t.name.slice(t.name.lastIndexOf('.') + 1);
    if (last === 'dL_dh' || last === 'dL_ds') claims.push([t, last]);
    else left.push(t);
  }
  const b = map.params.b;
  const otherBias = b && /bias_ih_l0(\.grad|_grad)?$/.test(b.name) ? tensors.find((t) => t !== b && t.name === b.name.replace('bias_ih_l0', 'bias_hh_l0')) : undefined;
  if (otherBias) claims.push([otherBias, 'b']);
  return { claims, left, problems: map.problems };
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
