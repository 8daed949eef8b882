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
 * Cost: O(n²) per lag. A horizon that reaches maxLag stops there and is counted as capped, and the
 * whole computation stops after `maxWork` multiply-adds (an exploding gradient would otherwise cost
 * O(T²·n²)): the targets are visited in an evenly spread order (τ at the middle, then the quarters,
 * the eighths, …, van der Corput), so a budget that runs out leaves an even sample of the sequence,
 * and `evaluated` says how many. The median and maximum are then over that sample.
 */
import type { VectorTrace } from '../../core/vector/model';
import { norm2, vectorStepValues } from '../../core/vector/step';
import type { VectorJacobians } from './jacobians';

export const DEFAULT_MAX_LAG = 1000;
/** A fraction of a second of vector-Jacobian products. */
export const DEFAULT_MAX_WORK = 2e8;

export interface VectorHorizons {
  ratio: number;
  maxLag: number;
  maxWork: number;
  /** 1-based steps τ whose horizon was computed, ascending (every target unless the budget ran out). */
  targets: Int32Array;
  /** How many steps have a target, and how many of them were evaluated (= targets.length). */
  nTargets: number;
  evaluated: number;
  perTarget: Int32Array;
  /** 1 where ρ stayed ≥ ratio down to s_1. */
  reachesStart: Uint8Array;
  /** How many horizons stopped at maxLag, and how many targets send no gradient back. */
  capped: number;
  silent: number;
  /** Median of perTarget (the lower middle for an even count); 0 with none. */
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

/** 0..count−1 in van der Corput order: bit-reversed k, skipping values ≥ count. */
function spreadOrder(count: number): Int32Array {
  let bits = 0;
  while (1 << bits < count) bits++;
  const order = new Int32Array(count);
  let q = 0;
  for (let k = 0; q < count; k++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if (k & (1 << b)) r |= 1 << (bits - 1 - b);
    if (r < count) order[q++] = r;
  }
  return order;
}

export function vectorHorizons(
  trace: VectorTrace, jac: VectorJacobians, ratio = 1e-3, maxLag = DEFAULT_MAX_LAG, maxWork = DEFAULT_MAX_WORK,
): VectorHorizons {
  const { T, hasY } = trace;
  const n = trace.model.n;
  const steps: number[] = [];
  for (let i = 0; i < T; i++) if (hasY[i] !== 0) steps.push(i);
  const nTargets = steps.length;
  const horizon = new Int32Array(nTargets).fill(-1), reaches = new Uint8Array(nTargets);
  let g = new Float64Array(n), next = new Float64Array(n);
  let capped = 0, silent = 0, work = 0;
  for (const q of spreadOrder(nTargets)) {
    if (work > maxWork) break;
    const i = steps[q];
    seedAt(trace, i, g);
    work += n * n;
    const g0 = norm2(g);
    let d = 0;
    if (!(g0 > 0 && g0 < Infinity)) silent++;
    else {
      // Pull back: g ← J_{i−1−d}ᵀ·g; the ratio at lag d + 1 is ‖g‖/‖g_τ‖.
      while (d < i && d < maxLag) {
        jac.vjp(i - 1 - d, g, next);
        [g, next] = [next, g];
        work += n * n;
        // ‖g‖ from Σg² where that neither overflows nor underflows, else by the scaled norm2.
        let ss = 0;
        for (let r = 0; r < n; r++) ss += g[r] * g[r];
        const gn = ss > 1e-250 && ss < 1e250 ? Math.sqrt(ss) : norm2(g);
        if (!(gn >= ratio * g0 && gn < Infinity)) break;
        d++;
      }
      if (d === i) reaches[q] = 1;
      else if (d === maxLag) capped++;
    }
    horizon[q] = d;
  }
  // The evaluated targets, ascending.
  let evaluated = 0;
  for (let q = 0; q < nTargets; q++) if (horizon[q] >= 0) evaluated++;
  const targets = new Int32Array(evaluated), perTarget = new Int32Array(evaluated), reachesStart = new Uint8Array(evaluated);
  for (let q = 0, e = 0; q < nTargets; q++) {
    if (horizon[q] < 0) continue;
    targets[e] = steps[q] + 1;
    perTarget[e] = horizon[q];
    reachesStart[e++] = reaches[q];
  }
  // Median and maximum by counting (horizons are integers in [0, T)).
  let max = 0, maxAt = 0, median = 0;
  const count = new Int32Array(T + 1);
  for (let p = 0; p < evaluated; p++) {
    count[perTarget[p]]++;
    if (perTarget[p] > max || maxAt === 0) {
      max = perTarget[p];
      maxAt = targets[p];
    }
  }
  if (evaluated > 0) {
    const want = (evaluated - 1) >> 1;
    let seen = 0;
    for (let d = 0; d <= T; d++) {
      seen += count[d];
      if (seen > want) {
        median = d;
        break;
      }
    }
  }
  return { ratio, maxLag, maxWork, targets, nTargets, evaluated, perTarget, reachesStart, capped, silent, median, max, maxAt };
}
