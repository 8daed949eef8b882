/**
 * The WebAssembly tanh and tanh2 (src/core/vector/wasm/tanh.ts) against the core's tanh (src/core/tanh.ts):
 * the same bits (Object.is) on the edges (±0, subnormals, the interval ends 0.625 and 22 and their
 * neighbours, ±∞, NaN), on every interval the method splits, and on random bit patterns.
 */
import * as assert from 'node:assert/strict';
import { tanh } from '../../src/core/tanh';
import { SIMD_WASM } from '../../src/core/vector/wasm/simd';
import { HAS_SIMD } from './vector-kernel.variants';

function rng(seed: number): () => number {
  let st = seed >>> 0;
  return () => {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    return st / 4294967296;
  };
}

/** The double next to x away from zero (x finite, not 0). */
function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] += 1n;
  return f[0];
}

function prevDown(x: number): number {
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] -= 1n;
  return f[0];
}

/** The part of the WebAssembly API used here (its types are in lib.dom, which the tests do not load). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

interface Exports {
  tanh(x: number): number;
  forwardTanh(WT: number, hPrev: number, h: number, s: number, Vx: number, b: number, Wh: number, n: number, count: number): void;
}

/** Units of the one-step forwardTanh that runs tanh2 (odd: the last one goes through tanh). */
const N = 255;

describe('vector kernel: tanh in WebAssembly', () => {
  let wasmTanh: (x: number) => number = () => NaN;
  /**
   * tanh2 through forwardTanh, which applies it to two units at a time (and tanh to the last odd
   * one; a v128 cannot cross to JS): one step with Wᵀ = −0 and b = −0, so s = (−0 + Vx) + −0 = Vx
   * exactly, also for −0, and h = tanh(Vx), for N inputs a call.
   */
  let wasmTanhMany: (xs: Float64Array) => Float64Array = () => new Float64Array(0);
  before(function () {
    if (!HAS_SIMD) this.skip();
    const W = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const mem = new W.Memory({ initial: 16 });
    const exports = new W.Instance(new W.Module(SIMD_WASM), { env: { mem } }).exports as Exports;
    wasmTanh = exports.tanh;
    const f64 = new Float64Array(mem.buffer);
    const WT = 0, hPrev = N * N, h = hPrev + N, s = h + N, Vx = s + N, b = Vx + N, Wh = b + N;
    f64.fill(-0, WT, WT + N * N);
    f64.fill(-0, b, b + N);
    wasmTanhMany = (xs) => {
      f64.set(xs, Vx);
      exports.forwardTanh(8 * WT, 8 * hPrev, 8 * h, 8 * s, 8 * Vx, 8 * b, 8 * Wh, N, 1);
      for (let i = 0; i < N; i++) if (!Object.is(f64[s + i], xs[i])) throw new Error(`s ${f64[s + i]} ≠ x ${xs[i]}`);
      return f64.slice(h, h + N);
    };
  });

  /** Each input through tanh, and through tanh2 in a batch of N. */
  const batch = new Float64Array(N);
  let filled = 0;
  function flush(): void {
    const got = wasmTanhMany(batch);
    for (let i = 0; i < filled; i++) {
      if (!Object.is(got[i], tanh(batch[i]))) assert.fail(`tanh(${batch[i]}): wasm (two lanes) ${got[i]} ≠ core ${tanh(batch[i])}`);
    }
    filled = 0;
  }

  function same(x: number): void {
    const got = wasmTanh(x), want = tanh(x);
    if (!Object.is(got, want)) assert.fail(`tanh(${x}): wasm ${got} ≠ core ${want}`);
    batch[filled++] = x;
    if (filled === N) flush();
  }
  afterEach(() => {
    batch.fill(0, filled);
    if (filled > 0) flush();
  });

  it('agrees on the edges', () => {
    const edges = [0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e-20, 1e-8, 0.1, 0.5, 0.625, 1, 2, 10, 19.06, 21.9, 22, 23, 700, 710, 1e300, Number.MAX_VALUE, Infinity];
    for (const e of edges) {
      for (const x of e === 0 || e === Infinity ? [e] : [prevDown(e), e, nextUp(e)]) {
        same(x);
        same(-x);
      }
    }
    same(NaN);
    assert.ok(Object.is(wasmTanh(-0), -0), 'tanh(−0) = −0');
    assert.equal(wasmTanh(Infinity), 1);
    assert.equal(wasmTanh(-Infinity), -1);
  });

  it('agrees on two million inputs over every interval of the method', () => {
    const r = rng(11);
    for (let i = 0; i < 500_000; i++) {
      same((r() - 0.5) * 1.25); // |x| < 0.625: the rational approximation
      same((r() - 0.5) * 44); // |x| < 22: the exp reduction, every k
      same((r() - 0.5) * 2 ** (r() * 80 - 60)); // magnitudes 2^-61 … 2^19
      same((r() - 0.5) * 60); // past 22
    }
  });

  it('agrees on a million random bit patterns', () => {
    const r = rng(12);
    const u = new Uint32Array(2), f = new Float64Array(u.buffer);
    for (let i = 0; i < 1_000_000; i++) {
      u[0] = r() * 2 ** 32;
      // An exponent near 1 (2^-8 … 2^8) half the time, any exponent the other half.
      u[1] = i % 2 === 0 ? (r() * 2 ** 32) >>> 0 : (((r() < 0.5 ? 0x80000000 : 0) | ((1015 + Math.floor(r() * 16)) << 20) | ((r() * 2 ** 20) >>> 0)) >>> 0);
      same(f[0]);
    }
  });
});
