/**
 * Several loss evaluations in one pass ("lanes"): the points of one finite-difference derivative.
 * A recurrence lane k has its own w, v, b (W[k], V[k], B[k]) and starts from its own s_i = S[k];
 * an output lane has its own u, c (U[k], C[k]) over the base states h.
 *
 * The recurrence is one long chain of dependent operations, so a single evaluation leaves the
 * CPU waiting on latency; eight independent chains in one loop overlap. Each tuned loop below has
 * beside it a plain one that reads like the equations (one lane at a time); the two agree to the
 * bit (test/unit/gradcheck-lanes.test.ts), since each lane does the same operations in the same order.
 *
 * Rejoining: when the lanes perturb only s_i (or h0) and keep the model's w, v, b, a lane whose
 * h_t equals the base chain's h_t to the bit computes the base chain from then on (the same
 * operations on the same operands). Once every lane has rejoined, at step t*, the later ℓ are the
 * same for every lane: constants of the perturbation like the ℓ before step i, so the sums stop at
 * t*. A contracting recursion (|w·φ'| < 1) forgets a perturbation of 10⁻⁶ within a few hundred
 * steps, so the h0 lanes and the per-step checks cost O(t* − i) instead of O(T − i).
 *
 * Kinks are checked in the same pass: a lane whose kink variable (s_t for a relu/leaky_relu φ,
 * z_t = u·h_t + c for such a θ, ŷ_t − y_t for abs, |ŷ_t − y_t| − δ for huber) is on another side
 * of its kink than the base evaluation's, or on it, straddles the kink.
 */
import { Act, act, relu, sigmoid, softplus, tanh } from '../core/activations';
import { HUBER_DELTA, Loss, loss } from '../core/losses';
import { reduce, type Problem } from './lossOnly';

/** Lanes per pass at most: the δ and 10·δ Richardson pairs of one derivative. */
export const MAX_LANES = 8;

/** The base evaluation (s_t, h_t at the model) that lanes compare their kink variables with, or null for a model without kinks. */
export type KinkBase = { s: Float64Array; h: Float64Array } | null;

/** Which side of a kink at 0 a value is on; NaN is its own side, so NaN never looks like a crossing. */
const side = (a: number): number => (a > 0 ? 1 : a < 0 ? -1 : a === 0 ? 0 : 2);

/** Whether s (φ's input) crosses φ's kink relative to the base's sB. */
const phiCrosses = (P: Problem, sB: number, s: number): boolean => P.phiKink && !(s * sB > 0) && side(s) !== side(sB);

/** Whether z = u·h + c (θ's input) crosses θ's or ℓ's kink at a target y, relative to the base's zB. */
function outputCrosses(P: Problem, zB: number, z: number, y: number): boolean {
  if (P.thetaKink && !(z * zB > 0) && side(z) !== side(zB)) return true;
  if (P.ell !== Loss.Abs && P.ell !== Loss.Huber) return false;
  const gap = P.ell === Loss.Huber ? HUBER_DELTA : 0;
  const dB = act(P.theta, zB) - y, d = act(P.theta, z) - y;
  return gap === 0 ? side(dB) !== side(d) : side(Math.abs(dB) - gap) !== side(Math.abs(d) - gap);
}

/**
 * The part of L that step i (0-based) can change, for n recurrence lanes, one lane at a time:
 *   s_i = S[k],  s_t = W[k]·h_{t-1} + V[k]·x_t + B[k] (t > i),  h_t = φ(s_t),  out[k] = reduce(Σ_{i≤t≤t*} ℓ_t)
 * with ℓ_t summed forward. The earlier ℓ are constants of the perturbation: leaving them out
 * changes no derivative and removes their rounding noise. So are the ℓ after t*, the step where
 * the last lane rejoins `rejoin` (the base chain's h, given when W, V, B are the model's), or the
 * last target without it. Returns whether a lane crossed a kink.
 */
