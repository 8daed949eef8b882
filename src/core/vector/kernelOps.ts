/**
 * The O(n²) parts of the vector kernel, in plain JS: matrix–vector products and rank-1 updates.
 *
 * Each output element is summed exactly as the reference sums it, sequentially over j with the
 * first product first (not 0 + product: 0 + −0 is +0), so the bits are the reference's. The speed
 * comes from working ACROSS outputs: four outputs per pass over j, each in its own local, with the
 * matrix laid out so those four are contiguous (A[j·rows + r], the transposed layout).
 */

/** The operations a kernel variant provides; the wasm variant (wasm/) has the same signatures. */
export interface VectorOps {
  /**
   * out[r] = A[r]·x[x0] + A[rows + r]·x[x0 + 1] + … + A[(len−1)·rows + r]·x[x0 + len − 1], for r < rows:
   * A is len×rows row-major (so Aᵀ·x, with the outputs contiguous), summed in that order.
   */
  gemvT(A: Float64Array, x: Float64Array, x0: number, len: number, rows: number, out: Float64Array): void;
  /**
   * A[r·cols + j] += G[g0 + s·gStep + r]·V[v0 + s·vStep + j] for s = 0, 1, …, steps − 1 in that order
   * (rank-1 updates one after another; a negative step walks back through the steps, a zero one repeats a vector).
   */
  gemm(A: Float64Array, G: Float64Array, g0: number, gStep: number, V: Float64Array, v0: number, vStep: number, steps: number, rows: number, cols: number): void;
  /** gemvT on `count` vectors: x from x0, x0 + xStep, …; out from out0, out0 + outStep, … */
  gemvTMany(A: Float64Array, x: Float64Array, x0: number, xStep: number, len: number, rows: number, out: Float64Array, out0: number, outStep: number, count: number): void;
  /**
   * `count` steps of the forward recurrence with φ = tanh, where the backend has it in one call:
   * Wh = Wᵀ·h_{t-1},  s_t = (Wh + Vx_t) + b,  h_t = tanh(s_t),  with h_{t-1} from prev[p0] at the first
   * step, h_t into h[h0 + …] and s_t into s[0 …] (n doubles a step; Vx from 0).
   */
  forwardTanh?(WT: Float64Array, prev: Float64Array, p0: number, h: Float64Array, h0: number, s: Float64Array, Vx: Float64Array, b: Float64Array, Wh: Float64Array, n: number, count: number): void;
  /**
   * One step of the backward pass with φ = tanh, where the backend has it in one call, for the step
   * whose h_t is h[i0 …] and ∂L/∂s_t goes to g[i0 …] (∂L/∂s_{t+1} at g[i0 + n …]):
   *   with a target: dU += dz·h_tᵀ, local = Uᵀ·dz;  before the last target: rec = Wᵀ·∂L/∂s_{t+1};
   *   ∂L/∂s_t = ((target ? local : 0) + (recurrent ? rec : 0)) ⊙ (1 − h_t ⊙ h_t)
   */
  backwardTanh?(W: Float64Array, U: Float64Array, dz: Float64Array, k: number, h: Float64Array, g: Float64Array, i0: number, n: number, local: Float64Array, rec: Float64Array, target: boolean, recurrent: boolean, dU: Float64Array): void;
}

export function gemvT(A: Float64Array, x: Float64Array, x0: number, len: number, rows: number, out: Float64Array): void {
  gemvTAt(A, x, x0, len, rows, out, 0);
}

/** gemvT into out[o0..o0 + rows). */
function gemvTAt(A: Float64Array, x: Float64Array, x0: number, len: number, rows: number, out: Float64Array, o0: number): void {
  let r = 0;
  // Four outputs per pass over j: x_j is read once for the four.
  for (; r + 4 <= rows; r += 4) {
    let xj = x[x0];
    let a0 = A[r] * xj, a1 = A[r + 1] * xj, a2 = A[r + 2] * xj, a3 = A[r + 3] * xj;
    for (let j = 1; j < len; j++) {
      xj = x[x0 + j];
      const o = j * rows + r;
      a0 += A[o] * xj;
      a1 += A[o + 1] * xj;
      a2 += A[o + 2] * xj;
      a3 += A[o + 3] * xj;
    }
    out[o0 + r] = a0; out[o0 + r + 1] = a1; out[o0 + r + 2] = a2; out[o0 + r + 3] = a3;
  }
  // The last rows mod 4 outputs, one at a time.
  for (; r < rows; r++) {
    let a = A[r] * x[x0];
    for (let j = 1; j < len; j++) a += A[j * rows + r] * x[x0 + j];
    out[o0 + r] = a;
  }
}

/** A[r·cols + j] += g[g0 + r]·v[v0 + j], for r < rows, j < cols: A += g·vᵀ. */
export function rank1(A: Float64Array, g: Float64Array, g0: number, v: Float64Array, v0: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const gr = g[g0 + r];
    const o = r * cols;
    for (let j = 0; j < cols; j++) A[o + j] += gr * v[v0 + j];
  }
}

export function gemm(A: Float64Array, G: Float64Array, g0: number, gStep: number, V: Float64Array, v0: number, vStep: number, steps: number, rows: number, cols: number): void {
  for (let s = 0; s < steps; s++) rank1(A, G, g0 + s * gStep, V, v0 + s * vStep, rows, cols);
}

export function gemvTMany(A: Float64Array, x: Float64Array, x0: number, xStep: number, len: number, rows: number, out: Float64Array, out0: number, outStep: number, count: number): void {
  for (let c = 0; c < count; c++) gemvTAt(A, x, x0 + c * xStep, len, rows, out, out0 + c * outStep);
}

export const jsOps: VectorOps = { gemvT, gemm, gemvTMany };

/** Aᵀ of the rows×cols row-major A: the cols×rows row-major copy. */
export function transpose(A: Float64Array, rows: number, cols: number): Float64Array {
  const At = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) At[j * rows + r] = A[r * cols + j];
  return At;
}
