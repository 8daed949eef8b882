/**
 * Tensors read from a weights (or gradients) file: .safetensors, .npz, .npy or JSON.
 * Every reader widens to float64 and to row-major (C) order, whatever the file's order was.
 */

/** One named array. `data` is row-major: for shape [r, c], data[i·c + j] is element (i, j). */
export interface TensorEntry {
  /** The name in the file (a state-dict key such as "rnn.weight_hh_l0", an .npz member without ".npy"). */
  name: string;
  shape: number[];
  /** The dtype as the file wrote it ("F64", "F32" for safetensors; "<f8", "<f4" for NumPy; "json"). */
  dtype: string;
  data: Float64Array;
}

/** A problem with a weights file, said in terms of the file: what was found and what was expected. */
export interface WeightsProblem {
  message: string;
  /** The tensor it concerns, when there is one. */
  tensor?: string;
  /** Byte offset in the weights file, when the problem has a place there. */
  offset?: number;
  /** 0-based line and column in a JSON weights file (its offset is then a UTF-16 offset into the text). */
  line?: number;
  col?: number;
}

export type TensorFileResult = { ok: true; tensors: TensorEntry[] } | { ok: false; problems: WeightsProblem[] };

/** How the user's code multiplies: `column` is W·h (PyTorch, ours); `row` is h @ W, so each matrix is read transposed. */
export type WeightsLayout = 'column' | 'row';
