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
 * - ∂L/∂W, ∂L/∂V and ∂L/∂b are summed once per block of steps, after the block's ∂L/∂s: a GEMM
 *   whose sum over t still runs from the last step down for every element (so a tile of the
 *   gradient can stay in registers over the block), and V·x_t is computed for a block at once.
 * - The products on W and V (W·h, Wᵀ·g, V·x, ∂L/∂W, ∂L/∂V) go through a `VectorOps` backend:
 *   plain JS (kernelOps.ts), or WebAssembly SIMD (kernelWasm.ts), where h, ∂L/∂s, W, V and their
 *   gradients live in the module's memory and x is staged there one block of steps at a time.
 *   U·h_t is computed for a block at once too (gemvTMany on Uᵀ); θ and ℓ of the head stay in JS.
 * - With φ = tanh, a backend that has tanh (the wasm one: wasm/tanh.ts, the same bits as
 *   src/core/tanh.ts) runs a block of the forward recurrence in one call (forwardTanh), and each
 *   backward step's ∂L/∂U, Uᵀ·∂L/∂z_t, Wᵀ·∂L/∂s_{t+1} and ⊙φ' in one call (backwardTanh).
 */
import { Act, act, actCode, dact } from '../activations';
import { Loss, dloss, loss, lossCode } from '../losses';
import { countTargets, lastTargetStep } from '../trace';
import { gemvT, jsOps, rank1, transpose, type VectorOps } from './kernelOps';
import { wasmBackend } from './kernelWasm';
import { vectorNonFinite } from './step';
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
  /** An array of `len` doubles, zeroed unless `written` (the pass writes each element before it reads it). */
  alloc(len: number, written?: boolean): Float64Array;
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
 * Doubles in a pass's arena: W, Wᵀ and ∂L/∂W; Vᵀ and ∂L/∂V; U, Uᵀ, ∂L/∂U and ∂L/∂z_t; b, h_0, ∂L/∂h_0, ∂L/∂b
 * and three n-vectors of scratch; h and ∂L/∂s (T×n); x staged one block of steps at a time (so x is never copied whole),
 * V·x_t, s_t and U·h_t for the block's steps; the constant 1 (padded to 16 bytes).
 */
const arenaDoubles = (n: number, m: number, k: number, T: number): number =>
  3 * n * n + 2 * n * m + 7 * n + 2 * T * n + BLOCK * (m + 2 * n + k) + 3 * k * n + k + 2;

/** From this n up, runVectorBptt uses the SIMD backend (measured: BENCHMARKS.md). */
export const WASM_MIN_N = 4;

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
  /** x_t, V·x_t, s_t and U·h_t of the steps of the current block, where the ops can read them; a 1 for ∂L/∂b = Σ ∂L/∂s_t·1. */
  xs: Float64Array; Vx: Float64Array; sBlock: Float64Array; Uh: Float64Array; one: Float64Array;
  W: Float64Array; WT: Float64Array; VT: Float64Array; b: Float64Array; U: Float64Array; UT: Float64Array; c: Float64Array; h0: Float64Array;
  s: Float64Array; h: Float64Array; dL_ds: Float64Array;
  dW: Float64Array; dV: Float64Array; db: Float64Array; dU: Float64Array; dc: Float64Array;
  /** Scratch: W·h_{t-1}, Wᵀ·∂L/∂s_{t+1}, Uᵀ·∂L/∂z_t (n each); z_t, ŷ_t, softmax, ∂L/∂z_t (k each). */
  Wh: Float64Array; rec: Float64Array; local: Float64Array;
  z: Float64Array; yhat: Float64Array; p: Float64Array; dL_dz: Float64Array;
  ops: VectorOps;
}


