/**
 * The exact per-step quantities of a trace, 1-based with the recursion's boundary values, in the
 * layout formulas read (formula/compile.ts Env), plus the pieces the catalogue's variants recombine.
 */
import { act, actCode, dact } from '../core/activations';
import { dloss, loss, lossCode } from '../core/losses';
import { reductionScale, type Trace } from '../core/bptt';
import type { Env } from './formula/compile';
import type { Total } from './names';

export interface Exact extends Env {
  /** z_t = u·h_t + c, and θ'(z_t), φ'(s_t). */
  z: Float64Array;
  thetaP: Float64Array;
  phiP: Float64Array;
  /** 1/N for mean, 1 for sum: the factor inside ∂L/∂ŷ. */
  scale: number;
  totals: Record<Total, number>;
  /** Σ_t |term| of each total: the scale its rounding noise is relative to. */
  totalScale: Record<Total, number>;
}

export function exactOf(trace: Trace): Exact {
  const { T, model } = trace;
  const n = T + 2;
  const f64 = () => new Float64Array(n);
  const x = f64(), y = f64(), s = f64(), h = f64(), yhat = f64(), lossA = f64();
  const dL_dyhat = f64(), dL_dh = f64(), dL_ds = f64(), z = f64(), thetaP = f64(), phiP = f64();
  const hasY = new Uint8Array(n);
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  const scale = reductionScale(model.reduction, trace.nTargets);
  const { w, u, c, h0 } = model;
  // Out-of-range slots stay NaN, except the boundary values h[0] = h0 and ∂L/∂·[T+1] = 0.
  for (const a of [x, y, s, h, yhat, lossA, z, thetaP, phiP]) a.fill(NaN);
  h[0] = h0;
  let magW = 0, magV = 0, magB = 0, magU = 0, magC = 0, magL = 0;
  // Forward quantities and the local factors, t = 1..T (trace arrays are 0-based).
  for (let t = 1; t <= T; t++) {
    const i = t - 1;
    x[t] = trace.x[i];
    s[t] = trace.s[i];
    h[t] = trace.h[i];
    z[t] = u * h[t] + c;
    yhat[t] = act(theta, z[t]);
    thetaP[t] = dact(theta, z[t], yhat[t]);
    phiP[t] = dact(phi, s[t], h[t]);
    if (trace.hasY[i] !== 0) {
      hasY[t] = 1;
      y[t] = trace.y[i];
      lossA[t] = loss(ell, yhat[t], y[t]);
      dL_dyhat[t] = scale * dloss(ell, yhat[t], y[t]);
      magL += Math.abs(lossA[t]);
    }
  }
  // ∂L/∂h_t = ∂L/∂ŷ_t·θ'(z_t)·u + w·∂L/∂s_{t+1}, with ∂L/∂s from the trace (∂L/∂s_{T+1} = 0).
  for (let t = T; t >= 1; t--) {
    dL_ds[t] = trace.dL_ds[t - 1];
    const local = dL_dyhat[t] * thetaP[t];
    dL_dh[t] = local * u + w * dL_ds[t + 1];
    magW += Math.abs(dL_ds[t] * h[t - 1]);
    magV += Math.abs(dL_ds[t] * x[t]);
    magB += Math.abs(dL_ds[t]);
    magU += Math.abs(local * h[t]);
    magC += Math.abs(local);
  }
  const g = trace.grads;
  return {
    T, N: trace.nTargets, params: { w, v: model.v, b: model.b, u, c, h0 }, phi: model.phi, theta: model.theta,
    arrays: { x, y, s, h, yhat, loss: lossA, dL_dyhat, dL_dh, dL_ds },
    hasY, z, thetaP, phiP, scale,
    totals: { L: trace.loss, dL_dw: g.w, dL_dv: g.v, dL_db: g.b, dL_du: g.u, dL_dc: g.c, dL_dh0: g.h0 },
    totalScale: {
      L: model.reduction === 'mean' && trace.nTargets > 0 ? magL / trace.nTargets : magL,
      dL_dw: magW, dL_dv: magV, dL_db: magB, dL_du: magU, dL_dc: magC, dL_dh0: Math.abs(g.h0),
    },
  };
}

/** The wrong derivatives the catalogue tries: φ'(z_t), φ'(h_t), θ'(s_t). Computed once, when a claim fails. */
export interface VariantFactors {
  phiPz: Float64Array;
  phiPh: Float64Array;
  thetaPs: Float64Array;
}

const factors = new WeakMap<Exact, VariantFactors>();

export function variantFactors(E: Exact): VariantFactors {
  let V = factors.get(E);
  if (V) return V;
  const n = E.T + 2;
  const phi = actCode(E.phi), theta = actCode(E.theta);
  const { s, h } = E.arrays;
  V = { phiPz: new Float64Array(n).fill(NaN), phiPh: new Float64Array(n).fill(NaN), thetaPs: new Float64Array(n).fill(NaN) };
  for (let t = 1; t <= E.T; t++) {
    V.phiPz[t] = dact(phi, E.z[t], act(phi, E.z[t]));
    V.phiPh[t] = dact(phi, h[t], act(phi, h[t]));
    V.thetaPs[t] = dact(theta, s[t], act(theta, s[t]));
  }
  factors.set(E, V);
  return V;
}
