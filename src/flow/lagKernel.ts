/**
 * The gradient by lag's loop over the lags of one block (blockLags: the plain one-lag steps, dense
 * or through the targets' index), and its JS tuned inner loop: four lags d..d+3 of a dense block in
 * one pass (the WebAssembly SIMD kernel, lagWasm.ts, does two blocks at a time where it can).
 *
 *   a_{d+k}(τ) = a_{d+k−1}(τ) · f_{τ−d−k}        G_w(d+k) += a_{d+k}·h_{τ−d−k−1}, G_v += ·x, G_b += a
 *
 * Row τ at lag d + k reads f, h, x at m − k (m = τ − d), which row τ − 1 read at lag d + k − 1: the
 * last four of each are kept in registers (f0..f3, hp0..hp3, x0..x3) and each row loads one new
 * value of each instead of four. Each lag keeps its own accumulator, summed over the rows in
 * ascending order exactly as the plain one-lag loop (lagStepDense) does, so the result is
 * the same bit for bit (test/unit/flow-kernel.test.ts).
 */
import type { LagInputs } from './lag';

/** Rows per block: a block's running products and the slices of f, h, x it reads stay in cache. */
export const BLOCK = 1024;

/** What one lagSums call shares between its blocks. */
export interface LagState {
  inp: LagInputs;
  K: number;
  /** The step of each row (every step when dense, the targets otherwise), ascending. */
  ti: Int32Array;
  dense: boolean;
  /** Four lags per pass (dense, no per-step sums, not the plain twin). */
  four: boolean;
  /** The sums by lag, 0..K; each block adds its own, in block order. */
  G: { w: Float64Array; v: Float64Array; b: Float64Array };
  perStep: Float64Array | null;
  sums: Float64Array;
}

/** a_0 of rows k0..k1−1: the seed of a target, 0 for a step without one. */
export function seedBlock(s: LagState, a: Float64Array, k0: number, k1: number): void {
  const { ti, inp: { seed, hasY } } = s;
  for (let k = k0; k < k1; k++) a[k - k0] = hasY[ti[k]] !== 0 ? seed[ti[k]] : 0;
}

/**
 * Lags dFrom..K of the block of rows k0..k1−1, a holding its running products at lag dFrom − 1
 * (the seeds when dFrom ≤ 1: lag 0 multiplies by nothing).
 */
export function blockLags(s: LagState, a: Float64Array, k0: number, k1: number, dFrom: number): void {
  const { K, ti, dense, four, perStep: per, sums } = s;
  const { factor, hPrev, x } = s.inp;
  const { w: Gw, v: Gv, b: Gb } = s.G;
  let kLo = k0;
  let nextCheck = dFrom + 64;
  for (let d = dFrom; d <= K;) {
    // Rows with τ − d < 1 have no lag d; they are the first ones of the (ascending) block.
    while (kLo < k1 && ti[kLo] < d) kLo++;
    if (kLo === k1) break;
    if (four && d > 0 && d + 3 <= K) {
      lagStepDense4(a, ti[k0], kLo - k0, k1 - k0, d, factor, hPrev, x, sums);
      for (let q = 0; q < 4; q++) {
        Gw[d + q] += sums[3 * q]; Gv[d + q] += sums[3 * q + 1]; Gb[d + q] += sums[3 * q + 2];
      }
      d += 4;
    } else {
      if (dense) lagStepDense(a, ti[k0], kLo - k0, k1 - k0, d, factor, hPrev, x, sums);
      else lagStepSparse(a, ti, k0, kLo, k1, d, factor, hPrev, x, sums);
      Gw[d] += sums[0]; Gv[d] += sums[1]; Gb[d] += sums[2];
      if (per !== null) for (let k = kLo; k < k1; k++) per[ti[k] - d] += a[k - k0];
      d++;
    }
    // Vanishing gradients underflow to exactly 0; with every factor finite, all later lags of
    // this block then add exactly 0 (x + ±0 = x, and G is never −0), so they are skipped
    // (checked every 64 lags).
    if (dense && d >= nextCheck) {
      nextCheck += 64;
      if (allZero(a, kLo - k0, k1 - k0)) break;
    }
  }
}

export function allZero(a: Float64Array, lo: number, hi: number): boolean {
  for (let r = lo; r < hi; r++) if (a[r] !== 0) return false;
  return true;
}

/**
 * One lag d of a dense block (rows r = rLo..rHi−1 are steps i0 + r): a[r] ← a[r]·f_{i0+r−d}
 * (not at d = 0), then the three sums over the rows in ascending order. Small functions of their
 * own keep V8's loops tight.
 */
