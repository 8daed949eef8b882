/**
 * One claim against the exact values: a formula evaluated at each step with exact inputs, a
 * column of numbers as written, or a total's value. Comparison runs in compute order, so the
 * first mismatch is where the error enters.
 */
import { FormulaError, dependsOnT } from './formula/ast';
import { compile, type Compiled } from './formula/compile';
import { parseFormula } from './formula/parse';
import type { Exact } from './exact';
import { STEP_QUANTITIES, TOTALS, isBackward, isStepQuantity, isTotal, nearest, type StepQuantity, type Total } from './names';
import { FULL, NO_CLAIM, close, digitsOf, relErr, tolFor, type Tol } from './tolerance';
import type { CheckClaimSource, CheckError, CheckOptions, ClaimColumn, ClaimResult, ClaimSourceKind } from './types';

/** A claim as the catalogue needs it: the result, plus what was compared and how. */
export interface Evaluated {
  result: ClaimResult;
  /** Number claims come from the user's own recursion: their variants propagate. */
  propagated: boolean;
  /** Per step (0-based): digits of the claim, NO_CLAIM where nothing is compared. */
  digits: Uint8Array | null;
  tol: Tol;
  /** The compiled formula, for the user's recursion (formulas only). */
  source?: CheckClaimSource;
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$|^\s*[+-]?(?:nan|inf|infinity)\s*$/i;

function emptyResult(quantity: string, source: ClaimSourceKind, line: number, col: number, offset: number, length: number): ClaimResult {
  return {
    quantity, source, line, col, offset, length, ok: true, error: null, firstMismatch: null, mismatches: 0, compared: 0,
    maxRelErr: 0, diagnosis: [], user: null, exact: null, userTotal: null, exactTotal: null, fix: null,
  };
}

function fail(r: ClaimResult, error: CheckError): Evaluated {
  r.ok = false;
  r.error = error;
  return { result: r, propagated: false, digits: null, tol: tolFor(undefined, undefined, 0) };
}

export function exprError(src: CheckClaimSource, e: FormulaError): CheckError {
  const start = Math.max(0, Math.min(e.start, src.expr.length));
  const end = Math.max(start, Math.min(e.end, Math.max(src.expr.length, start + 1)));
  return { message: e.message, line: src.line, col: src.col + start, offset: src.offset + start, length: Math.max(1, end - start) };
}

/** Compiles a formula for `quantity` against env; a FormulaError locates the problem in the formula. */
export function compileFor(quantity: StepQuantity | Total, expr: string, env: Exact): Compiled {
  const tree = parseFormula(expr);
  const compiled = compile(tree, env);
  if (isTotal(quantity) && compiled.perStep) {
    const at = dependsOnT(tree) ?? tree;
    throw new FormulaError(`${quantity} is a total, but this is a per-step value here: sum it over t, as in ${quantity} = sum(…)`, at.start, at.end);
  }
  return compiled;
}

export function evaluateClaim(src: CheckClaimSource, E: Exact, options: CheckOptions, line?: Int32Array): Evaluated {
  const q = src.quantity;
  const isValue = NUMBER.test(src.expr);
  const r = emptyResult(q, isValue ? 'value' : 'formula', src.line, src.col, src.offset, src.length);
  if (!isStepQuantity(q) && !isTotal(q)) {
    return fail(r, {
      message: `unknown quantity "${q}"; did you mean ${nearest(q, [...STEP_QUANTITIES, ...TOTALS])}? A claim states one of ${STEP_QUANTITIES.join(' ')} (per step) or ${TOTALS.join(' ')} (totals)`,
      line: src.quantityLine, col: src.quantityCol, offset: src.offset - (src.col - src.quantityCol), length: Math.max(1, q.length),
    });
  }
  if (isValue) {
    if (!isTotal(q)) {
      return fail(r, { message: `${q} is per step: state it with a formula or a column of numbers; a number fits a total (${TOTALS.join(' ')})`, line: src.line, col: src.col, offset: src.offset, length: Math.max(1, src.length) });
    }
    return compareTotal(r, Number(src.expr.trim().replace(/^([+-]?)inf(inity)?$/i, '$1Infinity')), digitsOf(src.expr), E, q, options, true);
  }
  let compiled: Compiled;
  try {
    compiled = compileFor(q, src.expr, E);
    if (isTotal(q)) return { ...compareTotal(r, compiled.at(1), FULL, E, q, options, false), source: src };
    const T = E.T;
    const user = new Float64Array(T).fill(NaN);
    const digits = new Uint8Array(T).fill(NO_CLAIM);
    const skipNoTarget = compiled.readsTarget || q === 'loss';
    const at = compiled.at;
    // The formula at every step, from exact inputs.
    for (let t = 1; t <= T; t++) {
      if (skipNoTarget && E.hasY[t] === 0) continue;
      user[t - 1] = at(t);
      digits[t - 1] = FULL;
    }
    const ev = compareSteps(r, user, digits, E, q, options, line, null);
    return { ...ev, source: src };
  } catch (e) {
    if (e instanceof FormulaError) return fail(r, exprError(src, e));
    throw e;
  }
}

export function evaluateColumn(col: ClaimColumn, E: Exact, options: CheckOptions, line?: Int32Array): Evaluated {
  const q = col.name as StepQuantity;
  const first = col.digits.findIndex((d) => d !== NO_CLAIM);
  const r = emptyResult(q, 'column', first >= 0 && line ? line[first] : 0, 0, first >= 0 ? col.start[first] : 0, first >= 0 ? col.end[first] - col.start[first] : 0);
  const digits = col.digits.slice();
  // ℓ_t does not exist at a step without a target.
  if (q === 'loss') for (let t = 1; t <= E.T; t++) if (E.hasY[t] === 0) digits[t - 1] = NO_CLAIM;
  const ev = compareSteps(r, col.values, digits, E, q, options, line, col);
  ev.propagated = true;
  return ev;
}

function compareTotal(r: ClaimResult, user: number, digits: number, E: Exact, q: Total, options: CheckOptions, propagated: boolean): Evaluated {
  const exact = E.totals[q];
  const tol = tolFor(options.rtol, options.atol, Math.max(E.totalScale[q], Math.abs(exact)));
  r.userTotal = user;
  r.exactTotal = exact;
  r.compared = 1;
  r.maxRelErr = relErr(user, exact);
  r.ok = close(user, exact, digits, tol);
  if (!r.ok) {
    r.mismatches = 1;
    r.firstMismatch = { t: null, line: null, user, exact, offset: r.offset, length: r.length };
  }
  const d = new Uint8Array(1);
  d[0] = digits;
  return { result: r, propagated, digits: d, tol };
}

function compareSteps(r: ClaimResult, user: Float64Array, digits: Uint8Array, E: Exact, q: StepQuantity, options: CheckOptions, line: Int32Array | undefined, col: ClaimColumn | null): Evaluated {
  const T = E.T;
  const ex = E.arrays[q];
  const exact = new Float64Array(T).fill(NaN);
  let scale = 0;
  for (let i = 0; i < T; i++) {
    if (digits[i] === NO_CLAIM) continue;
    exact[i] = ex[i + 1];
    const a = Math.abs(exact[i]);
    if (a > scale && a !== Infinity) scale = a;
  }
  const tol = tolFor(options.rtol, options.atol, scale);
  // Compute order: t = 1 up for forward quantities, t = T down for gradients.
  const back = isBackward(q);
  let mismatches = 0, compared = 0, maxRel = 0;
  for (let k = 0; k < T; k++) {
    const i = back ? T - 1 - k : k;
    if (digits[i] === NO_CLAIM) continue;
    compared++;
    const u = user[i], e = exact[i];
    const rel = relErr(u, e);
    if (rel > maxRel || Number.isNaN(rel)) maxRel = rel;
    if (close(u, e, digits[i], tol)) continue;
    if (mismatches++ === 0) {
      const at = col ? { offset: col.start[i], length: col.end[i] - col.start[i] } : { offset: r.offset, length: r.length };
      r.firstMismatch = { t: i + 1, line: line ? line[i] : null, user: u, exact: e, ...at };
    }
  }
  Object.assign(r, { ok: mismatches === 0, mismatches, compared, maxRelErr: maxRel, user, exact });
  return { result: r, propagated: false, digits, tol };
}
