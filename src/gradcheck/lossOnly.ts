/**
 * Forward-only loss evaluation for the numerical gradient check: L without any backward pass,
 * over preallocated buffers, so a check can afford dozens of evaluations of a 10⁶-step sequence.
 *
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * The arithmetic is runBptt's, operation for operation, and ℓ_t is summed in runBptt's order
 * (from the last target back to t = 1, then divided by N for `mean`), so at the unperturbed model
 * lossOnly(model, data) === runBptt(model, data).loss to the bit (tested).
 */
import { Act, act, actCode, tanh } from '../core/activations';
import { Loss, loss, lossCode, HUBER_DELTA } from '../core/losses';
import type { Model, SequenceData } from '../core';

/** One sequence, prepared once for many loss evaluations. */
export interface Problem {
  model: Model;
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
  T: number;
  phi: Act;
  theta: Act;
  ell: Loss;
  /** 0-based index of the last step with a target, or -1: later steps never reach L. */
  last: number;
  /** Steps with a target. */
  N: number;
  /** Scratch: s and h of the latest evaluation. */
  s: Float64Array;
  h: Float64Array;
}

export function prepare(model: Model, data: SequenceData): Problem {
  const { x, y, hasY } = data;
  const T = x.length;
  let last = T - 1;
  while (last >= 0 && hasY[last] === 0) last--;
  let N = 0;
  for (let t = 0; t < T; t++) if (hasY[t] !== 0) N++;
  return {
    model, x, y, hasY, T, last, N,
    phi: actCode(model.phi), theta: actCode(model.theta), ell: lossCode(model.loss),
    s: new Float64Array(T), h: new Float64Array(T),
  };
}

/** The scale that turns Σℓ_t into L: 1/N for `mean` (L = 0 without targets), 1 for `sum`. */
function reduce(P: Problem, sum: number): number {
  if (P.model.reduction === 'sum') return sum;
  return P.N > 0 ? sum / P.N : 0;
}

/** L at parameters (w, v, b, u, c, h0), leaving s and h in P.s, P.h. */
export function lossOnly(P: Problem, w: number, v: number, b: number, u: number, c: number, h0: number): number {
  forward(P.phi, 0, P.last + 1, P.x, P.s, P.h, h0, w, v, b);
  return reduce(P, outputSum(P, 0, P.h, u, c));
}

/** L at output parameters (u, c) over the states h already computed (h does not depend on u, c). */
export function lossFromStates(P: Problem, h: Float64Array, u: number, c: number): number {
  return reduce(P, outputSum(P, 0, h, u, c));
}

/**
 * The part of L that step i (0-based) can change, with s_i replaced by `si`: steps i..last run
 * forward from there, and only their ℓ are summed. The earlier ℓ are
 * constants of the perturbation, so leaving them out changes no derivative and removes their
 * rounding noise from the difference.
 */
export function suffixLoss(P: Problem, i: number, si: number): number {
  if (i > P.last) return 0;
  const { w, v, b, u, c } = P.model;
  const hi = act(P.phi, si);
  P.s[i] = si;
  P.h[i] = hi;
  forward(P.phi, i + 1, P.last + 1, P.x, P.s, P.h, hi, w, v, b);
  return reduce(P, outputSum(P, i, P.h, u, c));
}

/**
 * s_t = w·h_{t-1} + v·x_t + b,  h_t = φ(s_t)  for tLo ≤ t < tHi, from h_{tLo-1} = hPrev.
 * In blocks of BLOCK steps, one call each, for the reason runBptt's loops are (src/core/bptt.ts):
 * a long first call is compiled on-stack from boxed values and stays slow; short calls are not.
 */
function forward(
  phi: Act, tLo: number, tHi: number, x: Float64Array, s: Float64Array, h: Float64Array,
  hPrev: number, w: number, v: number, b: number,
): void {
  for (let t = tLo; t < tHi; t += BLOCK) {
    forwardBlock(phi, t, Math.min(t + BLOCK, tHi), x, s, h, t > tLo ? h[t - 1] : hPrev, w, v, b);
  }
}

const BLOCK = 256;

