/**
 * The vector check's options and report: the user's gradient tensors against exact BPTT.
 */
import type { WeightsLayout } from '../../parse/weights/types';
import type { Diagnosis } from '../types';
import type { VectorQuantity } from './names';

export interface VectorCheckOptions {
  /** `row`: the user's matrices are the transposes of ours (their code multiplies h @ Wh). */
  layout?: WeightsLayout;
  /** Relative tolerance; never tighter than the level the tensor's dtype allows. */
  rtol?: number;
  /** Absolute tolerance, added to the floor scaled to the tensor's largest exact magnitude. */
  atol?: number;
  /** Run the catalogue when something fails (default true). */
  diagnose?: boolean;
}

/** One user number that differs from ours. */
export interface VectorMismatch {
  /** The user's tensor name, and what it claims. */
  name: string;
  quantity: VectorQuantity;
  /** 1-based step for dL_dh / dL_ds; null for a total. */
  t: number | null;
  /** 0-based hidden unit (the row of ∂L/∂s_t, ∂L/∂W, …; of ∂L/∂U, the output), as the user indexes it. */
  unit: number | null;
  /** The index into the user's own array (their layout, their shape). */
  index: number[];
  user: number;
  exact: number;
}

export interface VectorTensorResult {
  name: string;
  quantity: VectorQuantity;
  /** As the user's file has it. */
  shape: number[];
  dtype: string;
  ok: boolean;
  /** Set when the shape does not fit: what was found, what was expected (the user's layout). */
  shapeError: { found: number[]; expected: number[]; message: string } | null;
  compared: number;
  mismatches: number;
  maxRelErr: number;
  firstMismatch: VectorMismatch | null;
  /** The catalogue entries that reproduce this tensor, most specific first. */
  diagnosis: Diagnosis[];
}

export interface VectorCheckReport {
  ok: boolean;
  /** In compute order: dL_dh, dL_ds, then the totals W V b U c h0. */
  tensors: VectorTensorResult[];
  /** Where the error enters: the first mismatch in compute order (t = T down to 1, ∂L/∂h_t before ∂L/∂s_t, per unit, then the totals). */
  firstMismatch: VectorMismatch | null;
  /** The catalogue entries that reproduce every tensor given. */
  diagnosis: Diagnosis[];
  /** Tensors that were not compared: unknown names, ranks above 2. */
  ignored: { name: string; message: string }[];
}
