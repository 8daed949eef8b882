/**
 * When a claimed number equals the exact one. A number written with d significant digits is
 * trusted to half a unit in its last place; beyond that, a relative tolerance (never tighter
 * than MIN_RTOL) and an absolute floor scaled to the claim's largest magnitude, because the
 * rounding noise of another float64 implementation is relative to the column's scale where a
 * value is small by cancellation.
 */

export const DEFAULT_RTOL = 1e-8;
export const MIN_RTOL = 1e-8;
export const DEFAULT_ATOL = 0;
/** The absolute floor, as a fraction of the claim's largest magnitude. */
export const FLOOR = 1e-9;
/** digits value meaning "no claim at this step". */
export const NO_CLAIM = 255;
/** digits for an exact (full-precision or computed) value: no rounding allowance. */
export const FULL = 17;

/** Significant digits a number literal was written with ("0.40" → 2, "1.2e-3" → 2, "-0" → 1); 17 for nan/inf. */
export function digitsOf(text: string): number {
  const m = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE][+-]?\d+)?\s*$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return FULL;
  const all = (m[1] + (m[2] ?? '')).replace(/^0+/, '');
  return Math.max(1, Math.min(FULL, all.length === 0 ? 1 : all.length));
}

/** Half a unit in the last written place of v (0 for full precision, zero or non-finite values). */
export function roundingTol(v: number, digits: number): number {
  if (digits >= FULL || v === 0 || !Number.isFinite(v)) return 0;
  const e = Math.floor(Math.log10(Math.abs(v)));
  // A little over half a unit: the literal itself was rounded to binary.
  return 0.5 * 10 ** (e - digits + 1) * (1 + 1e-6);
}

export interface Tol {
  rtol: number;
  /** atol plus FLOOR × the claim's largest magnitude. */
  abs: number;
}

export function tolFor(rtol: number | undefined, atol: number | undefined, scale: number): Tol {
  const r = Math.max(MIN_RTOL, Number.isFinite(rtol) ? (rtol as number) : DEFAULT_RTOL);
  const a = Math.max(0, Number.isFinite(atol) ? (atol as number) : DEFAULT_ATOL);
  return { rtol: r, abs: a + FLOOR * (Number.isFinite(scale) ? scale : 0) };
}

/** user ≈ exact: both NaN, the same infinity, or within the tolerance. */
export function close(user: number, exact: number, digits: number, tol: Tol): boolean {
  if (user === exact) return true;
  if (Number.isNaN(user) && Number.isNaN(exact)) return true;
  const d = Math.abs(user - exact);
  return d <= roundingTol(user, digits) + Math.max(tol.rtol * Math.abs(exact), tol.abs);
}

/** |user − exact| / max(|user|, |exact|); 0 when equal, Infinity when one side is not finite. */
export function relErr(user: number, exact: number): number {
  if (user === exact || (Number.isNaN(user) && Number.isNaN(exact))) return 0;
  if (!Number.isFinite(user) || !Number.isFinite(exact)) return Infinity;
  return Math.abs(user - exact) / Math.max(Math.abs(user), Math.abs(exact));
}
