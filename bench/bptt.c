/*
 * The C baseline for `npm run bench`: the same work as runBptt (src/core/kernel.ts) for
 * θ = identity, ℓ = squared, reduction = sum, with φ = tanh (glibc) or φ = identity, written as
 * the plain loops a C programmer would write. Built by scripts/bench.sh with `gcc -O2 -lm`.
 *
 *   bptt run <tanh|identity> <T> <runs>   time forward+backward over T steps; one JSON line:
 *                                         median ns/step, every sample, L and the 6 gradients
 *   bptt tanh <n> <runs>                  glibc tanh alone, ns/call (independent calls and a
 *                                         dependent chain h = tanh(h + x), as in the recurrence)
 *
 * The data are generated here and in bench/bench.ts by the same 32-bit LCG, so both sides see
 * bit-identical x, y, hasY without any file in between.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Model of the benchmark (bench/bench.ts uses the same numbers). */
static const double W = 0.9, V = 0.5, B = 0.1, U = 1.2, C = -0.05, H0 = 0.0;

static uint32_t lcg_state;
static uint32_t lcg(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state;
}

/* x_t uniform in [-2, 2), y_t in [-1, 1), one step in eight without a target (y = NaN there). */
static void gen(long T, double *x, double *y, uint8_t *hasY) {
  lcg_state = 12345u;
  for (long t = 0; t < T; t++) {
    x[t] = (double)lcg() / 4294967296.0 * 4.0 - 2.0;
    double yt = (double)lcg() / 4294967296.0 * 2.0 - 1.0;
    int has = (lcg() >> 29) != 0;
    hasY[t] = (uint8_t)has;
    y[t] = has ? yt : NAN;
  }
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef struct {
  double L, w, v, b, u, c, h0;
  long nTargets;
  int nonFinite;
} Result;

/*
 * φ = tanh (isTanh = 1, glibc tanh) or identity (isTanh = 0), θ = identity, ℓ = ½(ŷ − y)²,
 * reduction = sum (scale 1). The statements follow runBptt line for line: the target count and
 * the last target, the forward loop with its non-finite sum (s, h and z = u·h + c), the zero fill
 * after the last target, and the backward loop from the last target, with θ and ℓ only at steps
 * that have a target. always_inline with a constant isTanh gives one specialised loop per φ.
 */
static inline __attribute__((always_inline)) Result bptt(int isTanh, long T, const double *x, const double *y,
                                                         const uint8_t *hasY, double *s, double *h, double *dL_ds) {
  const double w = W, v = V, b = B, u = U, c = C, h0 = H0;
  long nTargets = 0, lastTarget = -1;
  for (long t = 0; t < T; t++)
    if (hasY[t] != 0) {
      nTargets++;
      lastTarget = t;
    }
  const double scale = 1.0; /* reduction = sum */
  double nonFinite = 0;

  /* Forward: s_t = w·h_{t-1} + v·x_t + b,  h_t = φ(s_t) */
  double hPrev = h0;
  for (long t = 0; t < T; t++) {
    const double st = w * hPrev + v * x[t] + b;
    const double ht = isTanh ? tanh(st) : st;
    s[t] = st;
    h[t] = ht;
    nonFinite += st * 0 + ht * 0 + (u * ht + c) * 0;
    hPrev = ht;
  }
  for (long t = lastTarget + 1; t < T; t++) dL_ds[t] = 0;

  /* Backward, from the last target:
   *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1},  ∂L/∂s_t = ∂L/∂h_t·φ'(s_t) */
  double L = 0, dw = 0, dv = 0, db = 0, du = 0, dc = 0, dL_ds_next = 0;
  for (long t = lastTarget; t >= 0; t--) {
    const double ht = h[t];
    double local = 0;
    if (hasY[t] != 0) {
      const double z = u * ht + c;
      const double yhat = z;
      const double d = yhat - y[t];
      const double lt = 0.5 * d * d;
      const double dL_dyhat = scale * (yhat - y[t]);
      const double dL_dz = dL_dyhat * 1; /* θ' = 1 */
      local = dL_dz * u;
      L += lt;
      du += dL_dz * ht;
      dc += dL_dz;
      nonFinite += lt * 0 + dL_dz * 0;
    }
    const double dL_dh = local + (t < lastTarget ? w * dL_ds_next : 0);
    const double dL_dst = dL_dh * (isTanh ? 1 - ht * ht : 1);
    dL_ds[t] = dL_dst;
    nonFinite += dL_dh * 0 + dL_dst * 0;
    dw += dL_dst * (t > 0 ? h[t - 1] : h0);
    dv += dL_dst * x[t];
    db += dL_dst;
    dL_ds_next = dL_dst;
  }
  Result r = {L, dw, dv, db, du, dc, T > 0 ? w * dL_ds[0] : 0, nTargets, nonFinite != 0};
  return r;
}

static Result bptt_tanh(long T, const double *x, const double *y, const uint8_t *hasY, double *s, double *h,
                        double *dL_ds) {
  return bptt(1, T, x, y, hasY, s, h, dL_ds);
}

static Result bptt_identity(long T, const double *x, const double *y, const uint8_t *hasY, double *s, double *h,
                            double *dL_ds) {
  return bptt(0, T, x, y, hasY, s, h, dL_ds);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void print_samples(const double *v, int n) {
  printf("[");
  for (int i = 0; i < n; i++) printf(i ? ",%.4f" : "%.4f", v[i]);
  printf("]");
}

static int run(const char *phi, long T, int runs) {
  int isTanh = strcmp(phi, "tanh") == 0;
  if (!isTanh && strcmp(phi, "identity") != 0) {
    fprintf(stderr, "phi must be tanh or identity\n");
    return 2;
  }
  double *x = malloc(sizeof(double) * (size_t)T), *y = malloc(sizeof(double) * (size_t)T);
  uint8_t *hasY = malloc((size_t)T);
  double *s = malloc(sizeof(double) * (size_t)T), *h = malloc(sizeof(double) * (size_t)T);
  double *dL_ds = malloc(sizeof(double) * (size_t)T);
  if (!x || !y || !hasY || !s || !h || !dL_ds) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  gen(T, x, y, hasY);
  /* Short sequences are repeated so one sample lasts about a millisecond or more. */
  long reps = T >= 1000000 ? 1 : 1000000 / T;
  double *samples = malloc(sizeof(double) * (size_t)runs);
  Result r = {0};
  /* Warm-up: page in the buffers, settle the branch predictors. */
  for (long k = 0; k < reps; k++) r = isTanh ? bptt_tanh(T, x, y, hasY, s, h, dL_ds) : bptt_identity(T, x, y, hasY, s, h, dL_ds);
  for (int i = 0; i < runs; i++) {
    double t0 = now_ns();
    for (long k = 0; k < reps; k++)
      r = isTanh ? bptt_tanh(T, x, y, hasY, s, h, dL_ds) : bptt_identity(T, x, y, hasY, s, h, dL_ds);
    samples[i] = (now_ns() - t0) / ((double)T * (double)reps);
  }
  printf("{\"phi\":\"%s\",\"T\":%ld,\"reps\":%ld,\"samples\":", phi, T, reps);
  print_samples(samples, runs);
  double med = median(samples, runs);
  printf(",\"nsPerStep\":%.4f,\"L\":%.17g,\"grads\":{\"w\":%.17g,\"v\":%.17g,\"b\":%.17g,\"u\":%.17g,\"c\":%.17g,"
         "\"h0\":%.17g},\"nTargets\":%ld,\"nonFinite\":%s}\n",
         med, r.L, r.w, r.v, r.b, r.u, r.c, r.h0, r.nTargets, r.nonFinite ? "true" : "false");
  return 0;
}

/*
 * glibc tanh alone. Inputs are x_i uniform in [-2, 2), the range the recurrence sees.
 * "indep": o_i = tanh(x_i), limited by throughput. "chain": h = tanh(0.5·h + x_i), limited by
 * latency, as the forward loop is.
 */
static int time_tanh(long n, int runs) {
  double *x = malloc(sizeof(double) * (size_t)n), *o = malloc(sizeof(double) * (size_t)n);
  double *y = malloc(sizeof(double) * (size_t)n);
  uint8_t *hasY = malloc((size_t)n);
  gen(n, x, y, hasY);
  double *si = malloc(sizeof(double) * (size_t)runs), *sc = malloc(sizeof(double) * (size_t)runs);
  double sink = 0;
  for (int i = -1; i < runs; i++) {
    double t0 = now_ns();
    for (long k = 0; k < n; k++) o[k] = tanh(x[k]);
    double t1 = now_ns();
    double hh = 0;
    for (long k = 0; k < n; k++) {
      hh = tanh(0.5 * hh + x[k]);
      o[k] = hh;
    }
    double t2 = now_ns();
    sink += o[n / 2] + hh;
    if (i >= 0) {
      si[i] = (t1 - t0) / (double)n;
      sc[i] = (t2 - t1) / (double)n;
    }
  }
  printf("{\"indep\":%.4f,\"chain\":%.4f,\"sink\":%.17g}\n", median(si, runs), median(sc, runs), sink);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "run") == 0) return run(argv[2], atol(argv[3]), atoi(argv[4]));
  if (argc == 4 && strcmp(argv[1], "tanh") == 0) return time_tanh(atol(argv[2]), atoi(argv[3]));
  fprintf(stderr, "usage: bptt run <tanh|identity> <T> <runs> | bptt tanh <n> <runs>\n");
  return 2;
}
