/**
 * THE REFERENCE: backpropagation through time for the scalar RNN, written as the equations read.
 * One forward loop, one backward loop, nothing tuned. The fast kernel (kernel.ts) must give the
 * same trace bit for bit (test/unit/bptt-kernel.test.ts), and the benchmark times both.
 *
 * Forward, t = 1..T:
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 * Backward, t = T..1 (∂L/∂s_{T+1} = 0):
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      (local + recurrent)
 *   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * and each parameter's gradient is the sum over t of what it multiplies:
 *   ∂L/∂w = Σ ∂L/∂s_t·h_{t-1}   ∂L/∂v = Σ ∂L/∂s_t·x_t   ∂L/∂b = Σ ∂L/∂s_t
 *   ∂L/∂u = Σ ∂L/∂z_t·h_t       ∂L/∂c = Σ ∂L/∂z_t        (z_t = u·h_t + c)   ∂L/∂h0 = w·∂L/∂s_1
 *
 * Arrays are 0-based: index i holds step t = i + 1.
 */
import { act, actCode, dact } from './activations';
import { dloss, loss, lossCode } from './losses';
import type { Model } from './model';
import { countTargets, lastTargetStep, makeTrace, reductionScale, type SequenceData, type Trace } from './trace';

export function referenceBptt(model: Model, data: SequenceData): Trace {
  const { x, y, hasY } = data;
  const T = x.length;
  const { w, v, b, u, c, h0 } = model;
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  const s = new Float64Array(T);
  const h = new Float64Array(T);
  const yhat = new Float64Array(T);
  const dL_ds = new Float64Array(T);

  // Forward recurrence:  s_t = w·h_{t-1} + v·x_t + b,  h_t = φ(s_t),  ŷ_t = θ(u·h_t + c)
  for (let i = 0; i < T; i++) {
    const hPrev = i > 0 ? h[i - 1] : h0;
    s[i] = w * hPrev + v * x[i] + b;
    h[i] = act(phi, s[i]);
    yhat[i] = act(theta, u * h[i] + c);
  }

  // L = Σ ℓ_t (sum) or (1/N)·Σ ℓ_t (mean) over the N steps with a target: each ∂ℓ_t/∂ŷ_t is scaled alike.
  const nTargets = countTargets(hasY);
  const scale = reductionScale(model.reduction, nTargets);
  // Steps after the last target never reach L: their gradients are exactly 0 and, as in autodiff,
  // the backward loop does not visit them (a NaN there must not leak into ∂L/∂w as 0·NaN).
  const lastT = lastTargetStep(hasY) ?? 0;

  // Backward recursion, t = lastT..1:
  //   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(z_t)·u + w·∂L/∂s_{t+1}    (∂L/∂s_{t+1} = 0 at the last target)
  //   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
  // L and the sums are added up in this loop too, from the last step down (the kernel adds them
  // in the same order, so the two agree to the bit).
  let L = 0, dL_dw = 0, dL_dv = 0, dL_db = 0, dL_du = 0, dL_dc = 0;
  for (let i = lastT - 1; i >= 0; i--) {
    const t = i + 1;
    let dL_dh_local = 0;
    if (hasY[i] !== 0) {
      const z = u * h[i] + c;
      const dL_dyhat = scale * dloss(ell, yhat[i], y[i]);
      const dL_dz = dL_dyhat * dact(theta, z, yhat[i]);
      dL_dh_local = dL_dz * u;
      L += loss(ell, yhat[i], y[i]);
      dL_du += dL_dz * h[i];
      dL_dc += dL_dz;
    }
    const dL_dh_recurrent = t < lastT ? w * dL_ds[i + 1] : 0;
    const dL_dh = dL_dh_local + dL_dh_recurrent;
    dL_ds[i] = dL_dh * dact(phi, s[i], h[i]);
    dL_dw += dL_ds[i] * (i > 0 ? h[i - 1] : h0);
    dL_dv += dL_ds[i] * x[i];
    dL_db += dL_ds[i];
  }

  // A NaN or ±∞ anywhere shows in s, h, ŷ, ∂L/∂s or L (non-finite times or plus anything stays
  // non-finite); only then is it searched for step by step.
  const maybeNonFinite = !(allFinite(s) && allFinite(h) && allFinite(yhat) && allFinite(dL_ds) && Number.isFinite(L));
  const sums = { L, dL_dw, dL_dv, dL_db, dL_du, dL_dc, nTargets };
  return makeTrace(model, data, { s, h, dL_ds }, sums, lastT > 0 ? lastT : null, maybeNonFinite);
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