export function suffixLossPlain(
  P: Problem, i: number, n: number, S: Float64Array, W: Float64Array, V: Float64Array, B: Float64Array, out: Float64Array, base: KinkBase,
  rejoin: Float64Array | null = null,
): boolean {
  const { x, y, hasY, phi, theta, ell } = P;
  const { u, c } = P.model;
  const stop = rejoin === null ? P.last : rejoinStep(P, i, n, S, rejoin);
  let kink = false;
  for (let k = 0; k < n; k++) {
    let h = 0, sum = 0;
    for (let t = i; t <= stop; t++) {
      const s = t === i ? S[k] : W[k] * h + V[k] * x[t] + B[k];
      h = act(phi, s);
      if (base !== null && !kink) kink = phiCrosses(P, base.s[t], s);
      if (hasY[t] !== 0) {
        const z = u * h + c;
        if (base !== null && !kink) kink = outputCrosses(P, u * base.h[t] + c, z, y[t]);
        sum += loss(ell, act(theta, z), y[t]);
      }
    }
    out[k] = reduce(P, sum);
  }
  return kink;
}

/** t*: the first step at which every lane's h_t (w, v, b the model's) equals the base chain's, or the last target. */
export function rejoinStep(P: Problem, i: number, n: number, S: Float64Array, baseH: Float64Array): number {
  const { w, v, b } = P.model;
  let stop = i;
  for (let k = 0; k < n; k++) {
    let t = i, h = act(P.phi, S[k]);
    while (t < P.last && h !== baseH[t]) {
      t++;
      h = act(P.phi, w * h + v * P.x[t] + b);
    }
    stop = Math.max(stop, t);
  }
  return Math.min(stop, P.last);
}

/** L over fixed states h for n output lanes, one lane at a time: Σ ℓ(θ(U[k]·h_t + C[k]), y_t) from the last target back. */
export function outputLossPlain(P: Problem, h: Float64Array, n: number, U: Float64Array, C: Float64Array, out: Float64Array, base: KinkBase): boolean {
  const { y, hasY, theta, ell } = P;
  const { u, c } = P.model;
  let kink = false;
  for (let k = 0; k < n; k++) {
    let sum = 0;
    for (let t = P.last; t >= 0; t--) {
      if (hasY[t] === 0) continue;
      const z = U[k] * h[t] + C[k];
      if (base !== null && !kink) kink = outputCrosses(P, u * h[t] + c, z, y[t]);
      sum += loss(ell, act(theta, z), y[t]);
    }
    out[k] = reduce(P, sum);
  }
  return kink;
}

// The lanes' state, carried from step to step: s_t, h_t, z_t = u·h_t + c, ℓ_t and Σℓ.
const sL = new Float64Array(MAX_LANES);
const hL = new Float64Array(MAX_LANES);
const zL = new Float64Array(MAX_LANES);
const sumL = new Float64Array(MAX_LANES);
/** Set by `block` when every lane's h_t equals the base chain's (see suffixLossPlain's t*). */
let rejoined = false;

/** suffixLossPlain with the lanes side by side: time outside, lanes inside (same result, bit for bit). */
export function suffixLoss(
  P: Problem, i: number, n: number, S: Float64Array, W: Float64Array, V: Float64Array, B: Float64Array, out: Float64Array, base: KinkBase,
  rejoin: Float64Array | null = null,
): boolean {
  let kink = false;
  sumL.fill(0);
  if (i <= P.last) {
    // Step i: the lanes' own s_i; then the rest in blocks (see BLOCK), until every lane has rejoined.
    for (let k = 0; k < n; k++) sL[k] = S[k];
    kink = stepRest(P, i, n, base, kink);
    rejoined = rejoin !== null && allOn(n, rejoin[i]);
    for (let t = i + 1; t <= P.last && !rejoined; t += BLOCK) kink = block(P, t, Math.min(t + BLOCK, P.last + 1), n, W, V, B, base, kink, rejoin);
  }
  for (let k = 0; k < n; k++) out[k] = reduce(P, sumL[k]);
  return kink;
}

/**
 * Steps tLo ≤ t < tHi of suffixLoss. In blocks of BLOCK steps, one call each, for the reason
 * runBptt's loops are (src/core/bptt.ts): a long first call is compiled on-stack and stays slow.
 */
const BLOCK = 256;

