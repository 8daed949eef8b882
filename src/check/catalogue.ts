/**
 * The catalogue of known mistakes. Each is a wrong variant of the backward recursion, computed
 * from the same file:
 *
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(z_t)·u + w·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)      z_t = u·h_t + c
 *
 * A variant runs `isolated` (each step from the exact values of the step after it: what a
 * formula computes) or `propagated` (from its own values: what the user's code computed).
 */
import { variantFactors, type Exact } from './exact';
import type { Total } from './names';

/** One way to get the recursion wrong: each field replaces one term. */
export interface Form {
  /** Factor on ∂L/∂ŷ_t (and on ℓ and L: `lossScale`). */
  dyhat?: number;
  lossScale?: number;
  /** ∂L/∂ŷ of step t + dyhatShift. */
  dyhatShift?: number;
  /** What stands where θ'(z_t) belongs: φ'(z_t), φ'(h_t), nothing, or θ' of the step before/after. */
  local?: 'phiz' | 'phih' | 'none' | 'prev' | 'next';
  noU?: boolean;
  noLocal?: boolean;
  noRec?: boolean;
  /** w·∂L/∂h_{t+1} */
  recUsesH?: boolean;
  noW?: boolean;
  /** w·∂L/∂s_{t+1+recShift} */
  recShift?: number;
  /** What stands where φ'(s_t) belongs: θ'(s_t), nothing, or φ' of the step before/after. */
  state?: 'thetas' | 'none' | 'prev' | 'next';
  /** ∂L/∂w sums ∂L/∂s_t·h_{t+hw}; the right one is hw = −1. */
  hw?: number;
  /** No gradient crosses t = k, 2k, … */
  trunc?: number;
}

export interface Entry {
  code: string;
  message: string;
  forms: (E: Exact) => Form[];
}

