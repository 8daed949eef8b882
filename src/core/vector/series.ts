/**
 * Norms of the per-step gradients of the vector RNN over a range of steps, for the charts and the
 * CLI: ‖∂L/∂h_t‖ with its local and recurrent parts, and ‖∂L/∂s_t‖. The same arithmetic as
 * vectorStepValues (and so as the pass), into scratch vectors allocated once: each norm is bit
 * for bit the one vectorStepValues reports.
 *
 *   ∂L/∂h_t = Uᵀ·(∂L/∂ŷ_t ⊙ θ'(z_t)) + Wᵀ·∂L/∂s_{t+1}      (local + recurrent)
 */
import { act, actCode, dact } from '../activations';
import { dloss, lossCode } from '../losses';
import { targetWidth, vectorReductionScale, type VectorTrace } from './model';
import { norm2 } from './step';

export interface VectorNormSeries {
  dL_dh: Float64Array;
  dL_dh_local: Float64Array;
  dL_dh_recurrent: Float64Array;
  dL_ds: Float64Array;
}

/** Norms for steps [start, end) (0-based); out[k] is step start + k. */
export function vectorNormSeries(trace: VectorTrace, start = 0, end = trace.T): VectorNormSeries {
  const { model, y, hasY, h, dL_ds } = trace;
  const { n, k, W, U, c } = model;
  const theta = actCode(model.theta);
  const crossEntropy = model.loss === 'cross_entropy';
  const ell = crossEntropy ? 0 : lossCode(model.loss as Exclude<typeof model.loss, 'cross_entropy'>);
  const yw = targetWidth(model.loss, k);
  const scale = vectorReductionScale(model, trace.nTargets);
  const lastT = trace.lastTargetT ?? 0;
  const len = Math.max(0, end - start);
  const out: VectorNormSeries = {
    dL_dh: new Float64Array(len),
    dL_dh_local: new Float64Array(len),
    dL_dh_recurrent: new Float64Array(len),
    dL_ds: new Float64Array(len),
  };
  const yhat = new Float64Array(k), z = new Float64Array(k), dL_dz = new Float64Array(k), p = new Float64Array(k);
  const local = new Float64Array(n), recurrent = new Float64Array(n), dL_dh = new Float64Array(n);
  for (let i = start; i < end; i++) {
    const has = hasY[i] !== 0;
    local.fill(0);
    if (has) {
      // ∂L/∂z_t = ∂L/∂ŷ_t ⊙ θ'(z_t), ∂L/∂ŷ_t = scale·(softmax − onehot) or scale·∂ℓ/∂ŷ
      for (let q = 0; q < k; q++) {
        let Uh = U[q * n] * h[i * n];
        for (let j = 1; j < n; j++) Uh += U[q * n + j] * h[i * n + j];
        z[q] = Uh + c[q];
        yhat[q] = act(theta, z[q]);
      }
      if (crossEntropy) {
        const cls = y[i * yw];
        const valid = Number.isInteger(cls) && cls >= 0 && cls < k;
        let max = -Infinity;
        for (let q = 0; q < k; q++) if (yhat[q] > max) max = yhat[q];
        let sumExp = 0;
        for (let q = 0; q < k; q++) sumExp += (p[q] = Math.exp(yhat[q] - max));
        for (let q = 0; q < k; q++) p[q] /= sumExp;
        for (let q = 0; q < k; q++) dL_dz[q] = scale * (valid ? p[q] - (q === cls ? 1 : 0) : NaN) * dact(theta, z[q], yhat[q]);
      } else {
        for (let q = 0; q < k; q++) dL_dz[q] = scale * dloss(ell, yhat[q], y[i * yw + q]) * dact(theta, z[q], yhat[q]);
      }
      for (let r = 0; r < n; r++) {
        local[r] = dL_dz[0] * U[r];
        for (let q = 1; q < k; q++) local[r] += dL_dz[q] * U[q * n + r];
      }
    }
    // Wᵀ·∂L/∂s_{t+1}, 0 from the last target on
    for (let r = 0; r < n; r++) {
      recurrent[r] = 0;
      if (i + 1 < lastT) {
        recurrent[r] = W[r] * dL_ds[(i + 1) * n];
        for (let j = 1; j < n; j++) recurrent[r] += W[j * n + r] * dL_ds[(i + 1) * n + j];
      }
      dL_dh[r] = local[r] + recurrent[r];
    }
    const o = i - start;
    out.dL_dh[o] = norm2(dL_dh);
    out.dL_dh_local[o] = norm2(local);
    out.dL_dh_recurrent[o] = norm2(recurrent);
    out.dL_ds[o] = norm2(dL_ds.subarray(i * n, (i + 1) * n));
  }
  return out;
}
