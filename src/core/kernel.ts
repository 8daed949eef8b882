/**
 * The tuned kernel: the same pass as reference.ts, operation for operation (so the same bits,
 * which test/unit/bptt-kernel.test.ts checks on every model), laid out for V8.
 *
 * How and why (each point measured; BENCHMARKS.md has the figures):
 *
 * - tanh and identity, the common and the benchmarked φ, have forward loops of their own, the
 *   switch outside them, so V8 inlines the one activation each calls. The other φ share a loop
 *   that dispatches through act/dact each step: measured, that costs them 2–4 % (sigmoid,
 *   softplus) to 18 % (relu, ~2 ns/step) against a loop each, and saves five copies of the loop.
 * - The loops run in blocks of BLOCK steps, one call of forward()/backward() each. A loop that
 *   runs long in a function's first call is compiled on-stack (OSR), with values that arrive
 *   boxed from the interpreter; if V8 then compiles the whole function before its prologue has
 *   type feedback, that code deoptimizes on entry and every later call re-enters the slow OSR
 *   code. Short calls never trigger OSR and get whole-function code.
 * - What a block hands to the next lives in arrays: h_{t-1} is h[i-1], ∂L/∂s_{t+1} is dL_ds[i+1],
 *   and the parameters and running sums are the named slots of one small Float64Array, `k`,
 *   made per call. Its loads are plain doubles (never a tagged value), and they need no type
 *   feedback in the drivers, so those are safe to compile on-stack.
 * - Scalars are read at the top of each block into locals, not from model fields inside the loop
 *   (a field load depends on the object's map, and a new model can invalidate it). They come from
 *   `k`, so each is a plain double (−0 and NaN kept) and the loops never re-check or unbox them:
 *   what `* 1` on each argument did when they were arguments, without it.
 * - Non-finite values are flagged without a branch: v·0 is NaN exactly when v is NaN or ±∞, so a
 *   running sum `bad` of such products is non-zero iff any of them was. θ is finite at every
 *   finite input, so checking z = u·h_t + c in the forward pass covers ŷ_t at every step.
 */
import { Act, act, actCode, dact, dtanh, tanh } from './activations';
import { Loss, dloss, loss, lossCode } from './losses';
import type { Model } from './model';
import { countTargets, lastTargetStep, makeTrace, reductionScale, type SequenceData, type Trace, type TraceBuffers } from './trace';

const BLOCK = 256;

// The slots of `k`: the parameters in, the running sums out (and carried from block to block).
const W = 0, V = 1, B = 2, U = 3, C = 4, H0 = 5, SCALE = 6;
const SUM_L = 7, SUM_W = 8, SUM_V = 9, SUM_B = 10, SUM_U = 11, SUM_C = 12, N_TARGETS = 13, BAD = 14;
const SLOTS = 15;

/** The arrays of one pass, and `k`. One literal, so one shape for every call. */
interface Pass {
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
  s: Float64Array;
  h: Float64Array;
  /** φ'(s_t) after the forward pass; the backward pass overwrites each with ∂L/∂s_t. */
  dL_ds: Float64Array;
  k: Float64Array;
}

/** The kernel's BpttPass: the trace of `model` on `data`, into `buffers` when given. */
export function runBptt(model: Model, data: SequenceData, buffers?: TraceBuffers): Trace {
  const { x, y, hasY } = data;
  const T = x.length;
  const out: TraceBuffers = buffers ?? { s: new Float64Array(T), h: new Float64Array(T), dL_ds: new Float64Array(T) };
  const k = new Float64Array(SLOTS);
  k[W] = model.w; k[V] = model.v; k[B] = model.b; k[U] = model.u; k[C] = model.c; k[H0] = model.h0;
  // `mean` scales each ∂ℓ/∂ŷ by 1/N, so it counts the targets first; for `sum` the backward pass
  // counts them on the way.
  k[SCALE] = reductionScale(model.reduction, model.reduction === 'mean' ? countTargets(hasY) : 0);
  const p: Pass = { x, y, hasY, s: out.s, h: out.h, dL_ds: out.dL_ds, k };
  const lastTargetT = lastTargetStep(hasY);
  const iLast = (lastTargetT ?? 0) - 1;

  const phi = actCode(model.phi);
  for (let i = 0; i < T; i += BLOCK) forward(phi, p, i, Math.min(i + BLOCK, T));
  // Steps after the last target do not reach L, so their gradients are exactly 0. Like autodiff,
  // the pass never visits them: a NaN there must not leak into ∂L/∂w as 0·NaN.
  out.dL_ds.fill(0, iLast + 1);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  for (let i = iLast; i >= 0; i -= BLOCK) backward(theta, ell, p, iLast, i, Math.max(i - BLOCK + 1, 0));

  const sums = { L: k[SUM_L], dL_dw: k[SUM_W], dL_dv: k[SUM_V], dL_db: k[SUM_B], dL_du: k[SUM_U], dL_dc: k[SUM_C], nTargets: k[N_TARGETS] };
  return makeTrace(model, data, out, sums, lastTargetT, k[BAD] !== 0);
}

/**
 * Forward, steps iLo ≤ i < iHi:
 *   s_t = w·h_{t-1} + v·x_t + b,   h_t = φ(s_t),   and φ'(s_t) beside it,
 * written into p.dL_ds[i], where the backward pass multiplies it in and overwrites it with ∂L/∂s_t.
 */
