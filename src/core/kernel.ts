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
 * - What a block hands to the next lives in the arrays (h_{t-1} is h[i-1], ∂L/∂s_{t+1} is
 *   dL_ds[i+1]) or in `p`, the one object of the pass: its arrays, parameters and running sums,
 *   made by one literal per call, so it always has one shape. The drivers only pass it on, so
 *   they need no type feedback and are safe to compile on-stack. (Not a Float64Array of named
 *   slots: allocating one costs microseconds, a tenth of a 10³-step pass.)
 * - Scalars are read into locals at the top of each block, never from an object inside a loop
 *   (a model's fields depend on its map, and a new model can invalidate it), and `* 1` turns each
 *   into a plain double (exact, −0 and NaN included), so the loops never re-check or unbox them.
 * - Non-finite values are flagged without a branch: v·0 is NaN exactly when v is NaN or ±∞, so a
 *   running sum `bad` of such products is non-zero iff any of them was. θ is finite at every
 *   finite input, so checking z = u·h_t + c in the forward pass covers ŷ_t at every step.
 */
import { Act, act, actCode, dact, dtanh, tanh } from './activations';
import { Loss, dloss, loss, lossCode } from './losses';
import type { Model } from './model';
import { countTargets, lastTargetStep, makeTrace, reductionScale, type PassSums, type SequenceData, type Trace, type TraceBuffers } from './trace';

const BLOCK = 256;

/** One pass: its arrays, its parameters, and the running sums carried from block to block. */
interface Pass extends PassSums, Pick<Model, 'w' | 'v' | 'b' | 'u' | 'c' | 'h0'> {
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
  s: Float64Array;
  h: Float64Array;
  /** φ'(s_t) after the forward pass; the backward pass overwrites each with ∂L/∂s_t. */
  dL_ds: Float64Array;
  /** reductionScale: the factor on each ∂ℓ_t/∂ŷ_t. */
  scale: number;
  /** Non-zero (NaN) iff a value the loops flag was NaN or ±∞. */
  bad: number;
}

/** The kernel's BpttPass: the trace of `model` on `data`, into `buffers` when given. */
export function runBptt(model: Model, data: SequenceData, buffers?: TraceBuffers): Trace {
  const { x, hasY } = data;
  const T = x.length;
  const out: TraceBuffers = buffers ?? { s: new Float64Array(T), h: new Float64Array(T), dL_ds: new Float64Array(T) };
  // `mean` scales each ∂ℓ/∂ŷ by 1/N, so it counts the targets first; for `sum` the backward pass
  // counts them on the way.
  const scale = reductionScale(model.reduction, model.reduction === 'mean' ? countTargets(hasY) : 0);
  const p = newPass(model, data, out, scale);
  const lastTargetT = lastTargetStep(hasY);
  const iLast = (lastTargetT ?? 0) - 1;

  forwardBlocks(model, p);
  // Steps after the last target do not reach L, so their gradients are exactly 0. Like autodiff,
  // the pass never visits them: a NaN there must not leak into ∂L/∂w as 0·NaN.
  out.dL_ds.fill(0, iLast + 1);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  for (let i = iLast; i >= 0; i -= BLOCK) backward(theta, ell, p, iLast, i, Math.max(i - BLOCK + 1, 0));

  return makeTrace(model, data, out, p, lastTargetT, p.bad !== 0);
}

/** The one object of a pass (one literal, so one shape), its sums at 0. */
function newPass(model: Model, data: SequenceData, out: TraceBuffers, scale: number): Pass {
  const { w, v, b, u, c, h0 } = model;
  return {
    x: data.x, y: data.y, hasY: data.hasY, s: out.s, h: out.h, dL_ds: out.dL_ds, w, v, b, u, c, h0, scale,
    L: 0, dL_dw: 0, dL_dv: 0, dL_db: 0, dL_du: 0, dL_dc: 0, nTargets: 0, bad: 0,
  };
}

function forwardBlocks(model: Model, p: Pass): void {
  const phi = actCode(model.phi);
  const T = p.x.length;
  for (let i = 0; i < T; i += BLOCK) forward(phi, p, i, Math.min(i + BLOCK, T));
}

/**
 * The forward pass alone, for passes that differ from this one only going backward (truncated
 * BPTT in src/flow/truncate.ts): s and h into `out`, and φ'(s_t) into out.dL_ds. Returns true when
 * a value it flags (s_t, h_t, u·h_t + c) was NaN or ±∞.
 */
export function runForward(model: Model, data: SequenceData, out: TraceBuffers): boolean {
  const p = newPass(model, data, out, 0);
  forwardBlocks(model, p);
  return p.bad !== 0;
}

/**
 * Forward, steps iLo ≤ i < iHi:
 *   s_t = w·h_{t-1} + v·x_t + b,   h_t = φ(s_t),   and φ'(s_t) beside it,
 * written into p.dL_ds[i], where the backward pass multiplies it in and overwrites it with ∂L/∂s_t.
 */
function forward(phi: Act, p: Pass, iLo: number, iHi: number): void {
  const { x, s, h } = p;
  const phiPrime = p.dL_ds; // holds φ'(s_t) until the backward pass
  const w = p.w * 1, v = p.v * 1, b = p.b * 1, u = p.u * 1, c = p.c * 1; // plain doubles (see above)
  let hPrev = iLo > 0 ? h[iLo - 1] : p.h0 * 1;
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
  p.bad += bad;
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
  const { x, y, hasY, h, dL_ds } = p;
  const scale = p.scale * 1, w = p.w * 1, u = p.u * 1, c = p.c * 1, h0 = p.h0 * 1; // plain doubles (see above)
  // The running sums so far, as plain doubles too.
  let L = p.L * 1, dL_dw = p.dL_dw * 1, dL_dv = p.dL_dv * 1, dL_db = p.dL_db * 1, dL_du = p.dL_du * 1, dL_dc = p.dL_dc * 1;
  let nTargets = p.nTargets * 1, bad = p.bad * 1;
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
  p.L = L; p.dL_dw = dL_dw; p.dL_dv = dL_dv; p.dL_db = dL_db; p.dL_du = dL_du; p.dL_dc = dL_dc;
  p.nTargets = nTargets; p.bad = bad;
}
