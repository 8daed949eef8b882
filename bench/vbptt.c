/*
 * The C baseline of the vector benchmark (bench/vector-bench.ts): the same pass as runVectorBptt
 * (src/core/vector/kernel.ts, kernelOps.ts) for φ = tanh, θ = identity, ℓ = squared, reduction =
 * sum, with the same loops: W·h_{t-1} through a transposed copy of W, four outputs per pass over j,
 * each summed over j in the reference's order; ŷ recomputed in the backward pass. So its L and
 * gradients are the same bits as ours, which the benchmark checks. Built with `gcc -O2 -lm`.
 *
 *   vbptt <n> <m> <k> <T> <runs>   one JSON line: median ns/step, every sample, L and Σ∂L/∂W
 *
 * Model and data come from the same 32-bit LCG as bench/vector-bench.ts (vectorBenchCase).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t st;
static double uni(double lo, double hi) {
  st = st * 1664525u + 1013904223u;
  return lo + (hi - lo) * ((double)st / 4294967296.0);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* out[r] = Σ_j A[j·rows + r]·x[j], sequential over j, four outputs per pass. */
static void gemvT(const double *A, const double *x, int len, int rows, double *out) {
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    double a0 = A[r] * x[0], a1 = A[r + 1] * x[0], a2 = A[r + 2] * x[0], a3 = A[r + 3] * x[0];
    for (int j = 1; j < len; j++) {
      const double *a = A + (long)j * rows + r;
      a0 += a[0] * x[j]; a1 += a[1] * x[j]; a2 += a[2] * x[j]; a3 += a[3] * x[j];
    }
    out[r] = a0; out[r + 1] = a1; out[r + 2] = a2; out[r + 3] = a3;
  }
  for (; r < rows; r++) {
    double a = A[r] * x[0];
    for (int j = 1; j < len; j++) a += A[(long)j * rows + r] * x[j];
    out[r] = a;
  }
}

