/**
 * The vector kernel's WebAssembly SIMD backend (wasm/simd.ts): W, Wᵀ, Vᵀ, h, ∂L/∂s, ∂L/∂W, ∂L/∂V
 * and a block of x live in one WebAssembly.Memory, so the ops read them where they are.
 * The module is compiled once from the bytes in the bundle, and instantiated once on a memory that
 * passes up to 16 MiB share (larger ones get their own). h, ∂L/∂s and the gradients are copied out
 * at the end: a trace must not hold views on a wasm memory, which the next pass overwrites and
 * whose buffer cannot be transferred to or from a worker.
 */
import type { VectorArena, VectorBackend } from './kernel';
import { SIMD_WASM } from './wasm/simd';

interface SimdExports {
  gemvT(A: number, x: number, len: number, rows: number, out: number): void;
  gemm(A: number, G: number, gStep: number, V: number, vStep: number, steps: number, rows4: number, cols4: number, ld: number): void;
  gemmEdge(A: number, G: number, gStep: number, V: number, vStep: number, steps: number, r0: number, r1: number, j0: number, j1: number, ld: number): void;
  gemvTMany(A: number, x: number, xStep: number, len: number, rows: number, out: number, outStep: number, count: number): void;
  forwardTanh(WT: number, hPrev: number, h: number, s: number, Vx: number, b: number, Wh: number, n: number, count: number): void;
  backwardTanh(W: number, U: number, dz: number, k: number, gNext: number, h: number, g: number, n: number, local: number, rec: number, hasLocal: number, hasRec: number, dU: number): void;
}

/** The part of the WebAssembly API used here (its types are in lib.dom, which src/core does not load). */
interface WasmModule { readonly wasmModule: true }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Passes larger than this use the plain JS backend (wasm32 memories stop at 4 GiB; stay well inside). */
const MAX_BYTES = 2 ** 31;

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where the engine has no WebAssembly SIMD. */
export function simdModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = wasm !== undefined && wasm.validate(SIMD_WASM) ? new wasm.Module(SIMD_WASM) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The SIMD backend, or null where it cannot run this pass (no SIMD, or too large for a wasm memory). */
export function wasmBackend(doubles: number): VectorBackend | null {
  const module = simdModule();
  // Each array starts on a 16-byte boundary: at most 8 bytes of padding for each of the kernel's ~25 arrays.
  const bytes = doubles * 8 + 512;
  if (module === null || bytes > MAX_BYTES) return null;
  return () => wasmArena(module, bytes);
}

/**
 * Passes up to this size share one memory and instance, grown as needed (alloc zeroes what a pass needs zeroed):
 * a fresh memory per pass cost its mapping, page faults and instantiation, ~1 ms (0.3 µs/step at
 * n = 32, T = 3 188). Larger passes get their own, released with the pass.
 */
const REUSE_BYTES = 2 ** 24;
let shared: { mem: WasmMemory; exports: SimdExports } | null = null;

function instance(module: WasmModule, bytes: number): { mem: WasmMemory; exports: SimdExports } {
  const api = wasm!; // there is a module, so there is the API
  const pages = Math.ceil(bytes / PAGE);
  const fresh = (): { mem: WasmMemory; exports: SimdExports } => {
    const mem = new api.Memory({ initial: pages });
    return { mem, exports: new api.Instance(module, { env: { mem } }).exports as SimdExports };
  };
  if (bytes > REUSE_BYTES) return fresh();
  if (shared === null) shared = fresh();
  const have = shared.mem.buffer.byteLength / PAGE;
  if (have < pages) shared.mem.grow(pages - have);
  return shared;
}

function wasmArena(module: WasmModule, bytes: number): VectorArena {
  const { mem, exports } = instance(module, bytes);
  const { gemvT, gemm, gemmEdge, gemvTMany, forwardTanh, backwardTanh } = exports;
  let top = 0;
  return {
    alloc(len, written = false) {
      // The memory may hold a previous pass's values: zeroed here, array by array, unless the pass overwrites them all.
      const a = new Float64Array(mem.buffer, top, len);
      if (!written) a.fill(0);
      top += (len * 8 + 15) & ~15;
      return a;
    },
    own: (a) => a.slice(),
    ops: {
      gemvT: (A, x, x0, len, rows, out) => gemvT(A.byteOffset, x.byteOffset + 8 * x0, len, rows, out.byteOffset),
      gemm(A, G, g0, gStep, V, v0, vStep, steps, rows, cols) {
        // The 4×4 tiles, then the rows and columns past them: each element's sum is in one call.
        const a = A.byteOffset, g = G.byteOffset + 8 * g0, v = V.byteOffset + 8 * v0, rows4 = rows & ~3, cols4 = cols & ~3;
        gemm(a, g, 8 * gStep, v, 8 * vStep, steps, rows4, cols4, 8 * cols);
        if (rows4 < rows) gemmEdge(a, g, 8 * gStep, v, 8 * vStep, steps, rows4, rows, 0, cols, 8 * cols);
        if (cols4 < cols) gemmEdge(a, g, 8 * gStep, v, 8 * vStep, steps, 0, rows4, cols4, cols, 8 * cols);
      },
      gemvTMany: (A, x, x0, xStep, len, rows, out, out0, outStep, count) =>
        gemvTMany(A.byteOffset, x.byteOffset + 8 * x0, 8 * xStep, len, rows, out.byteOffset + 8 * out0, 8 * outStep, count),
      forwardTanh: (WT, prev, p0, h, h0, s, Vx, b, Wh, n, count) =>
        forwardTanh(WT.byteOffset, prev.byteOffset + 8 * p0, h.byteOffset + 8 * h0, s.byteOffset, Vx.byteOffset, b.byteOffset, Wh.byteOffset, n, count),
      backwardTanh(W, U, dz, k, h, g, i0, n, local, rec, target, recurrent, dU) {
        const g0 = g.byteOffset + 8 * i0;
        backwardTanh(W.byteOffset, U.byteOffset, dz.byteOffset, k, g0 + 8 * n, h.byteOffset + 8 * i0, g0, n, local.byteOffset, rec.byteOffset, target ? 1 : 0, recurrent ? 1 : 0, dU.byteOffset);
      },
    },
  };
}
