/**
 * The exact values a check needs beyond the trace (z_t, ∂L/∂ŷ_t and the derivatives the variants
 * put in place of the right ones), and the backward pass of one catalogue variant.
 */
import { act, actCode, dact } from '../../core/activations';
import { dloss, lossCode } from '../../core/losses';
import { targetWidth, vectorReductionScale, type VectorGrads, type VectorTrace } from '../../core/vector/model';
import type { FormContext, VectorForm } from './catalogue';

export interface VectorExact extends FormContext {
  trace: VectorTrace;
  /** 1-based t of the last step with a target (0 when none): the backward pass starts there. */
  lastT: number;
  /** scale·∂ℓ/∂ŷ_t (0 where there is no target), θ'(z_t) and φ'(z_t), T×k each. */
  dL_dyhat: Float64Array;
  thetaP: Float64Array;
  phiPz: Float64Array;
  /** φ'(s_t), φ'(h_t), θ'(s_t), T×n each. */
  phiP: Float64Array;
  phiPh: Float64Array;
  thetaPs: Float64Array;
}

export function exactOf(trace: VectorTrace): VectorExact {
  const { model, T, s, h, y, hasY } = trace;
  const { n, k, U, c } = model;
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const crossEntropy = model.loss === 'cross_entropy';
  const ell = crossEntropy ? 0 : lossCode(model.loss as Exclude<typeof model.loss, 'cross_entropy'>);
  const yw = targetWidth(model.loss, k);
  const scale = vectorReductionScale(model, trace.nTargets);
  const dL_dyhat = new Float64Array(T * k), thetaP = new Float64Array(T * k), phiPz = new Float64Array(T * k);
  const phiP = new Float64Array(T * n), phiPh = new Float64Array(T * n), thetaPs = new Float64Array(T * n);
  const z = new Float64Array(k), yhat = new Float64Array(k);
  for (let i = 0; i < T; i++) {
    // z_t = U·h_t + c,  ŷ_t = θ(z_t), as the reference computes them
    for (let q = 0; q < k; q++) {
      let Uh = U[q * n] * h[i * n];
      for (let j = 1; j < n; j++) Uh += U[q * n + j] * h[i * n + j];
      z[q] = Uh + c[q];
      yhat[q] = act(theta, z[q]);
      thetaP[i * k + q] = dact(theta, z[q], yhat[q]);
      phiPz[i * k + q] = dact(phi, z[q], act(phi, z[q]));
    }
    if (hasY[i] !== 0) {
      if (crossEntropy) {
        // ∂ℓ/∂ŷ_t = softmax(ŷ_t) − onehot(y_t); an invalid class is NaN, as in the reference.
        const cls = y[i * yw];
        const valid = Number.isInteger(cls) && cls >= 0 && cls < k;
        let max = -Infinity;
        for (let q = 0; q < k; q++) if (yhat[q] > max) max = yhat[q];
        let sumExp = 0;
        for (let q = 0; q < k; q++) sumExp += Math.exp(yhat[q] - max);
        for (let q = 0; q < k; q++) dL_dyhat[i * k + q] = scale * (valid ? Math.exp(yhat[q] - max) / sumExp - (q === cls ? 1 : 0) : NaN);
      } else {
        for (let q = 0; q < k; q++) dL_dyhat[i * k + q] = scale * dloss(ell, yhat[q], y[i * yw + q]);
      }
    }
    for (let r = 0; r < n; r++) {
      const o = i * n + r;
      phiP[o] = dact(phi, s[o], h[o]);
      phiPh[o] = dact(phi, h[o], act(phi, h[o]));
      thetaPs[o] = dact(theta, s[o], act(theta, s[o]));
    }
  }
  let lastT = T;
  while (lastT > 0 && hasY[lastT - 1] === 0) lastT--;
  return { n, m: model.m, k, phi: model.phi, theta: model.theta, T, N: trace.nTargets, scale, crossEntropy, trace, lastT, dL_dyhat, thetaP, phiPz, phiP, phiPh, thetaPs };
}

/** A variant's per-step ∂L/∂h_t and ∂L/∂s_t (T×n) and its totals. */
export interface VectorVariant {
  dL_dh: Float64Array;
  dL_ds: Float64Array;
  grads: VectorGrads;
}

export function allocVariant(E: VectorExact): VectorVariant {
  const { T, n, m, k } = E;
  const grads = { W: new Float64Array(n * n), V: new Float64Array(n * m), b: new Float64Array(n), U: new Float64Array(k * n), c: new Float64Array(k), h0: new Float64Array(n) };
  return { dL_dh: new Float64Array(T * n), dL_ds: new Float64Array(T * n), grads };
}

/** Step i ± d of a (n wide), or step i where that is outside 1..T (a shifted index keeps the boundary). */
function shiftedRow(i: number, d: number, T: number): number {
  const j = i + d;
  return j >= 0 && j < T ? j : i;
}

function transposeSquare(a: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    for (let j = r + 1; j < n; j++) {
      const t = a[r * n + j];
      a[r * n + j] = a[j * n + r];
      a[j * n + r] = t;
    }
  }
}

