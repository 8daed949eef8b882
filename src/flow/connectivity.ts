/**
 * The connectivity map |∂ℓ_τ/∂s_t| over a window of (t, τ): the Distill "memorization in RNNs"
 * view, exact. Row τ, column t:
 *   ∂ℓ_τ/∂s_τ = seed_τ,    ∂ℓ_τ/∂s_t = ∂ℓ_τ/∂s_{t+1} · f_t    (t < τ; 0 for t > τ or no target at τ)
 * Each row is one running product from s_τ down to the window's first column: O(rows·(τ − tLo)),
 * at most 512·1024 multiplications for a square window around the diagonal.
 */
import type { StepJacobians } from './jacobian';

export const MAX_WINDOW = 512;

export interface ConnectivityWindow {
  /** 1-based inclusive bounds: columns t = tFrom..tTo, rows τ = tauFrom..tauTo. */
  tFrom: number;
  tTo: number;
  tauFrom: number;
  tauTo: number;
  cols: number;
  rows: number;
  /** |∂ℓ_τ/∂s_t|, row-major: values[(τ − tauFrom)·cols + (t − tFrom)]. */
  values: Float64Array;
  /** Smallest positive and largest finite value (for a log colour scale); 0 when there is none. */
  minPositive: number;
  max: number;
}

/** A window of up to `size` steps on each axis, centred on 1-based step `t` and clamped to 1..T. */
export function windowAround(T: number, t: number, size = MAX_WINDOW): { from: number; to: number } {
  const n = Math.max(1, Math.min(size, MAX_WINDOW, T));
  let from = Math.max(1, Math.round(t) - (n >> 1));
  if (from + n - 1 > T) from = Math.max(1, T - n + 1);
  return { from, to: from + n - 1 };
}

/** |∂ℓ_τ/∂s_t| for t in [tFrom, tTo], τ in [tauFrom, tauTo] (1-based, inclusive; each span ≤ 512). */
export function connectivity(
  jac: StepJacobians,
  seed: Float64Array,
  hasY: Uint8Array,
  tFrom: number,
  tTo: number,
  tauFrom: number,
  tauTo: number,
): ConnectivityWindow {
  const T = jac.T;
  if (jac.dim !== 1) throw new RangeError('connectivity: only the scalar state is implemented');
  tFrom = Math.max(1, tFrom); tauFrom = Math.max(1, tauFrom);
  tTo = Math.min(T, tTo, tFrom + MAX_WINDOW - 1); tauTo = Math.min(T, tauTo, tauFrom + MAX_WINDOW - 1);
  const cols = Math.max(0, tTo - tFrom + 1), rows = Math.max(0, tauTo - tauFrom + 1);
  const values = new Float64Array(rows * cols);
  const g = new Float64Array(1);
  let minPositive = 0, max = 0;
  for (let r = 0; r < rows; r++) {
    const tau = tauFrom + r - 1; // 0-based
    if (hasY[tau] === 0) continue;
    // g = ∂ℓ_τ/∂s_t, walked from t = τ down to the window's first column.
    g[0] = seed[tau];
    const row = r * cols;
    for (let t = tau; t >= tFrom - 1; t--) {
      if (t < tau) jac.vjp(t, g, g);
      const col = t - (tFrom - 1);
      if (col < cols) {
        const a = Math.abs(g[0]);
        values[row + col] = a;
        if (a > 0 && a < Infinity) {
          if (minPositive === 0 || a < minPositive) minPositive = a;
          if (a > max) max = a;
        }
      }
    }
  }
  return { tFrom, tTo, tauFrom, tauTo, cols, rows, values, minPositive, max };
}