/** The pass on a given backend. */
export function vectorPass(model: VectorModel, data: VectorSequenceData, backend: VectorBackend): VectorTrace {
  const { n, m, k } = model;
  const { T, hasY } = data;
  const arena = backend(arenaDoubles(n, m, k, T));
  const W = arena.alloc(n * n), WT = arena.alloc(n * n), h0 = arena.alloc(n);
  W.set(model.W);
  WT.set(transpose(model.W, n, n));
  h0.set(model.h0);
  // Not zeroed: forward() writes every h_t, backward() every ∂L/∂s_t up to the last target, and the rest is 0 below.
  const h = arena.alloc(T * n, true), dL_ds = arena.alloc(T * n, true);
  const dW = arena.alloc(n * n), dh0 = arena.alloc(n);
  const VT = arena.alloc(n * m), dV = arena.alloc(n * m), db = arena.alloc(n), one = arena.alloc(1);
  const b = arena.alloc(n), U = arena.alloc(k * n), dU = arena.alloc(k * n), dL_dz = arena.alloc(k);
  one[0] = 1;
  b.set(model.b);
  U.set(model.U);
  const UT = arena.alloc(k * n);
  UT.set(transpose(model.U, k, n));
  VT.set(transpose(model.V, n, m));
  const nTargets = countTargets(hasY);
  const crossEntropy = model.loss === 'cross_entropy';
  const p: Pass = {
    n, m, k, yw: targetWidth(model.loss, k),
    phi: actCode(model.phi), theta: actCode(model.theta), crossEntropy,
    ell: crossEntropy ? Loss.Squared : lossCode(model.loss as Exclude<typeof model.loss, 'cross_entropy'>),
    scale: vectorReductionScale(model, nTargets), lastT: lastTargetStep(hasY) ?? 0,
    x: data.x, xs: arena.alloc(BLOCK * m), Vx: arena.alloc(BLOCK * n), sBlock: arena.alloc(BLOCK * n), Uh: arena.alloc(BLOCK * k), one, y: data.y, hasY,
    W, WT, VT, b, U, UT, c: model.c, h0,
    s: new Float64Array(T * n), h, dL_ds,
    dW, dV, db, dU, dc: new Float64Array(k),
    Wh: arena.alloc(n), rec: arena.alloc(n), local: arena.alloc(n),
    z: new Float64Array(k), yhat: new Float64Array(k), p: new Float64Array(k), dL_dz,
    ops: arena.ops,
  };
  dL_ds.fill(0, p.lastT * n);
  for (let i = 0; i < T; i += BLOCK) forward(p, i, Math.min(i + BLOCK, T));
  // Steps after the last target never reach L; as in autodiff the backward pass does not visit them.
  let L = 0;
  for (let i = p.lastT - 1; i >= 0; i -= BLOCK) L = backward(p, L, i, Math.max(i - BLOCK + 1, 0));
  // h0 enters only s_1 = W·h0 + …, so ∂L/∂h0 = Wᵀ·∂L/∂s_1.
  if (T > 0) p.ops.gemvT(W, dL_ds, 0, n, n, dh0);

  const trace: VectorTrace = {
    model,
    T,
    x: data.x,
    y: data.y,
    hasY,
    s: p.s,
    h: arena.own(h),
    dL_ds: arena.own(dL_ds),
    loss: vectorReduceLoss(model, L, nTargets),
    grads: { W: arena.own(dW), V: arena.own(dV), b: arena.own(db), U: arena.own(dU), c: p.dc, h0: arena.own(dh0) },
    nTargets,
    lastTargetT: p.lastT > 0 ? p.lastT : null,
    firstNonFinite: null,
  };
  // As the reference: only when s, h, ŷ, ∂L/∂s or L has a NaN or ±∞ is every per-step value searched.
  if (!allFinite(n, T, trace.s, trace.h, trace.dL_ds) || !Number.isFinite(trace.loss) || !headFinite(model, trace.h, T)) {
    trace.firstNonFinite = vectorNonFinite(trace).firstNonFinite;
  }
  return trace;
}