const Z = 'θ\'(u·h_t + c)';
/** The codes, in the order a diagnosis lists equally good ones: most specific first. */
export const CATALOGUE: readonly Entry[] = [
  { code: 'phi_prime_for_theta_prime', message: `The local term of ∂L/∂h_t uses φ' where ${Z} belongs: the loss reaches h_t through the output activation θ.`,
    // Also as the textbook (u = 1, c = 0) writes it: ∂L/∂ŷ_t·φ'(h_t), without u.
    forms: () => [{ local: 'phiz' }, { local: 'phih' }, { local: 'phih', noU: true }, { local: 'phiz', noU: true }] },
  { code: 'theta_prime_for_phi_prime', message: `∂L/∂s_t uses θ' where φ'(s_t) belongs: ∂L/∂s_t = ∂L/∂h_t·φ'(s_t), through the state activation φ.`, forms: () => [{ state: 'thetas' }] },
  { code: 'missing_recurrent_term', message: '∂L/∂h_t lacks the recurrent term w·∂L/∂s_{t+1}: h_t also reaches the loss through s_{t+1}.', forms: () => [{ noRec: true }] },
  { code: 'missing_local_term', message: `∂L/∂h_t lacks the local term ∂L/∂ŷ_t·${Z}·u: h_t also reaches the loss through ŷ_t.`, forms: () => [{ noLocal: true }] },
  { code: 'recurrent_uses_dL_dh', message: 'The recurrent term uses w·∂L/∂h_{t+1} where w·∂L/∂s_{t+1} belongs: h_t enters s_{t+1}, not h_{t+1}.', forms: () => [{ recUsesH: true }] },
  { code: 'missing_w', message: 'The recurrent term lacks w: it is w·∂L/∂s_{t+1}, since s_{t+1} = w·h_t + v·x_{t+1} + b.', forms: () => [{ noW: true }] },
  { code: 'missing_theta_prime', message: `The local term of ∂L/∂h_t lacks ${Z}: it is ∂L/∂ŷ_t·${Z}·u.`, forms: () => [{ local: 'none' }] },
  { code: 'missing_phi_prime', message: "∂L/∂s_t lacks φ'(s_t): ∂L/∂s_t = ∂L/∂h_t·φ'(s_t), not ∂L/∂h_t.", forms: () => [{ state: 'none' }] },
  { code: 'missing_u', message: `The local term of ∂L/∂h_t lacks u: it is ∂L/∂ŷ_t·${Z}·u, since ŷ_t = θ(u·h_t + c).`, forms: () => [{ noU: true }] },
  { code: 'wrong_sign', message: '∂L/∂ŷ_t has its sign flipped: for the squared loss it is ŷ_t − y_t, not y_t − ŷ_t.', forms: () => [{ dyhat: -1 }] },
  { code: 'h_t_for_h_prev', message: '∂L/∂w sums ∂L/∂s_t·h_t where ∂L/∂s_t·h_{t−1} belongs: w multiplies h_{t−1} in s_t.', forms: () => [{ hw: 0 }] },
  {
    code: 'shifted_index',
    message: "A quantity of step t±1 is used where step t belongs (e.g. φ'(s_{t+1}) for φ'(s_t)): each factor of step t's recursion is of step t, except ∂L/∂s_{t+1} and h_{t−1}.",
    forms: () => [{ state: 'next' }, { state: 'prev' }, { local: 'next' }, { local: 'prev' }, { dyhatShift: 1 }, { dyhatShift: -1 }, { hw: -2 }, { recShift: 1 }],
  },
  {
    code: 'mean_vs_sum',
    message: 'Off by the factor N (mean vs sum): with reduction=sum, ∂L/∂ŷ_t = ∂ℓ_t/∂ŷ_t; with mean, it is ∂ℓ_t/∂ŷ_t / N.',
    forms: (E) => (E.N > 0 ? [{ dyhat: E.N, lossScale: E.N }, { dyhat: 1 / E.N, lossScale: 1 / E.N }] : []),
  },
  {
    code: 'divided_by_T',
    message: 'The mean is divided by T where N, the number of steps with a target, belongs: ∂L/∂ŷ_t = ∂ℓ_t/∂ŷ_t / N.',
    forms: (E) => (E.T > 0 && E.N > 0 ? [E.scale === 1 ? { dyhat: 1 / E.T, lossScale: 1 / E.T } : { dyhat: E.N / E.T, lossScale: E.N / E.T }] : []),
  },
  { code: 'factor_of_2', message: 'Off by a factor of 2: ℓ = ½(ŷ−y)² (squared) has ∂ℓ/∂ŷ = ŷ − y, while (ŷ−y)² (mse) has 2(ŷ − y).', forms: () => [{ dyhat: 2, lossScale: 2 }, { dyhat: 0.5, lossScale: 0.5 }] },
  { code: 'truncated', message: 'These are the gradients of BPTT truncated to chunks of k steps (no gradient crosses t = k, 2k, …): full BPTT carries w·∂L/∂s_{t+1} across every step.', forms: () => [] },
];

export const CODES: readonly string[] = CATALOGUE.map((e) => e.code);

export function truncatedMessage(k: number): string {
  return `These are the gradients of BPTT truncated to chunks of k = ${k} steps (no gradient crosses t = ${k}, ${2 * k}, …): full BPTT carries w·∂L/∂s_{t+1} across every step.`;
}

/** A variant's values: per-step arrays 1-based (length T + 2) and its totals. */
export interface VariantValues {
  dL_dyhat: Float64Array;
  dL_dh: Float64Array;
  dL_ds: Float64Array;
  loss: Float64Array;
  totals: Record<Total, number>;
}

export function allocVariant(T: number): VariantValues {
  const n = T + 2;
  const totals = { L: 0, dL_dw: 0, dL_dv: 0, dL_db: 0, dL_du: 0, dL_dc: 0, dL_dh0: 0 };
  return { dL_dyhat: new Float64Array(n), dL_dh: new Float64Array(n), dL_ds: new Float64Array(n), loss: new Float64Array(n), totals };
}

/** Step t ± k of a, or step t where t ± k is outside 1..T (a shifted index keeps the boundary). */
function shifted(a: Float64Array, t: number, k: number, T: number): number {
  const i = t + k;
  return i >= 1 && i <= T ? a[i] : a[t];
}

