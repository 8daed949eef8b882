/**
 * The numerical gradient check: BPTT's gradients against central finite differences of the loss,
 * for the six parameters and for ∂L/∂s_t and ∂L/∂x_t at each step, with pass/fail as
 * torch.autograd.gradcheck decides it: ok iff |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * The step quantities perturb one step inside the recursion: ∂L/∂s_t adds δ to s_t after it is
 * computed and runs the rest forward (h_t = φ(s_t + δ), s_{t+1} = w·h_t + …); ∂L/∂x_t adds δ to
 * x_t. BPTT's side is ∂L/∂s_t from the trace and ∂L/∂x_t = v·∂L/∂s_t.
 */
import { NUMERIC_KEYS, runBptt, type Grads, type Model, type NumericKey, type SequenceData } from '../core';
import { MAX_LANES, outputLoss, suffixLoss, type KinkBase } from './lanes';
import { lossOnly, prepare, type Problem } from './lossOnly';

/** torch.autograd.gradcheck's defaults. */
export const GRADCHECK_DEFAULTS = Object.freeze({ eps: 1e-6, atol: 1e-5, rtol: 1e-3 });

/** Every step is checked up to this T; above it only the steps asked for. */
export const MAX_ALL_STEPS = 2000;

/** What BPTT claims: the parameter gradients and ∂L/∂s_t (0-based index t−1). */
export interface Analytic {
  grads: Grads;
  dL_ds: ArrayLike<number>;
}

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** 1-based steps to check; default every step when T ≤ MAX_ALL_STEPS, none above. */
  steps?: readonly number[];
  /** Check the six parameters (default true). */
  params?: boolean;
  /** The gradients under test; default runBptt. */
  analytic?: (model: Model, data: SequenceData) => Analytic;
}

export interface Check {
  analytic: number;
  numeric: number;
  absErr: number;
  /** absErr/|numeric| (0 when both are 0). */
  relErr: number;
  /** Estimated absolute error of `numeric` (see `derivative`). */
  errEst: number;
  /** Within atol + rtol·|numeric|, or excused by a kink. NaN and ±∞ never pass. */
  ok: boolean;
  /** The finite differences straddle a point where the loss is not differentiable. */
  kink: boolean;
}

export type StepQuantity = 'dL_ds' | 'dL_dx';

export interface StepCheck extends Check {
  /** 1-based step. */
  t: number;
  quantity: StepQuantity;
}

export interface GradcheckReport {
  ok: boolean;
  eps: number;
  atol: number;
  rtol: number;
  T: number;
  /** L at the model, from the forward-only evaluator. */
  loss: number;
  params: Partial<Record<NumericKey, Check>>;
  steps: StepCheck[];
}

/** u, the unit roundoff of float64. */
const U = 2 ** -53;

/**
 * Evaluates L (or the part of it that depends on p) at the first n points into `out`, and says
 * whether any of them put a kink variable on another side of its kink than at p.
 */
type Evaluate = (points: Float64Array, n: number, out: Float64Array) => boolean;

/** How many times the step may grow tenfold when rounding noise swamps the difference quotients. */
const MAX_GROWTH = 3;

/**
 * f'(p) from central differences with Richardson extrapolation, at a step chosen for the case.
 *
 * Richardson: D(δ) = (f(p+δ) − f(p−δ))/((p+δ) − (p−δ)) = f'(p) + c·δ² + O(δ⁴) (dividing by the
 * step as represented), so R(δ) = (4·D(δ/2) − D(δ))/3 is f'(p) + O(δ⁴): one pass of four points.
 *
 * Step: δ₀ = eps·max(1, |p|), relative for large |p|, absolute near 0. Rounding noise in R(δ)
 * grows like 1/δ, and a perturbation can be quantized where it is added to a much larger
 * number (c to u·h_t ≈ 10⁷ on the exploding sample: the realized step is not δ). Both are
 * invisible to a single R, so R is computed at δ₀ and 10·δ₀: their truncation errors are
 * ~10⁻²⁰ and ~10⁻¹⁶ relative, so their difference is the noise of R(δ₀), 10× the noise of
 * R(10·δ₀). If that exceeds a tenth of what the check tolerates, the step grows tenfold again (at
 * most MAX_GROWTH times, stopping once the difference grows: truncation has taken over).
 *
 * Reported: R at the larger step of the pair with the smallest difference, and as its error
 * estimate that difference (which bounds both its noise and its truncation), plus two floors for
 * when the two happen to agree: the rounding of the n-term loss sums, 3·u·|L|·√(n+1)/δ, and the
 * rounding of the perturbed sum (s_t = w·h + v·(x_t ± δ) + b is off by an ulp or so of s_t, a
 * relative error ~u/δ_rel of the realized step, δ_rel = δ/max(1, |p|)), 64·u·|R|/δ_rel.
 */