/** One block of `forward`. tanh and identity, the common φ, get loops of their own so V8 inlines the activation. */
function forwardBlock(
  phi: Act, tLo: number, tHi: number, x: Float64Array, s: Float64Array, h: Float64Array,
  hPrev: number, w: number, v: number, b: number,
): void {
  hPrev *= 1; w *= 1; v *= 1; b *= 1; // plain doubles, as in runBptt
  if (phi === Act.Tanh) {
    for (let t = tLo; t < tHi; t++) {
      const st = w * hPrev + v * x[t] + b;
      const ht = tanh(st);
      s[t] = st;
      h[t] = ht;
      hPrev = ht;
    }
  } else if (phi === Act.Identity) {
    for (let t = tLo; t < tHi; t++) {
      const st = w * hPrev + v * x[t] + b;
      s[t] = st;
      h[t] = st;
      hPrev = st;
    }
  } else {
    for (let t = tLo; t < tHi; t++) {
      const st = w * hPrev + v * x[t] + b;
      const ht = act(phi, st);
      s[t] = st;
      h[t] = ht;
      hPrev = ht;
    }
  }
}

/** Σ ℓ(θ(u·h_t + c), y_t) over the targets in tLo..last, summed from the last target back, as runBptt does. */
function outputSum(P: Problem, tLo: number, h: Float64Array, u: number, c: number): number {
  const { y, hasY, theta, ell } = P;
  let L = 0;
  if (theta === Act.Identity && ell === Loss.Squared) {
    for (let t = P.last; t >= tLo; t--) {
      if (hasY[t] !== 0) {
        const d = u * h[t] + c - y[t];
        L += 0.5 * d * d;
      }
    }
  } else {
    for (let t = P.last; t >= tLo; t--) {
      if (hasY[t] !== 0) L += loss(ell, act(theta, u * h[t] + c), y[t]);
    }
  }
  return L;
}

/**
 * Four evaluations of the suffix loss in one loop, for the four points of one derivative: lane k
 * has its own w, v, b (W[k], V[k], B[k]) and starts from s_i = S[k]; out[k] = reduce(Σ_{t≥i} ℓ_t).
 * The recurrence is one long chain of dependent operations, so a single evaluation leaves the CPU
 * waiting on latency; four independent chains in one loop overlap (measured: 1.6–2.3× faster
 * than four single passes). ℓ_t is summed forward here, not in runBptt's order: the four lanes
 * sum alike, which is all a difference quotient needs.
 */
export function suffixLoss4(P: Problem, i: number, S: Float64Array, W: Float64Array, V: Float64Array, B: Float64Array, out: Float64Array): void {
  if (i > P.last) {
    out.fill(0);
    return;
  }
  const { u, c } = P.model;
  for (let k = 0; k < 4; k++) {
    const hi = act(P.phi, S[k]);
    lane[k] = hi;
    lane[4 + k] = P.hasY[i] !== 0 ? loss(P.ell, act(P.theta, u * hi + c), P.y[i]) : 0;
  }
  const fast = P.phi === Act.Tanh && P.theta === Act.Identity && P.ell === Loss.Squared;
  for (let t = i + 1; t <= P.last; t += BLOCK) {
    const tHi = Math.min(t + BLOCK, P.last + 1);
    if (fast) block4TanhSquared(t, tHi, P.x, P.y, P.hasY, W, V, B, u, c);
    else block4(P, t, tHi, W, V, B, u, c);
  }
  for (let k = 0; k < 4; k++) out[k] = reduce(P, lane[4 + k]);
}

/** The four lanes' h (0..3) and Σℓ (4..7), carried from block to block. */
const lane = new Float64Array(8);

/** One block of suffixLoss4 for φ = tanh, θ = identity, ℓ = squared, written out (the benchmarked case). */
function block4TanhSquared(
  tLo: number, tHi: number, x: Float64Array, y: Float64Array, hasY: Uint8Array,
  W: Float64Array, V: Float64Array, B: Float64Array, u: number, c: number,
): void {
  u *= 1; c *= 1;
  const w0 = W[0], w1 = W[1], w2 = W[2], w3 = W[3], v0 = V[0], v1 = V[1], v2 = V[2], v3 = V[3];
  const b0 = B[0], b1 = B[1], b2 = B[2], b3 = B[3];
  let h0 = lane[0], h1 = lane[1], h2 = lane[2], h3 = lane[3], L0 = lane[4], L1 = lane[5], L2 = lane[6], L3 = lane[7];
  for (let t = tLo; t < tHi; t++) {
    const xt = x[t];
    h0 = tanh(w0 * h0 + v0 * xt + b0);
    h1 = tanh(w1 * h1 + v1 * xt + b1);
    h2 = tanh(w2 * h2 + v2 * xt + b2);
    h3 = tanh(w3 * h3 + v3 * xt + b3);
    if (hasY[t] !== 0) {
      const yt = y[t];
      const d0 = u * h0 + c - yt, d1 = u * h1 + c - yt, d2 = u * h2 + c - yt, d3 = u * h3 + c - yt;
      L0 += 0.5 * d0 * d0; L1 += 0.5 * d1 * d1; L2 += 0.5 * d2 * d2; L3 += 0.5 * d3 * d3;
    }
  }
  lane[0] = h0; lane[1] = h1; lane[2] = h2; lane[3] = h3; lane[4] = L0; lane[5] = L1; lane[6] = L2; lane[7] = L3;
}

