/**
 * tanh used by the core: pure JS, more accurate than Math.tanh (max error < 1 ulp against a
 * correctly rounded reference; test/unit/tanh.test.ts measures it) and faster (BENCHMARKS.md).
 *
 * Why not Math.tanh: V8 compiles it to a C call out of the optimized loop (register spills,
 * isolate bookkeeping) into its baseline-x86-64 port of fdlibm (ieee754::tanh → expm1, two
 * dependent divisions). Split in two (tanh, and tanhMid for 0.625 ≤ |x| < 22) so that each part
 * is under V8's per-function inlining limit: both inline into runBptt's tanh forward loop, which
 * has an inlining budget of its own (BENCHMARKS.md has the figures).
 *
 * Method, for a = |x|:
 *   a < 0.625   tanh x = x + x·z·P(z)/Q(z), z = x²: Cephes' rational approximation (S. L. Moshier,
 *               Cephes Math Library, tanh.c), relative error 2^-57.5 on this interval.
 *   a < 22      tanh a = 1 − 2/(e^{2a} + 1), with e^{2a} = 2^k·(1 + p) from a Cody–Waite
 *               reduction 2a = k·ln2 + r (|r| ≤ ln2/2, ln2 split in a 32-bit head and a tail) and
 *               p = e^r − 1 a degree-12 polynomial (near-minimax, 2^-60 relative to e^r), evaluated by
 *               Estrin's scheme for a short dependency chain. d = e^{2a} + 1 is kept as the exact
 *               sum (2^k + 1) + 2^k·p split into d + dlo (Fast2Sum), and q = 2/d is corrected to
 *               first order, q ≈ q0 − q0²·dlo/2, and 1 − q0 is split exactly (Fast2Sum): the result is rounded once, after the division.
 *   a ≥ 22      ±1 (1 − tanh 22 < 2^-62).
 * tanh(−0) = −0, tanh(NaN) = NaN, tanh(±∞) = ±1.
 */

// Cephes tanh.c, P(z)/Q(z) with Q monic (the same doubles as its 21-digit constants).
export const P0 = -0.9643991794250523;
export const P1 = -99.28772310019185;
export const P2 = -1614.6876844170845;
export const Q1 = 112.81167849163293;
export const Q2 = 2235.4883906010045;
export const Q3 = 4844.063053251255;

/** 2/ln 2 */
export const TWO_LOG2E = 2.8853900817779268;
/** 1.5·2^52: adding and subtracting it rounds a double (|v| < 2^51) to the nearest integer. */
export const SHIFT = 6755399441055744;
/** ln 2 = LN2_HI + LN2_LO; LN2_HI has 32 significant bits, so k·LN2_HI is exact for |k| < 2^21. */
export const LN2_HI = 0.6931471803691238;
export const LN2_LO = 1.9082149292705877e-10;

// e^r − 1 ≈ r + r²·(1/2 + F1·r + … + F10·r¹⁰) on |r| ≤ ln2/2 (near-minimax, 2^-60 relative to e^r).
export const F1 = 0.16666666666666682;
export const F2 = 0.041666666666666095;
export const F3 = 0.008333333333316982;
export const F4 = 0.0013888888889116364;
export const F5 = 0.00019841269896516748;
export const F6 = 2.4801586925717502e-5;
export const F7 = 2.7557234726396778e-6;
export const F8 = 2.7557582279228007e-7;
export const F9 = 2.5112084950298725e-8;
export const F10 = 2.082658414576513e-9;

/** 2^k for k = 0..64 (2a < 44 gives k ≤ 64). */
const POW2 = new Float64Array(65);
for (let k = 0; k <= 64; k++) POW2[k] = 2 ** k;

export function tanh(x: number): number {
  const a = Math.abs(x);
  if (a < 0.625) {
    if (x === 0) return x; // keeps the sign of −0
    const z = x * x;
    const p = (P0 * z + P1) * z + P2;
    const q = ((z + Q1) * z + Q2) * z + Q3;
    return x + x * z * (p / q);
  }
  if (a < 22) return tanhMid(x, a);
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/** tanh x for 0.625 ≤ a = |x| < 22. A function of its own so that each part is small enough to inline. */
function tanhMid(x: number, a: number): number {
  // 2a = k·ln2 + r + c, where c is the rounding error of r.
  const y = a + a;
  const k = a * TWO_LOG2E + SHIFT - SHIFT;
  const hi = y - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const c = hi - r - lo;
  // p = e^{r+c} − 1 ≈ (e^r − 1) + c, the polynomial by Estrin's scheme (short dependency chain).
  const r2 = r * r;
  const r4 = r2 * r2;
  const f =
    0.5 + F1 * r + r2 * (F2 + F3 * r) + r4 * (F4 + F5 * r + r2 * (F6 + F7 * r)) + r4 * r4 * (F8 + F9 * r + r2 * F10);
  const p = r + c + r2 * f;
  // d + dlo = 2^k·(1 + p) + 1 = e^{2a} + 1, then tanh a = 1 − 2/(d + dlo).
  const twoK = POW2[k];
  const A = twoK + 1;
  const B = twoK * p;
  const d = A + B;
  const dlo = A - d + B;
  const q0 = 2 / d;
  // 1 − q0 = s + err exactly (Fast2Sum), so the result rounds once: t = s + (err + q0²·dlo/2).
  const s = 1 - q0;
  const err = 1 - s - q0;
  const t = s + (err + 0.5 * q0 * q0 * dlo);
  return t * (x / a); // ±t; x/a is exactly ±1, computed off the critical path
}
