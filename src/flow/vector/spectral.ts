/**
 * The spectral norm σ_max(J) = √λ_max(JᵀJ) of J = W·diag(d), the Jacobian ∂s_{t+1}/∂s_t of a step
 * (d = φ'(s_t)), without forming J: JᵀJ = D·G·D with the Gram matrix G = WᵀW computed once.
 *
 * Exact (small n): Householder reduction of A = DGD to tridiagonal form, then bisection with Sturm
 * counts for the largest eigenvalue, to the last bit the bisection can resolve. Both steps are
 * backward stable, so λ_max has a relative error of a few n·ε (ε = 2⁻⁵²), and σ_max half of it.
 * O(n³) per step with a small constant: ~10 µs at n = 16.
 *
 * Power iteration (large n): v ← A·v/‖A·v‖, warm-started from the previous step's v, until the
 * Rayleigh quotient vᵀAv changes by less than POWER_TOL (relative) or POWER_MAX_ITER iterations.
 * It converges from below (vᵀAv ≤ λ_max for a unit v): σ_max is never overestimated, and with a
 * small gap λ₂/λ₁ ≈ 1 it may stop a little low. O(n²) per iteration.
 */

export const POWER_TOL = 1e-12;
export const POWER_MAX_ITER = 500;

/** G = WᵀW (n×n, symmetric), the part of JᵀJ = D·G·D shared by every step. */
export function gram(W: Float64Array, n: number): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let acc = 0;
      for (let r = 0; r < n; r++) acc += W[r * n + i] * W[r * n + j];
      G[i * n + j] = acc;
      G[j * n + i] = acc;
    }
  }
  return G;
}

/** Preallocated work arrays for one size n. */
export class SpectralWork {
  readonly A: Float64Array;
  readonly v: Float64Array;
  readonly p: Float64Array;
  readonly diag: Float64Array;
  readonly off: Float64Array;
  /** Power iteration's current vector (kept between steps as the warm start). */
  readonly x: Float64Array;
  constructor(readonly n: number) {
    this.A = new Float64Array(n * n);
    this.v = new Float64Array(n);
    this.p = new Float64Array(n);
    this.diag = new Float64Array(n);
    this.off = new Float64Array(n);
    this.x = new Float64Array(n).fill(1 / Math.sqrt(n));
  }
}

/** A = D·G·D, scaled by its largest |entry| (returned) so no square in the reduction overflows; NaN if any entry is. */
function fillDGD(G: Float64Array, d: Float64Array, n: number, A: Float64Array): number {
  let big = 0, nan = false;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = d[i] * G[i * n + j] * d[j];
      A[i * n + j] = a;
      if (Math.abs(a) > big) big = Math.abs(a);
      else if (a !== a) nan = true;
    }
  }
  if (nan) return NaN;
  if (big > 0 && big < Infinity) {
    const inv = 1 / big;
    for (let i = 0; i < n * n; i++) A[i] *= inv;
  }
  return big;
}

/**
 * Householder tridiagonalization of the symmetric A (overwritten): diag[i] = T_ii, off[i] = T_i,i−1.
 * Step k maps A[k+1.., k] to α·e₁ with H = I − β·v·vᵀ, and updates the trailing block as
 * A ← A − v·wᵀ − w·vᵀ with p = β·A·v, w = p − (β·pᵀv/2)·v.
 */
function tridiagonalize(A: Float64Array, n: number, work: SpectralWork): void {
  const { v, p, diag, off } = work;
  for (let k = 0; k < n - 2; k++) {
    let xx = 0;
    for (let i = k + 1; i < n; i++) xx += A[i * n + k] * A[i * n + k];
    const x0 = A[(k + 1) * n + k];
    const alpha = x0 >= 0 ? -Math.sqrt(xx) : Math.sqrt(xx);
    let vv = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = A[i * n + k] - (i === k + 1 ? alpha : 0);
      vv += v[i] * v[i];
    }
    off[k + 1] = alpha;
    if (vv === 0) continue; // the column is already 0 below the subdiagonal
    const beta = 2 / vv;
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      let acc = 0;
      for (let j = k + 1; j < n; j++) acc += A[i * n + j] * v[j];
      p[i] = beta * acc;
      pv += p[i] * v[i];
    }
    const half = (beta * pv) / 2;
    for (let i = k + 1; i < n; i++) p[i] -= half * v[i]; // p is now w
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) A[i * n + j] -= v[i] * p[j] + p[i] * v[j];
    }
  }
  for (let i = 0; i < n; i++) diag[i] = A[i * n + i];
  // The last subdiagonal entry is what the last update left in A[n−1, n−2].
  if (n >= 2) off[n - 1] = A[(n - 1) * n + (n - 2)];
}

