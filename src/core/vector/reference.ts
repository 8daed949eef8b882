/**
 * THE VECTOR REFERENCE: backpropagation through time for the vector RNN, written as the equations
 * read, one plain loop per sum. Tuned kernels must agree with it bit for bit, and at n = m = k = 1
 * it performs the scalar reference's arithmetic in the scalar reference's order.
 *
 * Forward, t = 1..T:
 *   s_t = W·h_{t-1} + V·x_t + b      h_t = φ(s_t)      z_t = U·h_t + c      ŷ_t = θ(z_t)
 * Backward, t = T..1 (∂L/∂s_{T+1} = 0):
 *   ∂L/∂h_t = Uᵀ·(∂L/∂ŷ_t ⊙ θ'(z_t)) + Wᵀ·∂L/∂s_{t+1}      (local + recurrent)
 *   ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)
 *   ∂L/∂W = Σ ∂L/∂s_t·h_{t-1}ᵀ   ∂L/∂V = Σ ∂L/∂s_t·x_tᵀ   ∂L/∂b = Σ ∂L/∂s_t
 *   ∂L/∂U = Σ ∂L/∂z_t·h_tᵀ       ∂L/∂c = Σ ∂L/∂z_t        ∂L/∂h_0 = Wᵀ·∂L/∂s_1
 * For cross_entropy, ℓ = logsumexp(ŷ_t) − ŷ_t,y and ∂ℓ/∂ŷ_t = softmax(ŷ_t) − onehot(y_t).
 */
import { act, actCode, dact } from '../activations';
import { dloss, loss, lossCode } from '../losses';
import { countTargets, lastTargetStep } from '../trace';
import {
  targetWidth,
  vectorReduceLoss,
  vectorReductionScale,
  type VectorModel,
  type VectorSequenceData,
  type VectorTrace,
} from './model';
import { vectorNonFinite } from './step';