/**
 * Runs the variant from the last target back to t = 1 into out (the exact pass for f = {}):
 *   ∂L/∂z_t = ∂L/∂ŷ_t ⊙ θ'(z_t)
 *   ∂L/∂h_t = Uᵀ·∂L/∂z_t + Wᵀ·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)
 * with each term replaced as `f` says, the step after coming from the variant's own values.
 * It does the reference's arithmetic in the reference's order, so f = {} is bit for bit exact.
 * With iLo > 0 it stops after step iLo + 1 (a quick look at the last steps; the totals need iLo = 0).
 */
export function runVariant(E: VectorExact, f: VectorForm, out: VectorVariant, iLo = 0): VectorVariant {
  const { n, m, k, lastT, T } = E;
  const { x, h, hasY } = E.trace;
  const { W, U, h0 } = E.trace.model;
  const { dL_dh, dL_ds, grads } = out;
  dL_dh.fill(0);
  dL_ds.fill(0);
  for (const g of Object.values(grads)) g.fill(0);
  const dyScale = f.dyhat ?? 1;
  const recShift = f.recShift ?? 0;
  const K = f.trunc ?? 0;
  const thetaP = f.local === 'phiz' ? E.phiPz : E.thetaP;
  const stateP = f.state === 'phih' ? E.phiPh : f.state === 'thetas' ? E.thetaPs : E.phiP;
  const dL_dz = new Float64Array(k);
  for (let i = lastT - 1; i >= iLo; i--) {
    const t = i + 1;
    // ∂L/∂z_t, the local term's vector (0 without a target)
    for (let q = 0; q < k; q++) {
      dL_dz[q] = hasY[i] === 0 ? 0 : dyScale * E.dL_dyhat[i * k + q] * (f.local === 'none' ? 1 : thetaP[i * k + q]);
    }
    // The step whose ∂L/∂s (or ∂L/∂h) the recurrent term reads, if any gradient crosses into t.
    const j = i + 1 + recShift;
    const crosses = !f.noRec && t < lastT && j < lastT && !(K > 0 && t % K === 0);
    const next = f.recUsesH ? dL_dh : dL_ds;
    const sRow = f.state === 'next' || f.state === 'prev' ? shiftedRow(i, f.state === 'next' ? 1 : -1, T) : i;
    for (let r = 0; r < n; r++) {
      let local = 0;
      if (hasY[i] !== 0 && !f.noLocal) {
        local = dL_dz[0] * U[r];
        for (let q = 1; q < k; q++) local += dL_dz[q] * U[q * n + r];
      }
      let recurrent = 0;
      if (crosses) {
        if (f.noW) recurrent = next[j * n + r];
        else if (f.recW) {
          recurrent = W[r * n] * next[j * n];
          for (let l = 1; l < n; l++) recurrent += W[r * n + l] * next[j * n + l];
        } else {
          recurrent = W[r] * next[j * n];
          for (let l = 1; l < n; l++) recurrent += W[l * n + r] * next[j * n + l];
        }
      }
      dL_dh[i * n + r] = local + recurrent;
      dL_ds[i * n + r] = dL_dh[i * n + r] * (f.state === 'none' ? 1 : stateP[sRow * n + r]);
    }
    // ∂L/∂U += ∂L/∂z_t·h_tᵀ, ∂L/∂c += ∂L/∂z_t
    if (hasY[i] !== 0) {
      for (let q = 0; q < k; q++) {
        for (let l = 0; l < n; l++) grads.U[q * n + l] += dL_dz[q] * h[i * n + l];
        grads.c[q] += dL_dz[q];
      }
    }
    // ∂L/∂W += ∂L/∂s_t·h_{t-1}ᵀ (h_tᵀ for hNow), ∂L/∂V += ∂L/∂s_t·x_tᵀ, ∂L/∂b += ∂L/∂s_t
    const hW = f.hNow ? h.subarray(i * n, (i + 1) * n) : i > 0 ? h.subarray((i - 1) * n, i * n) : h0;
    for (let r = 0; r < n; r++) {
      const g = dL_ds[i * n + r];
      for (let l = 0; l < n; l++) grads.W[r * n + l] += g * hW[l];
      for (let l = 0; l < m; l++) grads.V[r * m + l] += g * x[i * m + l];
      grads.b[r] += g;
    }
  }
  // ∂L/∂h_0 = Wᵀ·∂L/∂s_1 (the variant's W·, or no W)
  if (T > 0 && iLo === 0) {
    for (let r = 0; r < n; r++) {
      let acc: number;
      if (f.noW) acc = dL_ds[r];
      else if (f.recW) {
        acc = W[r * n] * dL_ds[0];
        for (let l = 1; l < n; l++) acc += W[r * n + l] * dL_ds[l];
      } else {
        acc = W[r] * dL_ds[0];
        for (let l = 1; l < n; l++) acc += W[l * n + r] * dL_ds[l];
      }
      grads.h0[r] = acc;
    }
  }
  // The transposed outer products: Σ h_{t−1}·∂L/∂s_tᵀ is the transpose of the right sum.
  for (const p of f.outer ?? []) transposeSquare(grads[p], n);
  return out;
}