function block(
  P: Problem, tLo: number, tHi: number, n: number, W: Float64Array, V: Float64Array, B: Float64Array, base: KinkBase, kink: boolean,
  rejoin: Float64Array | null,
): boolean {
  const x = P.x;
  for (let t = tLo; t < tHi; t++) {
    const xt = x[t];
    // s_t and h_t of every lane; each common φ gets a loop of its own so that it inlines.
    // (sL is read only by the kink check of a relu/leaky_relu φ.)
    if (P.phi === Act.Tanh) for (let k = 0; k < n; k++) hL[k] = tanh(W[k] * hL[k] + V[k] * xt + B[k]);
    else if (P.phi === Act.Sigmoid) for (let k = 0; k < n; k++) hL[k] = sigmoid(W[k] * hL[k] + V[k] * xt + B[k]);
    else if (P.phi === Act.Softplus) for (let k = 0; k < n; k++) hL[k] = softplus(W[k] * hL[k] + V[k] * xt + B[k]);
    else if (P.phi === Act.Identity) for (let k = 0; k < n; k++) hL[k] = W[k] * hL[k] + V[k] * xt + B[k];
    else if (P.phi === Act.Relu) for (let k = 0; k < n; k++) hL[k] = relu((sL[k] = W[k] * hL[k] + V[k] * xt + B[k]));
    else for (let k = 0; k < n; k++) hL[k] = act(P.phi, (sL[k] = W[k] * hL[k] + V[k] * xt + B[k]));
    if (base !== null && P.phiKink && !kink) kink = phiCrossesLanes(P, t, n, base);
    if (P.hasY[t] !== 0) kink = outputStep(P, t, n, base, kink);
    if (rejoin !== null && allOn(n, rejoin[t])) {
      rejoined = true;
      break;
    }
  }
  return kink;
}

/** Whether every lane's h_t is the base chain's h_t, to the bit. */
function allOn(n: number, hBase: number): boolean {
  for (let k = 0; k < n; k++) if (hL[k] !== hBase) return false;
  return true;
}

function phiCrossesLanes(P: Problem, t: number, n: number, base: NonNullable<KinkBase>): boolean {
  for (let k = 0; k < n; k++) if (phiCrosses(P, base.s[t], sL[k])) return true;
  return false;
}

/** Step t after s_t is in sL: h_t = φ(s_t), the kink check, and ℓ_t at a target. */
function stepRest(P: Problem, t: number, n: number, base: KinkBase, kink: boolean): boolean {
  for (let k = 0; k < n; k++) hL[k] = act(P.phi, sL[k]);
  if (base !== null && !kink) kink = phiCrossesLanes(P, t, n, base);
  return P.hasY[t] === 0 ? kink : outputStep(P, t, n, base, kink);
}

/** ℓ_t of the lanes at a target step t, and the output kink check. */
function outputStep(P: Problem, t: number, n: number, base: KinkBase, kink: boolean): boolean {
  const { u, c } = P.model;
  const yt = P.y[t];
  for (let k = 0; k < n; k++) zL[k] = u * hL[k] + c;
  if (base !== null && !kink) for (let k = 0; k < n && !kink; k++) kink = outputCrosses(P, u * base.h[t] + c, zL[k], yt);
  lossLanes(P, n, yt);
  return kink;
}

/** sumL += ℓ(θ(zL), y), with θ = identity and ℓ = squared (the common case) written out. */
function lossLanes(P: Problem, n: number, y: number): void {
  if (P.theta === Act.Identity && P.ell === Loss.Squared) {
    for (let k = 0; k < n; k++) {
      const d = zL[k] - y;
      sumL[k] += 0.5 * d * d;
    }
  } else {
    for (let k = 0; k < n; k++) sumL[k] += loss(P.ell, act(P.theta, zL[k]), y);
  }
}

/** outputLossPlain with the lanes side by side, over the targets gathered once (P.targets, last first). */
export function outputLoss(P: Problem, h: Float64Array, n: number, U: Float64Array, C: Float64Array, out: Float64Array, base: KinkBase): boolean {
  const { y, targets } = P;
  const { u, c } = P.model;
  let kink = false;
  sumL.fill(0);
  for (let j = 0; j < targets.length; j++) {
    const t = targets[j];
    const ht = h[t], yt = y[t];
    for (let k = 0; k < n; k++) zL[k] = U[k] * ht + C[k];
    if (base !== null && !kink) for (let k = 0; k < n && !kink; k++) kink = outputCrosses(P, u * ht + c, zL[k], yt);
    lossLanes(P, n, yt);
  }
  for (let k = 0; k < n; k++) out[k] = reduce(P, sumL[k]);
  return kink;
}