function derivative(f: Evaluate, p: number, eps: number, n: number, tolerance: (numeric: number) => number): Numeric {
  const x = new Float64Array(MAX_LANES), L = new Float64Array(MAX_LANES);
  // The four points of R(δ) at x[o..o+3].
  const place = (delta: number, o: number) => {
    x[o] = p + delta; x[o + 1] = p - delta; x[o + 2] = p + delta / 2; x[o + 3] = p - delta / 2;
  };
  const richardson = (delta: number, o: number, kink: boolean) => {
    const D1 = (L[o] - L[o + 1]) / (x[o] - x[o + 1]);
    const D2 = (L[o + 2] - L[o + 3]) / (x[o + 2] - x[o + 3]);
    const Lmax = Math.max(Math.abs(L[o]), Math.abs(L[o + 1]), Math.abs(L[o + 2]), Math.abs(L[o + 3]));
    const R = (4 * D2 - D1) / 3;
    const floor = (3 * U * Lmax * Math.sqrt(n + 1)) / delta + (64 * U * Math.abs(R) * Math.max(1, Math.abs(p))) / delta;
    return { R, kink, floor };
  };
  // One pass of eight points for R(δ₀) and R(10·δ₀); each further tenfold step is a pass of four.
  let delta = eps * Math.max(1, Math.abs(p));
  place(delta, 0);
  place(10 * delta, 4);
  const kink0 = f(x, 8, L);
  let prev = richardson(delta, 0, kink0);
  let best: Numeric | null = null;
  for (let k = 0; k <= MAX_GROWTH; k++) {
    delta *= 10;
    let next;
    if (k === 0) next = richardson(delta, 4, kink0);
    else {
      place(delta, 0);
      next = richardson(delta, 0, f(x, 4, L));
    }
    const errEst = Math.abs(prev.R - next.R) + next.floor;
    const kink = prev.kink || next.kink;
    if (best !== null && !(errEst < best.errEst)) break;
    best = { numeric: next.R, errEst, kink };
    if (errEst <= tolerance(next.R) / 10) break;
    prev = next;
  }
  return best!;
}

/** What the check tolerates at a numeric value: atol + rtol·|numeric|. */
type Tolerance = (numeric: number) => number;

function compare(analytic: number, numeric: number, errEst: number, kink: boolean, atol: number, rtol: number): Check {
  const absErr = Math.abs(analytic - numeric);
  const relErr = absErr === 0 ? 0 : absErr / Math.abs(numeric);
  const within = absErr <= atol + rtol * Math.abs(numeric); // false for NaN
  return { analytic, numeric, absErr, relErr, errEst, ok: within || kink, kink };
}