function forward(phi: Act, p: Pass, iLo: number, iHi: number): void {
  const { x, s, h, k } = p;
  const phiPrime = p.dL_ds; // holds φ'(s_t) until the backward pass
  const w = k[W], v = k[V], b = k[B], u = k[U], c = k[C];
  let hPrev = iLo > 0 ? h[iLo - 1] : k[H0];
  let bad = 0;
  switch (phi) {
    case Act.Tanh:
      for (let i = iLo; i < iHi; i++) {
        const st = w * hPrev + v * x[i] + b;
        const ht = tanh(st);
        s[i] = st;
        h[i] = ht;
        phiPrime[i] = dtanh(ht);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    case Act.Identity:
      for (let i = iLo; i < iHi; i++) {
        const st = w * hPrev + v * x[i] + b;
        const ht = st;
        s[i] = st;
        h[i] = ht;
        phiPrime[i] = 1;
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
    default:
      // The other activations share one loop: act/dact dispatch on φ each step (the switch folds
      // well enough; these are not the benchmarked hot path).
      for (let i = iLo; i < iHi; i++) {
        const st = w * hPrev + v * x[i] + b;
        const ht = act(phi, st);
        s[i] = st;
        h[i] = ht;
        phiPrime[i] = dact(phi, st, ht);
        bad += st * 0 + ht * 0 + (u * ht + c) * 0;
        hPrev = ht;
      }
      break;
  }
  k[BAD] += bad;
}

/**
 * Backward, steps iHi down to iLo (iHi ≤ iLast, the last target; ∂L/∂s_{t+1} = 0 there):
 *   ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      (local + recurrent)
 *   ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 * θ and ℓ are needed only at steps with a target; the loss and the output-layer gradients are
 * summed there too, so θ is evaluated once per step. The common θ = identity, ℓ = squared has a
 * loop of its own with both written out (ŷ = z, ℓ = ½(ŷ − y)², ∂ℓ/∂ŷ = ŷ − y, θ' = 1): the same
 * operations as act/loss/dloss/dact, without their dispatch. One loop with that choice as a
 * loop-invariant branch inside the target block was measured too: 10–80 % slower for tanh and
 * identity φ (the dispatching calls in the other arm still cost the whole loop), so two loops.
 */
function backward(theta: Act, ell: Loss, p: Pass, iLast: number, iHi: number, iLo: number): void {
  const { x, y, hasY, h, dL_ds, k } = p;
  const scale = k[SCALE], w = k[W], u = k[U], c = k[C], h0 = k[H0];
  let L = k[SUM_L], dL_dw = k[SUM_W], dL_dv = k[SUM_V], dL_db = k[SUM_B], dL_du = k[SUM_U], dL_dc = k[SUM_C];
  let nTargets = k[N_TARGETS], bad = k[BAD];
  let dL_ds_next = iHi < iLast ? dL_ds[iHi + 1] : 0;
  if (theta === Act.Identity && ell === Loss.Squared) {
    for (let i = iHi; i >= iLo; i--) {
      const ht = h[i];
      const hPrev = i > 0 ? h[i - 1] : h0;
      let local = 0;
      if (hasY[i] !== 0) {
        nTargets++;
        const yhat = u * ht + c;
        const d = yhat - y[i];
        const lt = 0.5 * d * d;
        const dL_dz = scale * d;
        local = dL_dz * u;
        L += lt;
        dL_du += dL_dz * ht;
        dL_dc += dL_dz;
        bad += lt * 0 + dL_dz * 0;
      }
      const dL_dh = local + (i < iLast ? w * dL_ds_next : 0);
      const dL_dst = dL_dh * dL_ds[i]; // dL_ds[i] still holds φ'(s_t), left by the forward pass
      dL_ds[i] = dL_dst;
      bad += dL_dh * 0 + dL_dst * 0;
      // s_t = w·h_{t-1} + v·x_t + b: w, v and b each get ∂L/∂s_t times what it multiplies.
      dL_dw += dL_dst * hPrev;
      dL_dv += dL_dst * x[i];
      dL_db += dL_dst;
      dL_ds_next = dL_dst;
    }
  } else {
    for (let i = iHi; i >= iLo; i--) {
      const ht = h[i];
      const hPrev = i > 0 ? h[i - 1] : h0;
      let local = 0;
      if (hasY[i] !== 0) {
        nTargets++;
        const z = u * ht + c;
        const yhat = act(theta, z);
        const lt = loss(ell, yhat, y[i]);
        const dL_dyhat = scale * dloss(ell, yhat, y[i]);
        const dL_dz = dL_dyhat * dact(theta, z, yhat);
        local = dL_dz * u;
        L += lt;
        dL_du += dL_dz * ht;
        dL_dc += dL_dz;
        bad += lt * 0 + dL_dz * 0;
      }
      const dL_dh = local + (i < iLast ? w * dL_ds_next : 0);
      const dL_dst = dL_dh * dL_ds[i]; // dL_ds[i] still holds φ'(s_t), left by the forward pass
      dL_ds[i] = dL_dst;
      bad += dL_dh * 0 + dL_dst * 0;
      dL_dw += dL_dst * hPrev;
      dL_dv += dL_dst * x[i];
      dL_db += dL_dst;
      dL_ds_next = dL_dst;
    }
  }
  k[SUM_L] = L; k[SUM_W] = dL_dw; k[SUM_V] = dL_dv; k[SUM_B] = dL_db; k[SUM_U] = dL_du; k[SUM_C] = dL_dc;
  k[N_TARGETS] = nTargets; k[BAD] = bad;
}