/** How many eigenvalues of the tridiagonal (diag, off) are < x (Sturm count, LDLᵀ pivots). */
function countBelow(diag: Float64Array, off: Float64Array, n: number, x: number, pivmin: number): number {
  let count = 0;
  let q = diag[0] - x;
  if (Math.abs(q) < pivmin) q = -pivmin;
  if (q < 0) count++;
  for (let i = 1; i < n; i++) {
    q = diag[i] - x - (off[i] * off[i]) / q;
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/** λ_max of the symmetric tridiagonal (diag, off), by bisection until the interval cannot shrink. */
function largestEigenvalue(diag: Float64Array, off: Float64Array, n: number): number {
  // Gershgorin's upper bound; λ_max ≥ every diagonal entry (a Rayleigh quotient).
  let lo = -Infinity, hi = -Infinity, offMax = 0;
  for (let i = 0; i < n; i++) {
    const left = i > 0 ? Math.abs(off[i]) : 0;
    const right = i + 1 < n ? Math.abs(off[i + 1]) : 0;
    lo = Math.max(lo, diag[i]);
    hi = Math.max(hi, diag[i] + left + right);
    offMax = Math.max(offMax, left * left);
  }
  const pivmin = Number.MIN_VALUE * Math.max(1, offMax) * 4;
  for (let it = 0; it < 2100; it++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (countBelow(diag, off, n, mid, pivmin) === n) hi = mid;
    else lo = mid;
  }
  return lo + (hi - lo) / 2;
}

/** σ_max(W·diag(d)) exactly (see the header); NaN if W or d has a NaN or ±∞. */
export function sigmaMaxExact(G: Float64Array, d: Float64Array, n: number, work: SpectralWork): number {
  if (n === 1) return Math.sqrt(G[0]) * Math.abs(d[0]);
  const { A } = work;
  const scale = fillDGD(G, d, n, A);
  if (!(scale < Infinity)) return NaN; // NaN or ∞ somewhere
  if (scale === 0) return 0;
  tridiagonalize(A, n, work);
  const lambda = largestEigenvalue(work.diag, work.off, n);
  return Math.sqrt(Math.max(lambda, 0) * scale);
}

/** σ_max(W·diag(d)) by power iteration on D·G·D, warm-started from work.x (updated). */
export function sigmaMaxPower(G: Float64Array, d: Float64Array, n: number, work: SpectralWork): number {
  const { x, p } = work;
  for (let i = 0; i < n; i++) if (!Number.isFinite(d[i])) return NaN;
  let rq = 0;
  for (let restart = 0; restart < 2; restart++) {
    for (let it = 0; it < POWER_MAX_ITER; it++) {
      // p = D·G·D·x,  rq = xᵀp (the Rayleigh quotient of the unit x)
      let xp = 0, big = 0;
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += G[i * n + j] * (d[j] * x[j]);
        p[i] = d[i] * acc;
        xp += x[i] * p[i];
        if (Math.abs(p[i]) > big) big = Math.abs(p[i]);
      }
      if (!(big > 0 && big < Infinity)) break; // x is in the null space (or A = 0): try a fresh start
      // x = p/‖p‖, the norm taken on p/big so that no square overflows
      let pp = 0;
      for (let i = 0; i < n; i++) pp += (p[i] / big) * (p[i] / big);
      const norm = big * Math.sqrt(pp);
      for (let i = 0; i < n; i++) x[i] = p[i] / norm;
      const done = Math.abs(xp - rq) <= POWER_TOL * Math.abs(xp);
      rq = xp;
      if (done) return Math.sqrt(Math.max(rq, 0));
    }
    if (rq > 0) return Math.sqrt(rq);
    // A fixed pseudo-random start, not orthogonal to any particular eigenvector.
    for (let i = 0; i < n; i++) x[i] = Math.sin(12.9898 * (i + 1)) / Math.sqrt(n);
  }
  return Math.sqrt(Math.max(rq, 0));
}
