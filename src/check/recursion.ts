/**
 * For a formula set: the totals the user's own recursion produces. Their ∂L/∂ŷ, ∂L/∂h and ∂L/∂s
 * formulas are run from t = T back, each reading the values the others just produced (a quantity
 * without a formula follows the exact recursion from the user's values), then summed into the
 * totals — by the user's total formulas where the file has them.
 */
import { FormulaError } from './formula/ast';
import type { Evaluated } from './claims';
import { compileFor } from './claims';
import type { Exact } from './exact';
import { TOTALS, type Total } from './names';
import type { RecursionTotal } from './types';

const GRADIENT_FORMULAS = ['dL_dyhat', 'dL_dh', 'dL_ds'] as const;

export function userRecursion(E: Exact, claims: Evaluated[]): RecursionTotal[] {
  // One formula per quantity: the first failing one, else the first.
  const pick = (q: string) => {
    const fs = claims.filter((c) => c.source && c.result.source === 'formula' && c.result.error === null && c.result.quantity === q);
    return fs.find((c) => !c.result.ok) ?? fs[0];
  };
  if (!GRADIENT_FORMULAS.some((q) => pick(q))) return [];
  const T = E.T;
  const U: Exact = { ...E, arrays: { ...E.arrays, dL_dyhat: E.arrays.dL_dyhat.slice(), dL_dh: E.arrays.dL_dh.slice(), dL_ds: E.arrays.dL_ds.slice() } };
  const { dL_dyhat: dy, dL_dh: dh, dL_ds: ds } = U.arrays;
  const { w, u } = E.params;
  try {
    const f = Object.fromEntries(GRADIENT_FORMULAS.map((q) => [q, pick(q) ? compileFor(q, pick(q)!.source!.expr, U) : undefined]));
    const applies = (q: string, t: number) => f[q] !== undefined && (!f[q]!.readsTarget || E.hasY[t] !== 0);
    // ∂L/∂h_t = ∂L/∂ŷ_t·θ'(z_t)·u + w·∂L/∂s_{t+1}, ∂L/∂s_t = ∂L/∂h_t·φ'(s_t): the user's where given.
    for (let t = T; t >= 1; t--) {
      if (applies('dL_dyhat', t)) dy[t] = f.dL_dyhat!.at(t);
      dh[t] = applies('dL_dh', t) ? f.dL_dh!.at(t) : dy[t] * E.thetaP[t] * u + w * ds[t + 1];
      ds[t] = applies('dL_ds', t) ? f.dL_ds!.at(t) : dh[t] * E.phiP[t];
    }
    const own: Record<string, number> = { L: E.totals.L, dL_dw: 0, dL_dv: 0, dL_db: 0, dL_du: 0, dL_dc: 0, dL_dh0: T > 0 ? w * ds[1] : 0 };
    for (let t = 1; t <= T; t++) {
      own.dL_dw += ds[t] * E.arrays.h[t - 1];
      own.dL_dv += ds[t] * E.arrays.x[t];
      own.dL_db += ds[t];
      own.dL_du += dy[t] * E.thetaP[t] * E.arrays.h[t];
      own.dL_dc += dy[t] * E.thetaP[t];
    }
    return TOTALS.filter((q) => q !== 'L').map((q: Total) => {
      const mine = pick(q);
      return { quantity: q, user: mine ? compileFor(q, mine.source!.expr, U).at(1) : own[q], exact: E.totals[q] };
    });
  } catch (e) {
    if (e instanceof FormulaError) return []; // a formula that fails on the user's values has its own error
    throw e;
  }
}
