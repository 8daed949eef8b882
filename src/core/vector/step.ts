/**
 * Every per-step quantity of the vector RNN that the hover, the step table and the CLI show, as
 * vectors, recomputed from the trace (s, h, ∂L/∂s) with exactly the arithmetic of the reference
 * pass (reference.ts), so each value agrees with what the pass used to the bit.
 *
 *   z_t = U·h_t + c      ŷ_t = θ(z_t)      (for cross_entropy ŷ_t are the logits; p_t = softmax(ŷ_t))
 *   ∂L/∂h_t = Uᵀ·(∂L/∂ŷ_t ⊙ θ'(z_t)) + Wᵀ·∂L/∂s_{t+1}        ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)
 *             └──────── local ───────┘   └─ recurrent ─┘
 */
import { act, actCode, dact } from '../activations';
import { dloss, loss, lossCode } from '../losses';
import { targetWidth, vectorReductionScale, type VectorTrace } from './model';
import { norm2 } from './norm';

export interface VectorStepValues {
  /** 1-based step. */
  t: number;
  /** m */
  x: Float64Array;
  /** k targets, or null where the step has no target (and for cross_entropy, see `cls`). */
  y: Float64Array | null;
  /** The class index for cross_entropy (as given, even if out of range); null otherwise or without a target. */
  cls: number | null;
  /** n each */
  s: Float64Array;
  h: Float64Array;
  /** h_{t−1} (h0 at t = 1) */
  hPrev: Float64Array;
  /** k each: z_t = U·h_t + c, ŷ_t = θ(z_t) (the logits for cross_entropy) */
  z: Float64Array;
  yhat: Float64Array;
  /** softmax(ŷ_t), for cross_entropy only (null otherwise). */
  probs: Float64Array | null;
  /** ℓ_t before reduction (summed over the k outputs); null without a target. */
  loss: number | null;
  /** k each: the reduction's scale is in ∂L/∂ŷ_t; 0 without a target. */
  dL_dyhat: Float64Array;
  thetaPrime: Float64Array;
  /** n each */
  phiPrime: Float64Array;
  dL_dh: Float64Array;
  /** Uᵀ·(∂L/∂ŷ_t ⊙ θ'(z_t)) */
  dL_dh_local: Float64Array;
  /** Wᵀ·∂L/∂s_{t+1}; 0 at t = T and from the last target on */
  dL_dh_recurrent: Float64Array;
  dL_ds: Float64Array;
  /** ∂L/∂s_{t+1}, 0 at t = T */
  dL_ds_next: Float64Array;
  /** Euclidean norms of the vectors above. */
  norms: VectorStepNorms;
}

export const NORM_KEYS = [
  's', 'h', 'yhat', 'dL_dyhat', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds', 'dL_ds_next',
] as const;
export type VectorStepNorms = Record<(typeof NORM_KEYS)[number], number>;

export { norm2 };

