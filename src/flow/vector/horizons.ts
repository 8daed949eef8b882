/**
 * How far back each loss term reaches, for the vector RNN: the exact ratio
 *
 *   ρ_τ(t) = ‖∂ℓ_τ/∂s_t‖ / ‖∂ℓ_τ/∂s_τ‖,     ∂ℓ_τ/∂s_t = diag(φ'(s_t))·Wᵀ·∂ℓ_τ/∂s_{t+1}
 *
 * by pulling each target's own vector back one step at a time. The horizon of ℓ_τ is the number of
 * steps back d with ρ ≥ `ratio` at every lag 1..d (as src/flow/horizons.ts defines it for the
 * scalar model, where ρ is |Π w·φ'|: the two agree at n = 1). A NaN or ∞ ratio ends the horizon, and a
 * target that sends nothing back (∂ℓ_τ/∂s_τ = 0 or not finite) has horizon 0 and is counted.
 *
 * Cost: O(n²) per lag, O(n²·Σ_τ min(horizon_τ, maxLag)) in all. A horizon that reaches maxLag
 * stops there and is counted as capped (an exploding gradient would otherwise cost O(T²·n²)).
 */
import type { VectorTrace } from '../../core/vector/model';
import { norm2, vectorStepValues } from '../../core/vector/step';
import type { VectorJacobians } from './jacobians';

export const DEFAULT_MAX_LAG = 1000;

export interface VectorHorizons {
  ratio: number;
  maxLag: number;
  /** 1-based steps τ that have a target, ascending. */
  targets: Int32Array;
  perTarget: Int32Array;
  /** 1 where ρ stayed ≥ ratio down to s_1. */
  reachesStart: Uint8Array;
  /** How many horizons stopped at maxLag, and how many targets send no gradient back. */
  capped: number;
  silent: number;
  /** Median of perTarget (the lower middle for an even count); 0 with no target. */
  median: number;
  max: number;
  /** 1-based τ of the (first) target with the maximum horizon, or 0. */
  maxAt: number;
}

/** ∂ℓ_τ/∂s_τ up to the reduction's scale: (Uᵀ·(∂ℓ_τ/∂ŷ_τ ⊙ θ')) ⊙ φ'(s_τ). */
function seedAt(trace: VectorTrace, i: number, out: Float64Array): void {
  const v = vectorStepValues(trace, i);
  for (let r = 0; r < out.length; r++) out[r] = v.dL_dh_local[r] * v.phiPrime[r];
}

export function vectorHorizons(trace: VectorTrace, jac: VectorJacobians, ratio = 1e-3, maxLag = DEFAULT_MAX_LAG): VectorHorizons {
  const { T, hasY } = trace;
  const n = trace.model.n;
  let nTargets = 0;
  for (let i = 0; i < T; i++) if (hasY[i] !== 0) nTargets++;
  const targets = new Int32Array(nTargets), perTarget = new Int32Array(nTargets), reachesStart = new Uint8Array(nTargets);
  let g = new Float64Array(n), next = new Float64Array(n);
  let capped = 0, silent = 0, q = 0;
  for (let i = 0; i < T; i++) {
    if (hasY[i] === 0) continue;
    targets[q] = i + 1;
    seedAt(trace, i, g);
    const g0 = norm2(g);
    let d = 0;
    if (!(g0 > 0 && g0 < Infinity)) silent++;
    else {
      // Pull back: g ← J_{i−1−d}ᵀ·g; the ratio at lag d + 1 is ‖g‖/‖g_τ‖.
      while (d < i && d < maxLag) {
        jac.vjp(i - 1 - d, g, next);
        [g, next] = [next, g];
        const gn = norm2(g);
        if (!(gn >= ratio * g0 && gn < Infinity)) break;
        d++;
      }
      if (d === i) reachesStart[q] = 1;
      else if (d === maxLag) capped++;
    }
    perTarget[q++] = d;
  }
  // Median and maximum by counting (horizons are integers in [0, T)).
  let max = 0, maxAt = 0, median = 0;
  const count = new Int32Array(T + 1);
  for (let p = 0; p < nTargets; p++) {
    count[perTarget[p]]++;
    if (perTarget[p] > max || maxAt === 0) {
      max = perTarget[p];
      maxAt = targets[p];
    }
  }
  if (nTargets > 0) {
    const want = (nTargets - 1) >> 1;
    let seen = 0;
    for (let d = 0; d <= T; d++) {
      seen += count[d];
      if (seen > want) {
        median = d;
        break;
      }
    }
  }
  return { ratio, maxLag, targets, perTarget, reachesStart, capped, silent, median, max, maxAt };
}
