/**
 * Weights files to a VectorWeights. Placeholder API: issue 11's weights work replaces the bodies.
 */
import type { VectorShape, VectorWeights } from '../../core/vector/model';
import type { TensorEntry, TensorFileResult, WeightsLayout, WeightsProblem } from './types';

export * from './types';

/** Reads every tensor of a .safetensors / .npz / .npy / .json file, chosen by the file name's extension. */
export async function readTensorFile(_bytes: Uint8Array, fileName: string): Promise<TensorFileResult> {
  return { ok: false, problems: [{ message: `cannot read ${fileName} yet: weights files are not supported` }] };
}

export interface WeightsOptions {
  layout: WeightsLayout;
  /** What the sequence file says the shape must be (m from x's width, k from y's width, when known). */
  expect?: Partial<VectorShape>;
}

/**
 * Our names (W V b U c h0) and PyTorch's (weight_hh_l0, weight_ih_l0, bias_ih_l0 + bias_hh_l0,
 * <head>.weight / <head>.bias, any module prefix) to one VectorWeights; h0 is zeros unless given.
 */
export function toVectorWeights(tensors: TensorEntry[], options: WeightsOptions): { ok: true; weights: VectorWeights } | { ok: false; problems: WeightsProblem[] } {
  // TEMPORARY (wip-vcli): our names only, until the weights work replaces this body. Drop at merge.
  const by = new Map(tensors.map((t) => [t.name, t]));
  const problems: WeightsProblem[] = [];
  const get = (name: string) => {
    const t = by.get(name);
    if (!t) problems.push({ message: `missing tensor ${name}`, tensor: name });
    return t;
  };
  const W = get('W'), V = get('V'), b = get('b'), U = get('U'), c = get('c');
  if (!W || !V || !b || !U || !c) return { ok: false, problems };
  const dim = (t: TensorEntry, i: number) => (t.shape.length === 2 ? t.shape[options.layout === 'row' ? 1 - i : i] : i === 0 ? t.data.length : 1);
  const n = dim(W, 0), m = dim(V, 1), k = dim(U, 0);
  const mat = (t: TensorEntry, r: number, cols: number) => {
    if (dim(t, 0) !== r || dim(t, 1) !== cols || t.data.length !== r * cols) problems.push({ message: `${t.name} has shape [${t.shape}], expected ${r}×${cols}`, tensor: t.name });
    if (options.layout !== 'row' || t.shape.length !== 2) return t.data;
    const out = new Float64Array(r * cols);
    for (let i = 0; i < r; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = t.data[j * r + i];
    return out;
  };
  const weights: VectorWeights = {
    n, m, k, W: mat(W, n, n), V: mat(V, n, m), b: mat(b, n, 1), U: mat(U, k, n), c: mat(c, k, 1),
    h0: by.has('h0') ? mat(by.get('h0')!, n, 1) : new Float64Array(n),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, weights };
}
