/**
 * The tuned vector kernel: the same pass as reference.ts, each output element summed in the
 * reference's order (so the same bits; test/unit/vector-kernel.test.ts checks every element).
 *
 * Forward, t = 1..T:
 *   s_t = W·h_{t-1} + V·x_t + b      h_t = φ(s_t)
 * Backward, t = lastT..1 (∂L/∂s_{T+1} = 0), with z_t = U·h_t + c and ŷ_t = θ(z_t) recomputed:
 *   ∂L/∂h_t = Uᵀ·∂L/∂z_t + Wᵀ·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)
 *   ∂L/∂W += ∂L/∂s_t·h_{t-1}ᵀ   ∂L/∂V += ∂L/∂s_t·x_tᵀ   ∂L/∂b += ∂L/∂s_t   ∂L/∂U += ∂L/∂z_t·h_tᵀ   ∂L/∂c += ∂L/∂z_t
 *
 * How it differs from the reference, and why:
 * - Only s, h and ∂L/∂s are kept per step (24·n bytes); ŷ_t is recomputed at the steps with a
 *   target, where it is needed, instead of a T×k array.
 * - The products run across outputs (kernelOps.ts): W·h_{t-1} with a transposed copy Wᵀ so the
 *   outputs are contiguous, Wᵀ·∂L/∂s_{t+1} with W itself, four outputs per pass over j.
 * - The products on W and V (W·h, Wᵀ·g, V·x, ∂L/∂W, ∂L/∂V) go through a `VectorOps` backend:
 *   plain JS (kernelOps.ts), or WebAssembly SIMD (kernelWasm.ts), where h, ∂L/∂s, W, V and their
 *   gradients live in the module's memory and x is staged there one block of steps at a time.
 *   The O(n·k) parts on U stay in JS: k is small (1 in the benchmark).
 */
import { Act, act, actCode, dact } from '../activations';
import { Loss, dloss, loss, lossCode } from '../losses';
import { countTargets, lastTargetStep } from '../trace';
import { gemvT, jsOps, rank1, transpose, type VectorOps } from './kernelOps';
import { wasmBackend } from './kernelWasm';
import {
  targetWidth,
  vectorReduceLoss,
  vectorReductionScale,
  type VectorModel,
  type VectorSequenceData,
  type VectorTrace,
} from './model';

/** Where a pass keeps h, ∂L/∂s, W and ∂L/∂W, and the ops that work on them. */
export interface VectorArena {
  /** A zeroed array of `len` doubles. */
  alloc(len: number): Float64Array;
  /** `a` as an array the trace may keep: itself, or a copy out of memory the arena reuses or cannot transfer. */
  own(a: Float64Array): Float64Array;
  ops: VectorOps;
}

/** A backend: an arena for a pass that needs `doubles` doubles in all. */
export type VectorBackend = (doubles: number) => VectorArena;

/**
 * Steps per call of forward()/backward(). A loop that runs long in a function's first call is
 * compiled on-stack with boxed values and can keep deoptimizing (see src/core/kernel.ts); short
 * calls get whole-function code. Measured: the first pass at n = 32 was 3–7× slower than the next.
 */
const BLOCK = 64;

/**
 * Doubles in a pass's arena: W, Wᵀ and ∂L/∂W; Vᵀ and ∂L/∂V; h_0, ∂L/∂h_0 and two n-vectors of
 * scratch; h and ∂L/∂s (T×n); and x staged one block of steps at a time (so x is never copied whole).
 */
const arenaDoubles = (n: number, m: number, T: number): number => 3 * n * n + 2 * n * m + 4 * n + 2 * T * n + BLOCK * m;

/** From this n up, runVectorBptt uses the SIMD backend (measured: BENCHMARKS.md). */
export const WASM_MIN_N = 16;

/** Plain JS: each array its own Float64Array. */
export const jsBackend: VectorBackend = () => ({ alloc: (len) => new Float64Array(len), own: (a) => a, ops: jsOps });

/** The kernel's VectorPass, in plain JS. */
export function runVectorBpttJs(model: VectorModel, data: VectorSequenceData): VectorTrace {
  return vectorPass(model, data, jsBackend);
}

/** One pass: its arrays and parameters, made by one literal so it has one shape. */
interface Pass {
  n: number; m: number; k: number; yw: number;
  phi: Act; theta: Act; ell: Loss; crossEntropy: boolean;
  /** The factor on each ∂ℓ/∂ŷ, and the last step with a target (1-based; 0 when none). */
  scale: number; lastT: number;
  x: Float64Array; y: Float64Array; hasY: Uint8Array;
  /** x_t of the steps of the current block, where the ops can read them. */
  xs: Float64Array;
  W: Float64Array; WT: Float64Array; VT: Float64Array; b: Float64Array; U: Float64Array; c: Float64Array; h0: Float64Array;
  s: Float64Array; h: Float64Array; dL_ds: Float64Array;
  dW: Float64Array; dV: Float64Array; db: Float64Array; dU: Float64Array; dc: Float64Array;
  /** Scratch: W·h_{t-1}, V·x_t, Wᵀ·∂L/∂s_{t+1}, Uᵀ·∂L/∂z_t (n each); z_t, ŷ_t, softmax, ∂L/∂z_t (k each). */
  Wh: Float64Array; Vx: Float64Array; rec: Float64Array; local: Float64Array;
  z: Float64Array; yhat: Float64Array; p: Float64Array; dL_dz: Float64Array;
  ops: VectorOps;
}