export function vectorStepValues(trace: VectorTrace, i: number): VectorStepValues {
  const { model, T, x, y, hasY, s, h, dL_ds } = trace;
  const { n, m, k, W, U, c, h0 } = model;
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const crossEntropy = model.loss === 'cross_entropy';
  const yw = targetWidth(model.loss, k);
  const scale = vectorReductionScale(model, trace.nTargets);
  const lastT = trace.lastTargetT ?? 0;
  const t = i + 1;
  const has = hasY[i] !== 0;
  const ht = h.subarray(i * n, (i + 1) * n);

  // Output: z_t = U·h_t + c, ŷ_t = θ(z_t), θ'(z_t)
  const z = new Float64Array(k), yhat = new Float64Array(k), thetaPrime = new Float64Array(k);
  for (let q = 0; q < k; q++) {
    let Uh = U[q * n] * ht[0];
    for (let j = 1; j < n; j++) Uh += U[q * n + j] * ht[j];
    z[q] = Uh + c[q];
    yhat[q] = act(theta, z[q]);
    thetaPrime[q] = dact(theta, z[q], yhat[q]);
  }

  // The loss and ∂L/∂ŷ_t (softmax − onehot for cross_entropy), and ∂L/∂z_t = ∂L/∂ŷ_t ⊙ θ'(z_t)
  const dL_dyhat = new Float64Array(k), dL_dz = new Float64Array(k);
  let probs: Float64Array | null = null;
  let ell: number | null = null;
  if (crossEntropy) {
    probs = new Float64Array(k);
    let max = -Infinity;
    for (let q = 0; q < k; q++) if (yhat[q] > max) max = yhat[q];
    let sumExp = 0;
    for (let q = 0; q < k; q++) sumExp += (probs[q] = Math.exp(yhat[q] - max));
    for (let q = 0; q < k; q++) probs[q] /= sumExp;
    if (has) {
      const cls = y[i * yw];
      const valid = Number.isInteger(cls) && cls >= 0 && cls < k;
      ell = valid ? max + Math.log(sumExp) - yhat[cls] : NaN;
      for (let q = 0; q < k; q++) dL_dyhat[q] = scale * (valid ? probs[q] - (q === cls ? 1 : 0) : NaN);
    }
  } else if (has) {
    const l = lossCode(model.loss as Exclude<typeof model.loss, 'cross_entropy'>);
    ell = 0;
    for (let q = 0; q < k; q++) {
      dL_dyhat[q] = scale * dloss(l, yhat[q], y[i * yw + q]);
      ell += loss(l, yhat[q], y[i * yw + q]);
    }
  }
  if (has) for (let q = 0; q < k; q++) dL_dz[q] = dL_dyhat[q] * thetaPrime[q];

  // ∂L/∂h_t = Uᵀ·∂L/∂z_t + Wᵀ·∂L/∂s_{t+1},  ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)
  const local = new Float64Array(n), recurrent = new Float64Array(n), dL_dh = new Float64Array(n);
  const phiPrime = new Float64Array(n), dL_ds_next = new Float64Array(n);
  if (t < T) dL_ds_next.set(dL_ds.subarray((i + 1) * n, (i + 2) * n));
  for (let r = 0; r < n; r++) {
    if (has) {
      local[r] = dL_dz[0] * U[r];
      for (let q = 1; q < k; q++) local[r] += dL_dz[q] * U[q * n + r];
    }
    if (t < lastT) {
      recurrent[r] = W[r] * dL_ds_next[0];
      for (let j = 1; j < n; j++) recurrent[r] += W[j * n + r] * dL_ds_next[j];
    }
    dL_dh[r] = local[r] + recurrent[r];
    phiPrime[r] = dact(phi, s[i * n + r], ht[r]);
  }

  const out = {
    t,
    x: x.slice(i * m, (i + 1) * m),
    y: has && !crossEntropy ? y.slice(i * yw, (i + 1) * yw) : null,
    cls: has && crossEntropy ? y[i * yw] : null,
    s: s.slice(i * n, (i + 1) * n),
    h: ht.slice(),
    hPrev: i > 0 ? h.slice((i - 1) * n, i * n) : h0.slice(),
    z,
    yhat,
    probs,
    loss: ell,
    dL_dyhat,
    thetaPrime,
    phiPrime,
    dL_dh,
    dL_dh_local: local,
    dL_dh_recurrent: recurrent,
    dL_ds: dL_ds.slice(i * n, (i + 1) * n),
    dL_ds_next,
    norms: {} as VectorStepNorms,
  };
  for (const key of NORM_KEYS) out.norms[key] = norm2(out[key]);
  return out;
}

/** Where NaN or ±∞ starts: a quantity, its component and its value. */
export interface VectorNonFiniteOrigin {
  /** 1-based step. */
  t: number;
  quantity: keyof VectorStepValues;
  /** 0-based component within the quantity (0 for the scalar loss). */
  unit: number;
  value: number;
  /** Forward quantities go bad from the earliest step on, gradients from the latest backward. */
  direction: 'forward' | 'backward';
}

const FORWARD = ['x', 'y', 's', 'h', 'yhat', 'loss'] as const;
const BACKWARD = ['dL_dyhat', 'dL_dh_local', 'dL_dh_recurrent', 'dL_dh', 'dL_ds'] as const;

function firstBad(v: VectorStepValues, keys: readonly (keyof VectorStepValues)[], direction: VectorNonFiniteOrigin['direction']): VectorNonFiniteOrigin | null {
  for (const quantity of keys) {
    const a = v[quantity];
    if (typeof a === 'number' && !Number.isFinite(a)) return { t: v.t, quantity, unit: 0, value: a, direction };
    if (a instanceof Float64Array) {
      for (let j = 0; j < a.length; j++) if (!Number.isFinite(a[j])) return { t: v.t, quantity, unit: j, value: a[j], direction };
    }
  }
  return null;
}

/**
 * Like the scalar trace's `nonFiniteOrigin`: the first forward quantity that is NaN or ±∞ (earliest
 * step), else the gradient where the blow-up starts (the latest step with a non-finite gradient).
 * Also the earliest step with any non-finite per-step value. O(T·n·(n + k)): run it only when
 * `trace.firstNonFinite` (or the loss) says something is not finite.
 */
export function vectorNonFinite(trace: VectorTrace): { firstNonFinite: number | null; origin: VectorNonFiniteOrigin | null } {
  let first: number | null = null;
  let forward: VectorNonFiniteOrigin | null = null;
  let backward: VectorNonFiniteOrigin | null = null;
  for (let i = 0; i < trace.T; i++) {
    const v = vectorStepValues(trace, i);
    const fwd = firstBad(v, FORWARD, 'forward');
    const bwd = firstBad(v, BACKWARD, 'backward');
    if ((fwd || bwd) && first === null) first = v.t;
    if (fwd && !forward) forward = fwd;
    if (bwd) backward = bwd;
  }
  return { firstNonFinite: first, origin: forward ?? backward };
}