export function lagStepDense(a: Float64Array, i0: number, rLo: number, rHi: number, d: number,
  factor: Float64Array, hPrev: Float64Array, x: Float64Array, sums: Float64Array): void {
  const off = i0 - d;
  let gw = 0, gv = 0, gb = 0;
  for (let r = rLo; r < rHi; r++) {
    const j = off + r;
    const ad = d > 0 ? a[r] * factor[j] : a[r];
    a[r] = ad;
    gw += ad * hPrev[j]; gv += ad * x[j]; gb += ad;
  }
  sums[0] = gw; sums[1] = gv; sums[2] = gb;
}

/** The same through the index array of the targets (rows k = kLo..k1−1 are steps ti[k]). */
function lagStepSparse(a: Float64Array, ti: Int32Array, k0: number, kLo: number, k1: number, d: number,
  factor: Float64Array, hPrev: Float64Array, x: Float64Array, sums: Float64Array): void {
  let gw = 0, gv = 0, gb = 0;
  for (let k = kLo; k < k1; k++) {
    const j = ti[k] - d;
    const ad = d > 0 ? a[k - k0] * factor[j] : a[k - k0];
    a[k - k0] = ad;
    gw += ad * hPrev[j];
    gv += ad * x[j];
    gb += ad;
  }
  sums[0] = gw; sums[1] = gv; sums[2] = gb;
}


/**
 * Lags d..d+3 (d ≥ 1) of rows rLo..rHi−1 (steps i0 + r, every one with τ ≥ d); sums[3k..3k+2] =
 * the (w, v, b) sums of lag d + k. A row with m = τ − d < 3 reaches s_1 before lag d + 3: it does
 * lags d..τ only (it has no later lag, so its a is not needed again).
 */
export function lagStepDense4(a: Float64Array, i0: number, rLo: number, rHi: number, d: number,
  factor: Float64Array, hPrev: Float64Array, x: Float64Array, sums: Float64Array): void {
  let w0 = 0, v0 = 0, b0 = 0, w1 = 0, v1 = 0, b1 = 0, w2 = 0, v2 = 0, b2 = 0, w3 = 0, v3 = 0, b3 = 0;
  let r = rLo;
  let m = i0 + r - d;
  // The rows that reach s_1 inside this pass (the first ones of the block).
  for (; r < rHi && m < 3; r++, m++) {
    let ar = a[r] * factor[m];
    w0 += ar * hPrev[m]; v0 += ar * x[m]; b0 += ar;
    if (m >= 1) {
      ar *= factor[m - 1];
      w1 += ar * hPrev[m - 1]; v1 += ar * x[m - 1]; b1 += ar;
    }
    if (m >= 2) {
      ar *= factor[m - 2];
      w2 += ar * hPrev[m - 2]; v2 += ar * x[m - 2]; b2 += ar;
    }
    a[r] = ar;
  }
  if (r < rHi) {
    // The window for row r: index m − k for lag d + k.
    let f1 = factor[m - 1], f2 = factor[m - 2], f3 = factor[m - 3];
    let hp1 = hPrev[m - 1], hp2 = hPrev[m - 2], hp3 = hPrev[m - 3];
    let x1 = x[m - 1], x2 = x[m - 2], x3 = x[m - 3];
    for (; r < rHi; r++, m++) {
      const f0 = factor[m], hp0 = hPrev[m], x0 = x[m];
      const a0 = a[r] * f0, a1 = a0 * f1, a2 = a1 * f2, a3 = a2 * f3;
      a[r] = a3;
      w0 += a0 * hp0; v0 += a0 * x0; b0 += a0;
      w1 += a1 * hp1; v1 += a1 * x1; b1 += a1;
      w2 += a2 * hp2; v2 += a2 * x2; b2 += a2;
      w3 += a3 * hp3; v3 += a3 * x3; b3 += a3;
      // Slide the window one step: row r + 1's lag d + k reads what row r's lag d + k − 1 read.
      f3 = f2; f2 = f1; f1 = f0;
      hp3 = hp2; hp2 = hp1; hp1 = hp0;
      x3 = x2; x2 = x1; x1 = x0;
    }
  }
  sums[0] = w0; sums[1] = v0; sums[2] = b0;
  sums[3] = w1; sums[4] = v1; sums[5] = b1;
  sums[6] = w2; sums[7] = v2; sums[8] = b2;
  sums[9] = w3; sums[10] = v3; sums[11] = b3;
}