export function gradcheck(model: Model, data: SequenceData, options: GradcheckOptions = {}): GradcheckReport {
  const eps = options.eps ?? GRADCHECK_DEFAULTS.eps;
  const atol = options.atol ?? GRADCHECK_DEFAULTS.atol;
  const rtol = options.rtol ?? GRADCHECK_DEFAULTS.rtol;
  const T = data.x.length;
  const steps = options.steps ?? (T <= MAX_ALL_STEPS ? Array.from({ length: T }, (_, i) => i + 1) : []);
  for (const t of steps) {
    if (!Number.isInteger(t) || t < 1 || t > T) throw new RangeError(`step ${t} is not in 1..${T}`);
  }
  const analytic = (options.analytic ?? runBptt)(model, data);

  // The base evaluation: L, and the states every perturbation compares its kink variables with.
  const P = prepare(model, data);
  const loss = lossOnly(P, model.w, model.v, model.b, model.u, model.c, model.h0);
  const base = { s: P.s.slice(), h: P.h.slice() };
  const tol: Tolerance = (numeric) => atol + rtol * Math.abs(numeric);
  const report: GradcheckReport = { ok: true, eps, atol, rtol, T, loss, params: {}, steps: [] };
  const add = <C extends Check>(c: C): C => {
    report.ok &&= c.ok;
    return c;
  };

  if (options.params !== false) {
    for (const key of NUMERIC_KEYS) {
      const { numeric, errEst, kink } = paramDerivative(P, key, base, eps, tol);
      report.params[key] = add(compare(analytic.grads[key], numeric, errEst, kink, atol, rtol));
    }
  }
  for (const t of steps) {
    const i = t - 1;
    for (const quantity of ['dL_ds', 'dL_dx'] as const) {
      const { numeric, errEst, kink } = stepDerivative(P, i, quantity, base, eps, tol);
      const ds = analytic.dL_ds[i];
      const a = quantity === 'dL_ds' ? ds : model.v * ds;
      report.steps.push(add({ t, quantity, ...compare(a, numeric, errEst, kink, atol, rtol) }));
    }
  }
  return report;
}

type Numeric = { numeric: number; errEst: number; kink: boolean };

// Each lane's parameters, filled per pass.
const S = new Float64Array(MAX_LANES), W = new Float64Array(MAX_LANES), V = new Float64Array(MAX_LANES);
const B = new Float64Array(MAX_LANES), Uc = new Float64Array(MAX_LANES), C = new Float64Array(MAX_LANES);

/** ∂L/∂p for one of the six parameters. u and c leave the states alone, so their lanes reuse the base's. */
function paramDerivative(P: Problem, key: NumericKey, base: { s: Float64Array; h: Float64Array }, eps: number, tol: Tolerance): Numeric {
  const m = P.model;
  const kinkBase: KinkBase = P.kinky ? base : null;
  let f: Evaluate;
  if (key === 'u' || key === 'c') {
    f = (points, n, out) => {
      for (let k = 0; k < n; k++) {
        Uc[k] = key === 'u' ? points[k] : m.u;
        C[k] = key === 'c' ? points[k] : m.c;
      }
      return outputLoss(P, base.h, n, Uc, C, out, kinkBase);
    };
  } else {
    f = (points, n, out) => {
      for (let k = 0; k < n; k++) {
        W[k] = key === 'w' ? points[k] : m.w;
        V[k] = key === 'v' ? points[k] : m.v;
        B[k] = key === 'b' ? points[k] : m.b;
        S[k] = W[k] * (key === 'h0' ? points[k] : m.h0) + V[k] * P.x[0] + B[k];
      }
      // h0's lanes keep the model's w, v, b: they stop where they rejoin the base chain (lanes.ts).
      return suffixLoss(P, 0, n, S, W, V, B, out, kinkBase, key === 'h0' ? base.h : null);
    };
  }
  return derivative(f, m[key], eps, P.N, tol);
}

/** ∂L/∂s_t or ∂L/∂x_t at 0-based step i, perturbing that step inside the recursion. */
function stepDerivative(
  P: Problem, i: number, quantity: StepQuantity, base: { s: Float64Array; h: Float64Array }, eps: number, tol: Tolerance,
): Numeric {
  const { w, v, b, h0 } = P.model;
  const hPrev = i > 0 ? base.h[i - 1] : h0;
  const f: Evaluate = (points, n, out) => {
    for (let k = 0; k < n; k++) {
      W[k] = w; V[k] = v; B[k] = b;
      S[k] = quantity === 'dL_ds' ? points[k] : w * hPrev + v * points[k] + b;
    }
    return suffixLoss(P, i, n, S, W, V, B, out, P.kinky ? base : null, base.h);
  };
  let n = 0;
  for (let t = i; t <= P.last; t++) n += P.hasY[t];
  return derivative(f, quantity === 'dL_ds' ? base.s[i] : P.x[i], eps, n, tol);
}