/**
 * Runs the variant from t = T back to 1 into out.
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(z_t)·u + w·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * with each term replaced as `form` says; the step after comes from the exact values (isolated)
 * or from the variant's own (propagated).
 */
/** Steps tLo..T only when tLo > 1 (a quick look at where errors enter first); the totals need tLo = 1. */
export function runVariant(E: Exact, f: Form, propagated: boolean, out: VariantValues, tLo = 1): VariantValues {
  const { T } = E;
  const { w, u } = E.params;
  const { dL_dyhat, dL_dh, dL_ds, h, x } = E.arrays;
  const dyScale = f.dyhat ?? 1;
  const dyShift = f.dyhatShift ?? 0;
  const uu = f.noU ? 1 : u;
  const ww = f.noW ? 1 : w;
  const hw = f.hw ?? -1;
  const recShift = f.recShift ?? 0;
  const k = f.trunc ?? 0;
  const next = propagated ? out : { dL_dh, dL_ds };
  out.dL_dyhat[T + 1] = out.dL_dh[T + 1] = out.dL_ds[T + 1] = 0;
  let gw = 0, gv = 0, gb = 0, gu = 0, gc = 0;
  const V = variantFactors(E);
  for (let t = T; t >= tLo; t--) {
    // Local term: ∂L/∂ŷ_t·θ'(z_t)·u, or the variant's.
    // A gradient of step T + 1 is 0 (the boundary), so ∂L/∂ŷ_{t+1} is defined at t = T.
    const dy = dyScale * (dyShift === 0 ? dL_dyhat[t] : shifted(dL_dyhat, t, dyShift, T + 1));
    const thp = f.local === undefined ? E.thetaP[t]
      : f.local === 'phiz' ? V.phiPz[t] : f.local === 'phih' ? V.phiPh[t] : f.local === 'none' ? 1
      : shifted(E.thetaP, t, f.local === 'next' ? 1 : -1, T);
    const local = f.noLocal ? 0 : dy * thp * uu;
    // Recurrent term: w·∂L/∂s_{t+1}, or the variant's.
    const j = Math.min(t + 1 + recShift, T + 1);
    const crossing = f.noRec || (k > 0 && t % k === 0);
    const rec = crossing ? 0 : ww * (f.recUsesH ? next.dL_dh[t + 1] : next.dL_ds[j]);
    const dh = local + rec;
    const php = f.state === undefined ? E.phiP[t]
      : f.state === 'thetas' ? V.thetaPs[t] : f.state === 'none' ? 1
      : shifted(E.phiP, t, f.state === 'next' ? 1 : -1, T);
    const ds = dh * php;
    out.dL_dyhat[t] = dy;
    out.dL_dh[t] = dh;
    out.dL_ds[t] = ds;
    out.loss[t] = (f.lossScale ?? 1) * E.arrays.loss[t];
    // Totals from the variant's ∂L/∂s_t (isolated: its one-step value from exact inputs).
    const hi = t + hw;
    gw += ds * (hi >= 0 && hi <= T ? h[hi] : h[t - 1]);
    gv += ds * x[t];
    gb += ds;
    gu += dy * thp * h[t];
    gc += dy * thp;
  }
  const t1 = T >= 1 ? out.dL_ds[1] : 0;
  Object.assign(out.totals, { L: (f.lossScale ?? 1) * E.totals.L, dL_dw: gw, dL_dv: gv, dL_db: gb, dL_du: gu, dL_dc: gc, dL_dh0: ww * t1 });
  return out;
}

/**
 * The chunk lengths k that put the first (backward) mismatch at t*: a boundary at t* (k divides
 * t*), none between t* and the last target (t* + k ≥ it; nothing crosses after the last target).
 */
export function truncationCandidates(tStar: number, lastTarget: number, max = 64): number[] {
  const ks: number[] = [];
  if (tStar >= lastTarget) return ks;
  for (let k = Math.max(2, lastTarget - tStar); k <= tStar && ks.length < max; k++) if (tStar % k === 0) ks.push(k);
  return ks;
}
