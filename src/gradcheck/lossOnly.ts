/**
 * Forward-only loss evaluation for the numerical gradient check: L at the model without any
 * backward pass, and the states s_t, h_t that the perturbed evaluations (lanes.ts) compare their
 * kink variables with.
 *
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * The arithmetic is runBptt's, operation for operation, and ℓ_t is summed in runBptt's order
 * (from the last target back to t = 1, then divided by N for `mean`), so at the unperturbed model
 * lossOnly(model, data) === runBptt(model, data).loss to the bit (tested).
 */
import { Act, act, actCode, tanh } from '../core/activations';
import { Loss, loss, lossCode } from '../core/losses';
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
  /** The 0-based steps with a target, last first (runBptt's summation order). */
  targets: Int32Array;
  /** Whether φ, θ or ℓ has a point where it is not differentiable (relu/leaky_relu φ or θ, abs or huber ℓ). */
  phiKink: boolean;
  thetaKink: boolean;
  kinky: boolean;
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
  const targets = new Int32Array(N);
  for (let t = last, j = 0; t >= 0; t--) if (hasY[t] !== 0) targets[j++] = t;
  const phi = actCode(model.phi), theta = actCode(model.theta), ell = lossCode(model.loss);
  const phiKink = isKinkAct(phi), thetaKink = isKinkAct(theta);
  return {
    model, x, y, hasY, T, last, N, targets, phi, theta, ell, phiKink, thetaKink,
    kinky: phiKink || thetaKink || ell === Loss.Abs || ell === Loss.Huber,
    s: new Float64Array(T), h: new Float64Array(T),
  };
}

/** The scale that turns Σℓ_t into L: 1/N for `mean` (L = 0 without targets), 1 for `sum`. */
export function reduce(P: Problem, sum: number): number {
  if (P.model.reduction === 'sum') return sum;
  return P.N > 0 ? sum / P.N : 0;
}

/** L at parameters (w, v, b, u, c, h0), leaving s and h in P.s, P.h. */
export function lossOnly(P: Problem, w: number, v: number, b: number, u: number, c: number, h0: number): number {
  forward(P.phi, 0, P.last + 1, P.x, P.s, P.h, h0, w, v, b);
  return reduce(P, outputSum(P, 0, P.h, u, c));
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

const isKinkAct = (f: Act): boolean => f === Act.Relu || f === Act.LeakyRelu;
