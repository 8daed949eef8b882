/**
 * A vector trace's per-step backward parts, for the hover, the step table and the norm series:
 *
 *   ∂L/∂h_t = Uᵀ·(∂L/∂ŷ_t ⊙ θ'(z_t)) + Wᵀ·∂L/∂s_{t+1}      (local + recurrent; ∂L/∂s_{T+1} = 0)
 *   ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)                              with z_t = U·h_t + c
 *
 * The same arithmetic in the same order as referenceVectorBptt, so (local + recurrent)·φ'(s_t)
 * is the trace's ∂L/∂s_t to the bit. Pure: no `vscode`.
 */
import { act, actCode, dact } from '../../core/activations';
import { dloss, lossCode } from '../../core/losses';
import { targetWidth, vectorReductionScale, type VectorTrace } from '../../core/vector/model';
import { norm2 } from '../../shared/norm';


/** One step's vectors (length n unless noted). */
export interface VectorStepParts {
  /** 1-based. */
  t: number;
  /** m */
  x: Float64Array;
  s: Float64Array;
  h: Float64Array;
  phiPrime: Float64Array;
  dL_dh_local: Float64Array;
  dL_dh_recurrent: Float64Array;
  dL_dh: Float64Array;
  dL_ds: Float64Array;
}

/** Scratch buffers for `fillBackwardParts`, so a pass over every step allocates nothing per step. */
interface Scratch {
  z: Float64Array;
  yhat: Float64Array;
  dL_dz: Float64Array;
  p: Float64Array;
}

function scratch(k: number): Scratch {
  return { z: new Float64Array(k), yhat: new Float64Array(k), dL_dz: new Float64Array(k), p: new Float64Array(k) };
}

/** local and recurrent parts of ∂L/∂h_t at 0-based step i, into `local` and `recurrent` (length n). */
function fillBackwardParts(tr: VectorTrace, i: number, w: Scratch, local: Float64Array, recurrent: Float64Array): void {
  const { n, k, W, U, c } = tr.model;
  const { h, hasY, y, dL_ds } = tr;
  const theta = actCode(tr.model.theta);
  const lastT = tr.lastTargetT ?? 0;
  const t = i + 1;
  const { z, yhat, dL_dz, p } = w;
  dL_dz.fill(0);
  // ∂L/∂z_t = scale·∂ℓ/∂ŷ_t ⊙ θ'(z_t) at a step with a target that reaches L
  if (hasY[i] !== 0 && t <= lastT) {
    const scale = vectorReductionScale(tr.model, tr.nTargets);
    const yw = targetWidth(tr.model.loss, k);
    for (let q = 0; q < k; q++) {
      let Uh = U[q * n] * h[i * n];
      for (let j = 1; j < n; j++) Uh += U[q * n + j] * h[i * n + j];
      z[q] = Uh + c[q];
      yhat[q] = act(theta, z[q]);
    }
    if (tr.model.loss === 'cross_entropy') {
      const cls = y[i * yw];
      let max = -Infinity;
      for (let q = 0; q < k; q++) if (yhat[q] > max) max = yhat[q];
      let sumExp = 0;
      for (let q = 0; q < k; q++) sumExp += (p[q] = Math.exp(yhat[q] - max));
      for (let q = 0; q < k; q++) p[q] /= sumExp;
      const valid = Number.isInteger(cls) && cls >= 0 && cls < k;
      for (let q = 0; q < k; q++) dL_dz[q] = scale * (valid ? p[q] - (q === cls ? 1 : 0) : NaN) * dact(theta, z[q], yhat[q]);
    } else {
      const ell = lossCode(tr.model.loss);
      for (let q = 0; q < k; q++) dL_dz[q] = scale * dloss(ell, yhat[q], y[i * yw + q]) * dact(theta, z[q], yhat[q]);
    }
  }
  for (let r = 0; r < n; r++) {
    let l = 0;
    if (hasY[i] !== 0 && t <= lastT) {
      l = dL_dz[0] * U[r];
      for (let q = 1; q < k; q++) l += dL_dz[q] * U[q * n + r];
    }
    let rec = 0;
    if (t < lastT) {
      rec = W[r] * dL_ds[(i + 1) * n];
      for (let j = 1; j < n; j++) rec += W[j * n + r] * dL_ds[(i + 1) * n + j];
    }
    local[r] = l;
    recurrent[r] = rec;
  }
}

/** Every vector of 0-based step i. */
export function vectorStepParts(tr: VectorTrace, i: number): VectorStepParts {
  const { n, m } = tr.model;
  const phi = actCode(tr.model.phi);
  const local = new Float64Array(n);
  const recurrent = new Float64Array(n);
  fillBackwardParts(tr, i, scratch(tr.model.k), local, recurrent);
  const s = tr.s.slice(i * n, (i + 1) * n);
  const h = tr.h.slice(i * n, (i + 1) * n);
  const phiPrime = new Float64Array(n);
  const dL_dh = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    phiPrime[r] = dact(phi, s[r], h[r]);
    dL_dh[r] = local[r] + recurrent[r];
  }
  return {
    t: i + 1,
    x: tr.x.slice(i * m, (i + 1) * m),
    s,
    h,
    phiPrime,
    dL_dh_local: local,
    dL_dh_recurrent: recurrent,
    dL_dh,
    dL_ds: tr.dL_ds.slice(i * n, (i + 1) * n),
  };
}

/** The norms over t (length T each): what the timeline's charts draw for a vector model. */
export interface VectorNormSeries {
  x: Float64Array;
  h: Float64Array;
  dL_dh: Float64Array;
  dL_dh_local: Float64Array;
  dL_dh_recurrent: Float64Array;
  dL_ds: Float64Array;
}

/** ‖x_t‖, ‖h_t‖, ‖∂L/∂h_t‖ with its local and recurrent parts, ‖∂L/∂s_t‖, for t = 1..T. O(T·n·(n + k)). */
export function vectorNormSeries(tr: VectorTrace): VectorNormSeries {
  const { T } = tr;
  const { n, m, k } = tr.model;
  const out: VectorNormSeries = {
    x: new Float64Array(T),
    h: new Float64Array(T),
    dL_dh: new Float64Array(T),
    dL_dh_local: new Float64Array(T),
    dL_dh_recurrent: new Float64Array(T),
    dL_ds: new Float64Array(T),
  };
  const w = scratch(k);
  const local = new Float64Array(n);
  const recurrent = new Float64Array(n);
  const dL_dh = new Float64Array(n);
  for (let i = 0; i < T; i++) {
    fillBackwardParts(tr, i, w, local, recurrent);
    for (let r = 0; r < n; r++) dL_dh[r] = local[r] + recurrent[r];
    out.x[i] = norm2(tr.x, i * m, m);
    out.h[i] = norm2(tr.h, i * n, n);
    out.dL_dh[i] = norm2(dL_dh);
    out.dL_dh_local[i] = norm2(local);
    out.dL_dh_recurrent[i] = norm2(recurrent);
    out.dL_ds[i] = norm2(tr.dL_ds, i * n, n);
  }
  return out;
}