/** One block of suffixLoss4 for any φ, θ and ℓ (through act and loss). */
function block4(P: Problem, tLo: number, tHi: number, W: Float64Array, V: Float64Array, B: Float64Array, u: number, c: number): void {
  const { x, y, hasY, phi, theta, ell } = P;
  u *= 1; c *= 1;
  const w0 = W[0], w1 = W[1], w2 = W[2], w3 = W[3], v0 = V[0], v1 = V[1], v2 = V[2], v3 = V[3];
  const b0 = B[0], b1 = B[1], b2 = B[2], b3 = B[3];
  let h0 = lane[0], h1 = lane[1], h2 = lane[2], h3 = lane[3], L0 = lane[4], L1 = lane[5], L2 = lane[6], L3 = lane[7];
  for (let t = tLo; t < tHi; t++) {
    const xt = x[t];
    h0 = act(phi, w0 * h0 + v0 * xt + b0);
    h1 = act(phi, w1 * h1 + v1 * xt + b1);
    h2 = act(phi, w2 * h2 + v2 * xt + b2);
    h3 = act(phi, w3 * h3 + v3 * xt + b3);
    if (hasY[t] !== 0) {
      const yt = y[t];
      L0 += loss(ell, act(theta, u * h0 + c), yt);
      L1 += loss(ell, act(theta, u * h1 + c), yt);
      L2 += loss(ell, act(theta, u * h2 + c), yt);
      L3 += loss(ell, act(theta, u * h3 + c), yt);
    }
  }
  lane[0] = h0; lane[1] = h1; lane[2] = h2; lane[3] = h3; lane[4] = L0; lane[5] = L1; lane[6] = L2; lane[7] = L3;
}

/** Whether the model has a non-differentiable point: relu/leaky_relu φ or θ, abs or huber ℓ. */
export function hasKinks(P: Problem): boolean {
  return isKinkAct(P.phi) || isKinkAct(P.theta) || P.ell === Loss.Abs || P.ell === Loss.Huber;
}

const isKinkAct = (f: Act): boolean => f === Act.Relu || f === Act.LeakyRelu;

/** Which side of a kink at 0 a value is on; NaN is its own side, so NaN never looks like a crossing. */
const side = (a: number): number => (a > 0 ? 1 : a < 0 ? -1 : a === 0 ? 0 : 2);

/**
 * Whether a perturbed evaluation (states sP, hP at output parameters uP, cP) put any kink
 * variable of steps tLo..last on another side of its kink than the base evaluation (sB, hB at
 * the model's u, c), or onto it: then the difference quotient straddles the kink. The kink
 * variables are s_t (φ relu/leaky_relu), z_t = u·h_t + c (θ relu/leaky_relu), ŷ_t − y_t (abs) and
 * |ŷ_t − y_t| − δ (huber); the output ones only at steps with a target.
 */
export function crossesKink(
  P: Problem, tLo: number, sB: Float64Array, hB: Float64Array, sP: Float64Array, hP: Float64Array, uP: number, cP: number,
): boolean {
  const { y, hasY, theta, ell } = P;
  const { u, c } = P.model;
  const phiKink = isKinkAct(P.phi), thetaKink = isKinkAct(theta);
  const lossKink = ell === Loss.Abs || ell === Loss.Huber;
  const gap = ell === Loss.Huber ? HUBER_DELTA : 0;
  for (let t = tLo; t <= P.last; t++) {
    if (phiKink && side(sB[t]) !== side(sP[t])) return true;
    if (hasY[t] === 0) continue;
    const zB = u * hB[t] + c, zP = uP * hP[t] + cP;
    if (thetaKink && side(zB) !== side(zP)) return true;
    if (lossKink) {
      const dB = act(theta, zB) - y[t], dP = act(theta, zP) - y[t];
      const kB = gap === 0 ? dB : Math.abs(dB) - gap, kP = gap === 0 ? dP : Math.abs(dP) - gap;
      if (side(kB) !== side(kP)) return true;
    }
  }
  return false;
}
