/**
 * The gradient-by-lag inner loop in WebAssembly SIMD (f64x2), built by the vector kernel's small
 * assembler. The two lanes are two BLOCKS of targets (block A and the block after it, B), never two
 * terms of one sum: each lane is lagStepDense (lagKernel.ts) run on its own block, row after row in
 * ascending order, with a separate multiply and add (no fused multiply–add), so every lane's sums
 * are the plain loop's doubles.
 *
 * Memory (byte addresses, 16-byte aligned):
 *   a:    the running products, row r at a + 16r = (a_A[r], a_B[r])
 *   data: step j' at data + 48j' = (f_A, f_B, h_A, h_B, x_A, x_B), the steps in DESCENDING order,
 *         so that lag d + k of a row, at step m − k, is 48k bytes ABOVE lag d's (offsets are unsigned)
 *   out:  lag d + k's sums at out + 96k: (w_A, w_B), (v_A, v_B), (b_A, b_B)
 *
 *   lagsL(a, p, rows, out), L = 1..4: lags d..d+L−1 of rows 0..rows−1, p = row 0's step at lag d;
 *   a_{d+k} = a_{d+k−1}·f_{m−k},  w_k += a_{d+k}·h_{m−k},  v_k += a_{d+k}·x_{m−k},  b_k += a_{d+k}
 */
import { I32, V128, assemble, code, op, type WasmFunction } from '../core/vector/wasm/assemble';

// Locals: the four params, then the running product, then 3L accumulators (zero-initialized).
const PA = 0, P = 1, ROWS = 2, OUT = 3, AV = 4, ACC = 5;

const add = (i: number, by: number): number[] => code(op.get(i), op.i32(by), op.i32Add, op.set(i));

function lags(L: number): WasmFunction {
  const ks = Array.from({ length: L }, (_, k) => k);
  const acc = (k: number, q: number): number => ACC + 3 * k + q; // q: 0 = w, 1 = v, 2 = b
  return {
    name: `lags${L}`,
    params: [I32, I32, I32, I32],
    locals: [V128, ...ks.flatMap(() => [V128, V128, V128])],
    body: code(
      op.block, op.loop,
      op.i32(0), op.get(ROWS), op.i32GeU, op.brIf(1),
      op.get(PA), op.v128Load(), op.set(AV),
      ks.map((k) => code(
        op.get(AV), op.get(P), op.v128Load(48 * k), op.f64x2Mul, op.set(AV),
        op.get(acc(k, 0)), op.get(AV), op.get(P), op.v128Load(48 * k + 16), op.f64x2Mul, op.f64x2Add, op.set(acc(k, 0)),
        op.get(acc(k, 1)), op.get(AV), op.get(P), op.v128Load(48 * k + 32), op.f64x2Mul, op.f64x2Add, op.set(acc(k, 1)),
        op.get(acc(k, 2)), op.get(AV), op.f64x2Add, op.set(acc(k, 2)),
      )),
      op.get(PA), op.get(AV), op.v128Store(),
      add(PA, 16), add(P, -48), add(ROWS, -1),
      op.br(0),
      op.end, op.end,
      ks.flatMap((k) => [0, 1, 2].map((q) => code(op.get(OUT), op.get(acc(k, q)), op.v128Store(96 * k + 16 * q)))),
    ),
  };
}

/** The module's bytes: imports env.mem, exports lags1..lags4. */
export const LAG_WASM = assemble([lags(1), lags(2), lags(3), lags(4)]);

export interface LagWasmExports {
  lags1(a: number, p: number, rows: number, out: number): void;
  lags2(a: number, p: number, rows: number, out: number): void;
  lags3(a: number, p: number, rows: number, out: number): void;
  lags4(a: number, p: number, rows: number, out: number): void;
}

/** The part of the WebAssembly API used here (its types are in lib.dom, which src/flow does not load). */
interface WasmModule { readonly wasmModule: true }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

/**
 * An instance on a fresh memory of at least `bytes`, or null where the engine has no WebAssembly
 * SIMD or may not compile it (a Content-Security-Policy without wasm-unsafe-eval) or has not the memory.
 */
export function lagWasmInstance(bytes: number): { exports: LagWasmExports; buffer: ArrayBuffer } | null {
  if (compiled === undefined) {
    try {
      compiled = wasm !== undefined && wasm.validate(LAG_WASM) ? new wasm.Module(LAG_WASM) : null;
    } catch {
      compiled = null;
    }
  }
  // wasm32 memories stop at 4 GiB; stay well inside.
  if (compiled === null || bytes > 2 ** 31) return null;
  try {
    const mem = new wasm!.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new wasm!.Instance(compiled, { env: { mem } });
    return { exports: instance.exports as LagWasmExports, buffer: mem.buffer };
  } catch {
    return null; // no memory that large here: the JS kernel does without
  }
}
