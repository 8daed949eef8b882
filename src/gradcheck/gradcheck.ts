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
import { crossesKink, hasKinks, lossFromStates, lossOnly, prepare, suffixLoss, suffixLoss4, type Problem } from './lossOnly';

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
 * Evaluates L (or the part of it that depends on p) at four points into `out`, and says whether
 * any of them put a kink variable on another side of its kink than at p.
 */
type Evaluate4 = (points: Float64Array, out: Float64Array) => boolean;

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
function derivative(f4: Evaluate4, p: number, eps: number, n: number, tolerance: (numeric: number) => number): Numeric {
  const L = new Float64Array(4);
  const at = (delta: number) => {
    const x = Float64Array.of(p + delta, p - delta, p + delta / 2, p - delta / 2);
    const kink = f4(x, L);
    const D1 = (L[0] - L[1]) / (x[0] - x[1]);
    const D2 = (L[2] - L[3]) / (x[2] - x[3]);
    const Lmax = Math.max(Math.abs(L[0]), Math.abs(L[1]), Math.abs(L[2]), Math.abs(L[3]));
    const R = (4 * D2 - D1) / 3;
    const floor = (3 * U * Lmax * Math.sqrt(n + 1)) / delta + (64 * U * Math.abs(R) * Math.max(1, Math.abs(p))) / delta;
    return { R, kink, floor };
  };
  let delta = eps * Math.max(1, Math.abs(p));
  let prev = at(delta);
  let best: Numeric | null = null;
  for (let k = 0; k <= MAX_GROWTH; k++) {
    delta *= 10;
    const next = at(delta);
    const errEst = Math.abs(prev.R - next.R) + next.floor;
    const kink = prev.kink || next.kink;
    if (best !== null && !(errEst < best.errEst)) break;
    best = { numeric: next.R, errEst, kink };
    if (errEst <= tolerance(next.R) / 10) break;
    prev = next;
  }
  return best!;
}

/** Evaluate4 from a one-point evaluation that reports kink crossings. */
const oneByOne = (f: (q: number) => { L: number; kink: boolean }): Evaluate4 => (points, out) => {
  let kink = false;
  for (let k = 0; k < 4; k++) {
    const r = f(points[k]);
    out[k] = r.L;
    kink ||= r.kink;
  }
  return kink;
};

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

  // The base evaluation: L, and the states every perturbation is compared with for kinks.
  const P = prepare(model, data);
  const loss = lossOnly(P, model.w, model.v, model.b, model.u, model.c, model.h0);
  const sB = P.s.slice();
  const hB = P.h.slice();
  const kinky = hasKinks(P);
  const tol: Tolerance = (numeric) => atol + rtol * Math.abs(numeric);
  const report: GradcheckReport = { ok: true, eps, atol, rtol, T, loss, params: {}, steps: [] };
  const add = <C extends Check>(c: C): C => {
    report.ok &&= c.ok;
    return c;
  };

  if (options.params !== false) {
    for (const key of NUMERIC_KEYS) {
      const { numeric, errEst, kink } = paramDerivative(P, key, sB, hB, kinky, eps, tol);
      report.params[key] = add(compare(analytic.grads[key], numeric, errEst, kink, atol, rtol));
    }
  }
  for (const t of steps) {
    const i = t - 1;
    for (const quantity of ['dL_ds', 'dL_dx'] as const) {
      const { numeric, errEst, kink } = stepDerivative(P, i, quantity, sB, hB, kinky, eps, tol);
      const ds = analytic.dL_ds[i];
      const a = quantity === 'dL_ds' ? ds : model.v * ds;
      report.steps.push(add({ t, quantity, ...compare(a, numeric, errEst, kink, atol, rtol) }));
    }
  }
  return report;
}

type Numeric = { numeric: number; errEst: number; kink: boolean };

const fill4 = (q: number) => Float64Array.of(q, q, q, q);

/**
 * ∂L/∂p for one of the six parameters. u and c leave the states alone, so they reuse them. A
 * model with kinks evaluates one point at a time, keeping each point's states for crossesKink;
 * a smooth one evaluates the four points together (suffixLoss4 from step 1).
 */
function paramDerivative(P: Problem, key: NumericKey, sB: Float64Array, hB: Float64Array, kinky: boolean, eps: number, tol: Tolerance): Numeric {
  const m = P.model;
  let f4: Evaluate4;
  if (key === 'u' || key === 'c') {
    f4 = oneByOne((q) => {
      const u = key === 'u' ? q : m.u, c = key === 'c' ? q : m.c;
      return { L: lossFromStates(P, hB, u, c), kink: kinky && crossesKink(P, 0, sB, hB, sB, hB, u, c) };
    });
  } else if (kinky || P.T === 0) {
    f4 = oneByOne((q) => {
      const L = lossOnly(P, key === 'w' ? q : m.w, key === 'v' ? q : m.v, key === 'b' ? q : m.b, m.u, m.c, key === 'h0' ? q : m.h0);
      return { L, kink: kinky && crossesKink(P, 0, sB, hB, P.s, P.h, m.u, m.c) };
    });
  } else {
    f4 = (points, out) => {
      const W = key === 'w' ? points : fill4(m.w), V = key === 'v' ? points : fill4(m.v), B = key === 'b' ? points : fill4(m.b);
      const S = new Float64Array(4);
      for (let k = 0; k < 4; k++) S[k] = W[k] * (key === 'h0' ? points[k] : m.h0) + V[k] * P.x[0] + B[k];
      suffixLoss4(P, 0, S, W, V, B, out);
      return false;
    };
  }
  return derivative(f4, m[key], eps, P.N, tol);
}

/** ∂L/∂s_t or ∂L/∂x_t at 0-based step i, perturbing that step inside the recursion. */
function stepDerivative(
  P: Problem, i: number, quantity: StepQuantity, sB: Float64Array, hB: Float64Array, kinky: boolean, eps: number, tol: Tolerance,
): Numeric {
  const { w, v, b, u, c, h0 } = P.model;
  const hPrev = i > 0 ? hB[i - 1] : h0;
  const s_i = (q: number) => (quantity === 'dL_ds' ? q : w * hPrev + v * q + b);
  let f4: Evaluate4;
  if (kinky) {
    f4 = oneByOne((q) => {
      const L = suffixLoss(P, i, s_i(q));
      return { L, kink: i <= P.last && crossesKink(P, i, sB, hB, P.s, P.h, u, c) };
    });
  } else {
    f4 = (points, out) => {
      suffixLoss4(P, i, points.map(s_i), fill4(w), fill4(v), fill4(b), out);
      return false;
    };
  }
  let n = 0;
  for (let t = i; t <= P.last; t++) n += P.hasY[t];
  return derivative(f4, quantity === 'dL_ds' ? sB[i] : P.x[i], eps, n, tol);
}
