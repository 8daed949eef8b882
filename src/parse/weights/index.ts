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
export function toVectorWeights(_tensors: TensorEntry[], _options: WeightsOptions): { ok: true; weights: VectorWeights } | { ok: false; problems: WeightsProblem[] } {
  return { ok: false, problems: [{ message: 'weights are not supported yet' }] };
}