/** The pass on a given backend. */
export function vectorPass(model: VectorModel, data: VectorSequenceData, backend: VectorBackend): VectorTrace {
  const { n, m, k } = model;
  const { T, hasY } = data;
  const arena = backend(arenaDoubles(n, m, T));
  const W = arena.alloc(n * n), WT = arena.alloc(n * n), h0 = arena.alloc(n);
  W.set(model.W);
  WT.set(transpose(model.W, n, n));
  h0.set(model.h0);
  const h = arena.alloc(T * n), dL_ds = arena.alloc(T * n);
  const dW = arena.alloc(n * n), dh0 = arena.alloc(n);
  const VT = arena.alloc(n * m), dV = arena.alloc(n * m);
  VT.set(transpose(model.V, n, m));
  const nTargets = countTargets(hasY);
  const crossEntropy = model.loss === 'cross_entropy';
  const p: Pass = {
    n, m, k, yw: targetWidth(model.loss, k),
    phi: actCode(model.phi), theta: actCode(model.theta), crossEntropy,
    ell: crossEntropy ? Loss.Squared : lossCode(model.loss as Exclude<typeof model.loss, 'cross_entropy'>),
    scale: vectorReductionScale(model, nTargets), lastT: lastTargetStep(hasY) ?? 0,
    x: data.x, xs: arena.alloc(BLOCK * m), y: data.y, hasY,
    W, WT, VT, b: model.b, U: model.U, c: model.c, h0,
    s: new Float64Array(T * n), h, dL_ds,
    dW, dV, db: new Float64Array(n), dU: new Float64Array(k * n), dc: new Float64Array(k),
    Wh: arena.alloc(n), Vx: arena.alloc(n), rec: arena.alloc(n), local: new Float64Array(n),
    z: new Float64Array(k), yhat: new Float64Array(k), p: new Float64Array(k), dL_dz: new Float64Array(k),
    ops: arena.ops,
  };
  for (let i = 0; i < T; i += BLOCK) forward(p, i, Math.min(i + BLOCK, T));
  // Steps after the last target never reach L; as in autodiff the backward pass does not visit them.
  let L = 0;
  for (let i = p.lastT - 1; i >= 0; i -= BLOCK) L = backward(p, L, i, Math.max(i - BLOCK + 1, 0));
  // h0 enters only s_1 = W·h0 + …, so ∂L/∂h0 = Wᵀ·∂L/∂s_1.
  if (T > 0) p.ops.gemvT(W, dL_ds, 0, n, n, dh0);

  return {
    model,
    T,
    x: data.x,
    y: data.y,
    hasY,
    s: p.s,
    h: arena.own(h),
    dL_ds: arena.own(dL_ds),
    loss: vectorReduceLoss(model, L, nTargets),
    grads: { W: arena.own(dW), V: arena.own(dV), b: p.db, U: p.dU, c: p.dc, h0: arena.own(dh0) },
    nTargets,
    lastTargetT: p.lastT > 0 ? p.lastT : null,
    firstNonFinite: firstNonFiniteStep(n, T, p.s, h, dL_ds),
  };
}

/** Forward, steps iLo ≤ i < iHi:  s_t = W·h_{t-1} + V·x_t + b,  h_t = φ(s_t) */
function forward(p: Pass, iLo: number, iHi: number): void {
  const { n, m, phi, x, xs, WT, VT, b, h0, s, h, Wh, Vx, ops } = p;
  xs.set(x.subarray(iLo * m, iHi * m));
  for (let i = iLo; i < iHi; i++) {
    ops.gemvT(WT, i > 0 ? h : h0, i > 0 ? (i - 1) * n : 0, n, n, Wh);
    ops.gemvT(VT, xs, (i - iLo) * m, m, n, Vx);
    for (let r = 0; r < n; r++) {
      const st = Wh[r] + Vx[r] + b[r];
      s[i * n + r] = st;
      h[i * n + r] = act(phi, st);
    }
  }
}

/**
 * Backward, steps iHi down to iLo: returns L so far, summed from the last step down as the
 * reference does. (Returned, not stored in p: a store after a loop that was compiled on-stack
 * has no type feedback yet, and V8 deoptimized on it at every call.)
 */