export function referenceVectorBptt(model: VectorModel, data: VectorSequenceData): VectorTrace {
  const { n, m, k, W, V, b, U, c, h0 } = model;
  const { T, x, y, hasY } = data;
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const crossEntropy = model.loss === 'cross_entropy';
  const ell = crossEntropy ? 0 : lossCode(model.loss as Exclude<typeof model.loss, 'cross_entropy'>);
  const yw = targetWidth(model.loss, k);
  const s = new Float64Array(T * n);
  const h = new Float64Array(T * n);
  const z = new Float64Array(T * k);
  const yhat = new Float64Array(T * k);
  const dL_ds = new Float64Array(T * n);

  // Forward recurrence:  s_t = W·h_{t-1} + V·x_t + b,  h_t = φ(s_t),  ŷ_t = θ(U·h_t + c)
  for (let i = 0; i < T; i++) {
    const hPrev = i > 0 ? h.subarray((i - 1) * n, i * n) : h0;
    for (let r = 0; r < n; r++) {
      let Wh = W[r * n] * hPrev[0];
      for (let j = 1; j < n; j++) Wh += W[r * n + j] * hPrev[j];
      let Vx = V[r * m] * x[i * m];
      for (let j = 1; j < m; j++) Vx += V[r * m + j] * x[i * m + j];
      s[i * n + r] = Wh + Vx + b[r];
      h[i * n + r] = act(phi, s[i * n + r]);
    }
    for (let q = 0; q < k; q++) {
      let Uh = U[q * n] * h[i * n];
      for (let j = 1; j < n; j++) Uh += U[q * n + j] * h[i * n + j];
      z[i * k + q] = Uh + c[q];
      yhat[i * k + q] = act(theta, z[i * k + q]);
    }
  }

  const nTargets = countTargets(hasY);
  const scale = vectorReductionScale(model, nTargets);
  // Steps after the last target never reach L; as in autodiff the backward loop does not visit them.
  const lastT = lastTargetStep(hasY) ?? 0;
  const dW = new Float64Array(n * n), dV = new Float64Array(n * m), db = new Float64Array(n);
  const dU = new Float64Array(k * n), dc = new Float64Array(k), dh0 = new Float64Array(n);
  const dL_dz = new Float64Array(k);
  const p = new Float64Array(k);

  // Backward recursion, t = lastT..1, with L summed from the last step down as the scalar pass does.
  let L = 0;
  for (let i = lastT - 1; i >= 0; i--) {
    const t = i + 1;
    // ∂L/∂z_t = scale·∂ℓ/∂ŷ_t ⊙ θ'(z_t), and ℓ_t into L
    dL_dz.fill(0);
    if (hasY[i] !== 0) {
      if (crossEntropy) {
        const cls = y[i * yw];
        let max = -Infinity;
        for (let q = 0; q < k; q++) if (yhat[i * k + q] > max) max = yhat[i * k + q];
        let sumExp = 0;
        for (let q = 0; q < k; q++) sumExp += (p[q] = Math.exp(yhat[i * k + q] - max));
        for (let q = 0; q < k; q++) p[q] /= sumExp;
        // An invalid class (not an index in 0..k-1) is NaN: it must not look like a valid loss.
        const valid = Number.isInteger(cls) && cls >= 0 && cls < k;
        L += valid ? max + Math.log(sumExp) - yhat[i * k + cls] : NaN;
        for (let q = 0; q < k; q++) {
          const dL_dyhat = scale * (valid ? p[q] - (q === cls ? 1 : 0) : NaN);
          dL_dz[q] = dL_dyhat * dact(theta, z[i * k + q], yhat[i * k + q]);
        }
      } else {
        for (let q = 0; q < k; q++) {
          const dL_dyhat = scale * dloss(ell, yhat[i * k + q], y[i * yw + q]);
          dL_dz[q] = dL_dyhat * dact(theta, z[i * k + q], yhat[i * k + q]);
          L += loss(ell, yhat[i * k + q], y[i * yw + q]);
        }
      }
      for (let q = 0; q < k; q++) {
        for (let j = 0; j < n; j++) dU[q * n + j] += dL_dz[q] * h[i * n + j];
        dc[q] += dL_dz[q];
      }
    }
    // ∂L/∂h_t = Uᵀ·∂L/∂z_t + Wᵀ·∂L/∂s_{t+1},   ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)
    for (let r = 0; r < n; r++) {
      let local = 0;
      if (hasY[i] !== 0) {
        local = dL_dz[0] * U[r];
        for (let q = 1; q < k; q++) local += dL_dz[q] * U[q * n + r];
      }
      let recurrent = 0;
      if (t < lastT) {
        recurrent = W[r] * dL_ds[(i + 1) * n];
        for (let j = 1; j < n; j++) recurrent += W[j * n + r] * dL_ds[(i + 1) * n + j];
      }
      dL_ds[i * n + r] = (local + recurrent) * dact(phi, s[i * n + r], h[i * n + r]);
    }
    // ∂L/∂W += ∂L/∂s_t·h_{t-1}ᵀ,  ∂L/∂V += ∂L/∂s_t·x_tᵀ,  ∂L/∂b += ∂L/∂s_t
    const hPrev = i > 0 ? h.subarray((i - 1) * n, i * n) : h0;
    for (let r = 0; r < n; r++) {
      const g = dL_ds[i * n + r];
      for (let j = 0; j < n; j++) dW[r * n + j] += g * hPrev[j];
      for (let j = 0; j < m; j++) dV[r * m + j] += g * x[i * m + j];
      db[r] += g;
    }
  }
  // h0 enters only s_1 = W·h0 + …, so ∂L/∂h0 = Wᵀ·∂L/∂s_1.
  if (T > 0) {
    for (let r = 0; r < n; r++) {
      let acc = W[r] * dL_ds[0];
      for (let j = 1; j < n; j++) acc += W[j * n + r] * dL_ds[j];
      dh0[r] = acc;
    }
  }

  const trace: VectorTrace = {
    model,
    T,
    x,
    y,
    hasY,
    s,
    h,
    dL_ds,
    loss: vectorReduceLoss(model, L, nTargets),
    grads: { W: dW, V: dV, b: db, U: dU, c: dc, h0: dh0 },
    nTargets,
    lastTargetT: lastT > 0 ? lastT : null,
    firstNonFinite: null,
  };
  // A NaN or ±∞ anywhere shows in s, h, ŷ, ∂L/∂s or L; only then is it searched for step by step,
  // over every per-step value (as the scalar trace does: at n = 1 the two name the same step).
  if (!(allFinite(s) && allFinite(h) && allFinite(yhat) && allFinite(dL_ds) && Number.isFinite(L))) {
    trace.firstNonFinite = vectorNonFinite(trace).firstNonFinite;
  }
  return trace;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