/** Forward, steps iLo ≤ i < iHi:  s_t = W·h_{t-1} + V·x_t + b,  h_t = φ(s_t) */
function forward(p: Pass, iLo: number, iHi: number): void {
  const { n, m, phi, x, xs, WT, VT, b, h0, s, h, Wh, Vx, sBlock, ops } = p;
  // V·x_t for the whole block first: it does not depend on h.
  xs.set(x.subarray(iLo * m, iHi * m));
  ops.gemvTMany(VT, xs, 0, m, m, n, Vx, 0, n, iHi - iLo);
  // The whole block in one call where the backend has φ (the same operations in the same order).
  if (phi === Act.Tanh && ops.forwardTanh !== undefined) {
    ops.forwardTanh(WT, iLo > 0 ? h : h0, iLo > 0 ? (iLo - 1) * n : 0, h, iLo * n, sBlock, Vx, b, Wh, n, iHi - iLo);
    s.set(sBlock.subarray(0, (iHi - iLo) * n), iLo * n);
    return;
  }
  for (let i = iLo; i < iHi; i++) {
    ops.gemvT(WT, i > 0 ? h : h0, i > 0 ? (i - 1) * n : 0, n, n, Wh);
    const o = (i - iLo) * n;
    for (let r = 0; r < n; r++) {
      const st = Wh[r] + Vx[o + r] + b[r];
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
  const { dW, dV, db, dU, dc, rec, local, z, yhat, p: softmax, dL_dz, Uh, UT, one, ops } = p;
  xs.set(x.subarray(iLo * m, (iHi + 1) * m));
  const fused = phi === Act.Tanh && ops.backwardTanh !== undefined;
  // U·h_t for the whole block first (its steps' h are known): Uᵀ keeps each sum in the order j = 0, 1, …
  ops.gemvTMany(UT, h, iLo * n, n, n, k, Uh, 0, k, iHi - iLo + 1);
  for (let i = iHi; i >= iLo; i--) {
    const t = i + 1;
    const target = hasY[i] !== 0;
    if (target) {
      // z_t = U·h_t + c and ŷ_t = θ(z_t), again; then ∂L/∂z_t = scale·∂ℓ/∂ŷ_t ⊙ θ'(z_t), and ℓ_t into L.
      for (let q = 0; q < k; q++) {
        z[q] = Uh[(i - iLo) * k + q] + c[q];
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
      for (let q = 0; q < k; q++) dc[q] += dL_dz[q];
      if (!fused) {
        rank1(dU, dL_dz, 0, h, i * n, k, n);
        // The local part Uᵀ·∂L/∂z_t.
        gemvT(U, dL_dz, 0, k, n, local);
      }
    }
    if (fused) {
      // ∂L/∂U, the local and recurrent parts and ∂L/∂s_t in one call, in the order of the lines below.
      ops.backwardTanh!(W, U, dL_dz, k, h, dL_ds, i * n, n, local, rec, target, t < lastT, dU);
      continue;
    }
    // The recurrent part Wᵀ·∂L/∂s_{t+1} (none at the last target).
    if (t < lastT) ops.gemvT(W, dL_ds, (i + 1) * n, n, n, rec);
    // ∂L/∂s_t = (local + recurrent) ⊙ φ'(s_t), with the reference's +0 for a missing part.
    for (let r = 0; r < n; r++) {
      const dL_dh = (target ? local[r] : 0) + (t < lastT ? rec[r] : 0);
      dL_ds[i * n + r] = dL_dh * dact(phi, s[i * n + r], h[i * n + r]);
    }
  }
  // Then, for the whole block, t descending as in the reference (the ops keep each element's order):
  // ∂L/∂W += Σ ∂L/∂s_t·h_{t-1}ᵀ (h_0 is apart, at t = 1, last),  ∂L/∂V += Σ ∂L/∂s_t·x_tᵀ,  ∂L/∂b += Σ ∂L/∂s_t·1
  const i1 = Math.max(iLo, 1);
  if (iHi >= i1) ops.gemm(dW, dL_ds, iHi * n, -n, h, (iHi - 1) * n, -n, iHi - i1 + 1, n, n);
  if (iLo === 0) ops.gemm(dW, dL_ds, 0, 0, h0, 0, 0, 1, n, n);
  ops.gemm(dV, dL_ds, iHi * n, -n, xs, (iHi - iLo) * m, -m, iHi - iLo + 1, n, m);
  ops.gemm(db, dL_ds, iHi * n, -n, one, 0, 0, iHi - iLo + 1, n, 1);
  return L;
}

/** Whether s, h and ∂L/∂s are all finite: v·0 is 0 exactly when v is finite. */
function allFinite(n: number, T: number, s: Float64Array, h: Float64Array, dL_ds: Float64Array): boolean {
  let bad = 0;
  for (let r = 0; r < T * n; r++) bad += s[r] * 0 + h[r] * 0 + dL_ds[r] * 0;
  return bad === 0;
}

/**
 * Whether every ŷ_t = θ(U·h_t + c) is finite, given finite h. The kernel keeps no ŷ, so this
 * bounds |z_t| by (Σ|c| + Σ|U|)·max|h|; only when that bound could overflow are the z_t computed,
 * in the reference's order. θ of a finite z is finite for every activation.
 */
function headFinite(model: VectorModel, h: Float64Array, T: number): boolean {
  const { n, k, U, c } = model;
  let sumAbs = 0;
  for (let q = 0; q < k; q++) sumAbs += Math.abs(c[q]);
  for (let e = 0; e < k * n; e++) sumAbs += Math.abs(U[e]);
  let maxH = 0;
  for (let e = 0; e < T * n; e++) maxH = Math.max(maxH, Math.abs(h[e]));
  if (Number.isFinite(sumAbs) && sumAbs * Math.max(maxH, 1) < 1e300) return true;
  for (let i = 0; i < T; i++) {
    for (let q = 0; q < k; q++) {
      let Uh = U[q * n] * h[i * n];
      for (let j = 1; j < n; j++) Uh += U[q * n + j] * h[i * n + j];
      if (!Number.isFinite(Uh + c[q])) return false;
    }
  }
  return true;
}

/** The kernel's VectorPass on WebAssembly SIMD, or in plain JS where the engine has no SIMD. */
export function runVectorBpttWasm(model: VectorModel, data: VectorSequenceData): VectorTrace {
  return vectorPass(model, data, wasmBackend(arenaDoubles(model.n, model.m, model.k, data.T)) ?? jsBackend);
}

/** The kernel's VectorPass: the faster backend for n (BENCHMARKS.md, "Vector RNN"). */
export function runVectorBptt(model: VectorModel, data: VectorSequenceData): VectorTrace {
  return model.n >= WASM_MIN_N ? runVectorBpttWasm(model, data) : runVectorBpttJs(model, data);
}
