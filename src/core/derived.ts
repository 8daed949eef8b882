/**
 * The per-step quantities the trace does not store (ŷ, ∂L/∂ŷ, ∂L/∂h and its two parts), for a
 * whole range at once: what charts and exports need. Same arithmetic as `stepValues`, in a plain
 * loop over typed arrays, so 10⁶ steps take milliseconds and allocate nothing per step.
 */
import { act, actCode, dact } from './activations';
import { reductionScale, type Trace } from './trace';
import { dloss, lossCode } from './losses';

export interface DerivedSeries {
  yhat: Float64Array;
  dL_dyhat: Float64Array;
  dL_dh: Float64Array;
  dL_dh_local: Float64Array;
  dL_dh_recurrent: Float64Array;
}

export function allocDerived(n: number): DerivedSeries {
  return {
    yhat: new Float64Array(n),
    dL_dyhat: new Float64Array(n),
    dL_dh: new Float64Array(n),
    dL_dh_local: new Float64Array(n),
    dL_dh_recurrent: new Float64Array(n),
  };
}

/** Fills out[k] with step start + k's values, for steps [start, end) (0-based). */
export function fillDerived(trace: Trace, start: number, end: number, out: DerivedSeries = allocDerived(end - start)): DerivedSeries {
  const { model, y, hasY, h, dL_ds } = trace;
  const lastT = trace.lastTargetT ?? 0;
  const { w, u, c } = model;
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  const scale = reductionScale(model.reduction, trace.nTargets);
  // ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}   (recurrent part 0 from the last target on)
  for (let i = start; i < end; i++) {
    const t = i + 1;
    const k = i - start;
    const z = u * h[i] + c;
    const yhat = act(theta, z);
    const has = hasY[i] !== 0;
    const dL_dyhat = has ? scale * dloss(ell, yhat, y[i]) : 0;
    const local = has ? dL_dyhat * dact(theta, z, yhat) * u : 0;
    const recurrent = t < lastT ? w * dL_ds[i + 1] : 0;
    out.yhat[k] = yhat;
    out.dL_dyhat[k] = dL_dyhat;
    out.dL_dh_local[k] = local;
    out.dL_dh_recurrent[k] = recurrent;
    out.dL_dh[k] = local + recurrent;
  }
  return out;
}