function backward(p: Pass, L: number, iHi: number, iLo: number): number {
  const { n, m, k, yw, phi, theta, ell, crossEntropy, scale, lastT, x, xs, y, hasY, W, U, c, h0, s, h, dL_ds } = p;
  const { dW, dV, db, dU, dc, rec, local, z, yhat, p: softmax, dL_dz, ops } = p;
  xs.set(x.subarray(iLo * m, (iHi + 1) * m));
  for (let i = iHi; i >= iLo; i--) {
    const t = i + 1;
    const target = hasY[i] !== 0;
    if (target) {
      // z_t = U·h_t + c and ŷ_t = θ(z_t), again; then ∂L/∂z_t = scale·∂ℓ/∂ŷ_t ⊙ θ'(z_t), and ℓ_t into L.
      for (let q = 0; q < k; q++) {
        let Uh = U[q * n] * h[i * n];
        for (let j = 1; j < n; j++) Uh += U[q * n + j] * h[i * n + j];
        z[q] = Uh + c[q];
        yhat[q] = act(theta, z[q]);
      }
      if (crossEntropy) {
        const cls = y[i * yw];
        let max = -Infinity;
        for (let q = 0; q < k; q++) if (yhat[q] > max) max = yhat[q];
        let sumExp = 0;
        for (let q = 0; q < k; q++) sumExp += (softmax[q] = Math.exp(yhat[q] - max));
        for (let q = 0; q < k; q++) softmax[q] /= sumExp;
        // An invalid class (not an index in 0..k-1) is NaN: it must not look like a valid loss.
        const valid = Number.isInteger(cls) && cls >= 0 && cls < k;
        L += valid ? max + Math.log(sumExp) - yhat[cls] : NaN;
        for (let q = 0; q < k; q++) {
          const dL_dyhat = scale * (valid ? softmax[q] - (q === cls ? 1 : 0) : NaN);
          dL_dz[q] = dL_dyhat * dact(theta, z[q], yhat[q]);
        }
      } else {
        for (let q = 0; q < k; q++) {
          const dL_dyhat = scale * dloss(ell, yhat[q], y[i * yw + q]);
          dL_dz[q] = dL_dyhat * dact(theta, z[q], yhat[q]);
          L += loss(ell, yhat[q], y[i * yw + q]);
        }
      }
      rank1(dU, dL_dz, 0, h, i * n, k, n);
      for (let q = 0; q < k; q++) dc[q] += dL_dz[q];
      // The local part Uᵀ·∂L/∂z_t.
      gemvT(U, dL_dz, 0, k, n, local);
    }
    // The recurrent part Wᵀ·∂L/∂s_{t+1} (none at the last target).
    if (t < lastT) ops.gemvT(W, dL_ds, (i + 1) * n, n, n, rec);
    // ∂L/∂s_t = (local + recurrent) ⊙ φ'(s_t), with the reference's +0 for a missing part.
    for (let r = 0; r < n; r++) {
      const dL_dh = (target ? local[r] : 0) + (t < lastT ? rec[r] : 0);
      dL_ds[i * n + r] = dL_dh * dact(phi, s[i * n + r], h[i * n + r]);
    }
    // ∂L/∂W += ∂L/∂s_t·h_{t-1}ᵀ,  ∂L/∂V += ∂L/∂s_t·x_tᵀ,  ∂L/∂b += ∂L/∂s_t
    ops.rank1(dW, dL_ds, i * n, i > 0 ? h : h0, i > 0 ? (i - 1) * n : 0, n, n);
    ops.rank1(dV, dL_ds, i * n, xs, (i - iLo) * m, n, m);
    for (let r = 0; r < n; r++) db[r] += dL_ds[i * n + r];
  }
  return L;
}

/** Smallest 1-based t at which s, h or ∂L/∂s has a NaN or ±∞: v·0 is 0 exactly when v is finite. */
function firstNonFiniteStep(n: number, T: number, s: Float64Array, h: Float64Array, dL_ds: Float64Array): number | null {
  for (let i = 0; i < T; i++) {
    let bad = 0;
    for (let r = i * n; r < (i + 1) * n; r++) bad += s[r] * 0 + h[r] * 0 + dL_ds[r] * 0;
    if (bad !== 0) return i + 1;
  }
  return null;
}

/** The kernel's VectorPass on WebAssembly SIMD, or in plain JS where the engine has no SIMD. */
export function runVectorBpttWasm(model: VectorModel, data: VectorSequenceData): VectorTrace {
  return vectorPass(model, data, wasmBackend(arenaDoubles(model.n, model.m, data.T)) ?? jsBackend);
}

/** The kernel's VectorPass: the faster backend for n (BENCHMARKS.md, "Vector RNN"). */
export function runVectorBptt(model: VectorModel, data: VectorSequenceData): VectorTrace {
  return model.n >= WASM_MIN_N ? runVectorBpttWasm(model, data) : runVectorBpttJs(model, data);
}