/* A += g·vᵀ */
static void rank1(double *A, const double *g, const double *v, int rows, int cols) {
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) A[(long)r * cols + j] += g[r] * v[j];
}

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: vbptt n m k T runs\n"); return 2; }
  int n = atoi(argv[1]), m = atoi(argv[2]), k = atoi(argv[3]), runs = atoi(argv[5]);
  long T = atol(argv[4]);
  double g = 0.9 / sqrt((double)n);
  double *W = malloc(sizeof(double) * n * n), *WT = malloc(sizeof(double) * n * n), *V = malloc(sizeof(double) * n * m),
         *VT = malloc(sizeof(double) * n * m), *b = malloc(sizeof(double) * n), *U = malloc(sizeof(double) * k * n),
         *c = malloc(sizeof(double) * k), *h0 = calloc(n, sizeof(double));
  double *x = malloc(sizeof(double) * T * m), *y = malloc(sizeof(double) * T * k);
  st = 12345u;
  for (int i = 0; i < n * n; i++) W[i] = uni(-g, g);
  for (int i = 0; i < n * m; i++) V[i] = uni(-1, 1);
  for (int i = 0; i < n; i++) b[i] = uni(-0.1, 0.1);
  for (int i = 0; i < k * n; i++) U[i] = uni(-1, 1);
  for (int i = 0; i < k; i++) c[i] = uni(-0.1, 0.1);
  for (long i = 0; i < T * m; i++) x[i] = uni(-2, 2);
  for (long i = 0; i < T * k; i++) y[i] = uni(-1, 1);
  for (int r = 0; r < n; r++) for (int j = 0; j < n; j++) WT[j * n + r] = W[r * n + j];
  for (int r = 0; r < n; r++) for (int j = 0; j < m; j++) VT[j * n + r] = V[r * m + j];

  double *s = malloc(sizeof(double) * T * n), *h = malloc(sizeof(double) * T * n), *dL_ds = malloc(sizeof(double) * T * n);
  double *dW = malloc(sizeof(double) * n * n), *dV = malloc(sizeof(double) * n * m), *db = malloc(sizeof(double) * n),
         *dU = malloc(sizeof(double) * k * n), *dc = malloc(sizeof(double) * k), *dh0 = malloc(sizeof(double) * n);
  double *Wh = malloc(sizeof(double) * n), *Vx = malloc(sizeof(double) * n), *rec = malloc(sizeof(double) * n),
         *local = malloc(sizeof(double) * n), *dL_dz = malloc(sizeof(double) * k);
  double *samples = malloc(sizeof(double) * runs), L = 0;

  for (int run = 0; run < runs; run++) {
    double t0 = now_ns();
    memset(dW, 0, sizeof(double) * n * n); memset(dV, 0, sizeof(double) * n * m); memset(db, 0, sizeof(double) * n);
    memset(dU, 0, sizeof(double) * k * n); memset(dc, 0, sizeof(double) * k);
    /* Forward:  s_t = W·h_{t-1} + V·x_t + b,  h_t = tanh(s_t) */
    for (long i = 0; i < T; i++) {
      gemvT(WT, i > 0 ? h + (i - 1) * n : h0, n, n, Wh);
      gemvT(VT, x + i * m, m, n, Vx);
      for (int r = 0; r < n; r++) {
        double sr = Wh[r] + Vx[r] + b[r];
        s[i * n + r] = sr;
        h[i * n + r] = tanh(sr);
      }
    }
    /* Backward, every step a target:  ∂L/∂h_t = Uᵀ·(ŷ_t − y_t) + Wᵀ·∂L/∂s_{t+1},  ∂L/∂s_t = ∂L/∂h_t ⊙ (1 − h_t²) */
    L = 0;
    for (long i = T - 1; i >= 0; i--) {
      const double *ht = h + i * n, *hPrev = i > 0 ? h + (i - 1) * n : h0;
      for (int q = 0; q < k; q++) {
        double Uh = U[q * n] * ht[0];
        for (int j = 1; j < n; j++) Uh += U[q * n + j] * ht[j];
        double yhat = Uh + c[q], d = yhat - y[i * k + q];
        dL_dz[q] = 1 * d;
        L += 0.5 * d * d;
      }
      rank1(dU, dL_dz, ht, k, n);
      for (int q = 0; q < k; q++) dc[q] += dL_dz[q];
      gemvT(U, dL_dz, k, n, local);
      if (i < T - 1) gemvT(W, dL_ds + (i + 1) * n, n, n, rec);
      for (int r = 0; r < n; r++) {
        double dL_dh = local[r] + (i < T - 1 ? rec[r] : 0);
        dL_ds[i * n + r] = dL_dh * (1 - ht[r] * ht[r]);
      }
      rank1(dW, dL_ds + i * n, hPrev, n, n);
      rank1(dV, dL_ds + i * n, x + i * m, n, m);
      for (int r = 0; r < n; r++) db[r] += dL_ds[i * n + r];
    }
    if (T > 0) gemvT(W, dL_ds, n, n, dh0);
    samples[run] = (now_ns() - t0) / (double)T;
  }
  double sumdW = 0;
  for (int i = 0; i < n * n; i++) sumdW += dW[i];
  double *sorted = malloc(sizeof(double) * runs);
  memcpy(sorted, samples, sizeof(double) * runs);
  for (int a = 1; a < runs; a++) for (int b2 = a; b2 > 0 && sorted[b2 - 1] > sorted[b2]; b2--) {
    double tmp = sorted[b2]; sorted[b2] = sorted[b2 - 1]; sorted[b2 - 1] = tmp;
  }
  double med = runs % 2 ? sorted[runs / 2] : 0.5 * (sorted[runs / 2 - 1] + sorted[runs / 2]);
  printf("{\"nsPerStep\":%.3f,\"samples\":[", med);
  for (int r = 0; r < runs; r++) printf("%s%.3f", r ? "," : "", samples[r]);
  printf("],\"L\":%.17g,\"sumdW\":%.17g,\"dh0\":%.17g}\n", L, sumdW, dh0[0]);
  return 0;
}
