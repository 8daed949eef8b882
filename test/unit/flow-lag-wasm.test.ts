/**
 * The gradient by lag in WebAssembly SIMD (src/flow/lagWasm.ts, two blocks per f64x2) and in JS
 * (four lags per pass) against the one-lag plain loop, bit for bit (Object.is on every element),
 * and the sums by lag against the core's full gradient. Cases cross the blocks' pairs (a second
 * block that is short or missing), reach the lags the SIMD kernel leaves to JS (K ≥ 2048), have
 * gaps without targets, exact zeros, NaN / ±∞ seeds and states, and products underflowing to 0.
 */
import * as assert from 'assert';
import { PHI_NAMES, runBptt, type Model, type SequenceData } from '../../src/core';
import { flowInputs, gradientByLag, lagSums, type LagInputs, type LagKernel } from '../../src/flow';
import { LAG_WASM, lagWasmInstance } from '../../src/flow/wasmLag';
import { mulberry32 } from './reference/rng';

function makeCase(seed: number, phi: Model['phi'], T: number, w?: number): { m: Model; d: SequenceData } {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const m: Model = {
    w: w ?? (r() < 0.5 ? -1 : 1) * [0.5, 0.95, 1.05, 3][Math.floor(r() * 4)], v: uni(-2, 2), b: uni(-1, 1), u: uni(-2, 2),
    c: uni(-1, 1), h0: uni(-1, 1), phi, theta: 'identity', loss: 'squared', reduction: 'sum',
  };
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  const dense = r();
  for (let i = 0; i < T; i++) {
    x[i] = uni(-3, 3);
    if (r() < 0.002) x[i] = (r() < 0.5 ? -1 : 1) * 200; // saturates tanh/sigmoid: φ' = 0 exactly
    y[i] = uni(-1, 1);
    hasY[i] = r() < dense ? 1 : 0;
  }
  return { m, d: { x, y, hasY } };
}

function same(ctx: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  assert.strictEqual(got.length, want.length, `${ctx}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${ctx}[${i}]: ${got[i]} vs plain ${want[i]}`);
  }
}

/** Every kernel against the plain one, for each K. */
function checkKernels(ctx: string, inp: LagInputs, Ks: number[]): void {
  for (const K of Ks) {
    if (K < 0) continue;
    const plain = lagSums(inp, K, false, undefined, 'plain')!;
    for (const kernel of ['auto', 'js'] as LagKernel[]) {
      const got = lagSums(inp, K, false, undefined, kernel)!;
      const c = `${ctx} K ${K} ${kernel}`;
      same(`${c} G_w`, got.w, plain.w);
      same(`${c} G_v`, got.v, plain.v);
      same(`${c} G_b`, got.b, plain.b);
    }
  }
}

const someLags = (T: number): number[] => [0, 1, 2, 3, 4, 5, 6, 7, 64, 130, T - 1, T + 5];

describe('gradient by lag: WebAssembly SIMD and JS kernels = the plain loop, bit for bit', function () {
  this.timeout(120000);

  it('Node has WebAssembly SIMD, so the tests below run the SIMD kernel', () => {
    assert.ok(LAG_WASM.length > 100);
    assert.notStrictEqual(lagWasmInstance(65536), null, 'the module validates and instantiates');
  });

  it('every φ, K ∈ {0…7, 64, 130, T − 1, T + 5}, T across one, two, three and five blocks', () => {
    PHI_NAMES.forEach((phi, pi) => {
      [5, 1030, 2600, 4500].forEach((T, rep) => {
        const seed = 0x1a9a0000 + 16 * pi + rep;
        const { m, d } = makeCase(seed, phi, T);
        checkKernels(`${phi} seed ${seed} T ${T}`, flowInputs(runBptt(m, d)), someLags(T));
      });
    });
  });

  it('lags past the second block (the JS continuation), on slowly vanishing products', () => {
    const { m, d } = makeCase(0x1a9b, 'tanh', 6200, 0.999);
    d.hasY.fill(1);
    checkKernels('tanh w 0.999 T 6200', flowInputs(runBptt(m, d)), [2047, 2048, 2051, 3000, 6199]);
  });

  it('NaN and ±∞ seeds in a dense pass, overflow to ∞ inside the running products', () => {
    const { m, d } = makeCase(0x1a9c, 'identity', 5000, 3);
    const inp = flowInputs(runBptt(m, d));
    // w = 3 with identity overflows the states; keep them finite so the dense (SIMD) layout runs.
    for (let i = 0; i < inp.factor.length; i++) {
      inp.factor[i] = 1.5 * Math.sin(i);
      inp.hPrev[i] = Math.cos(i);
    }
    inp.hasY.fill(1);
    for (let i = 0; i < inp.seed.length; i++) inp.seed[i] = Math.sin(3 * i);
    inp.seed[2500] = NaN;
    inp.seed[3100] = Infinity;
    inp.seed[4000] = -Infinity;
    inp.seed[4500] = 1e306; // × 1.5ⁿ overflows to ±∞, and later ∞·0 or ∞ − ∞ may be NaN
    inp.factor[4490] = 0;
    checkKernels('non-finite seeds', inp, [0, 3, 7, 64, 130, 1000, 4999, 5005]);
  });

  it('NaN and ±∞ states (the sparse layout) agree too', () => {
    const { m, d } = makeCase(0x1a9d, 'relu', 3000);
    d.x[1500] = NaN;
    checkKernels('relu NaN', flowInputs(runBptt(m, d)), [0, 7, 130, 2999]);
    const t = makeCase(0x1a9e, 'identity', 2600, 1e200);
    checkKernels('identity overflow', flowInputs(runBptt(t.m, t.d)), [0, 7, 2599]);
  });

  it('products that underflow to 0 and subnormals: skipped blocks change nothing', () => {
    const { m, d } = makeCase(0x1a9f, 'tanh', 5000, 0.05);
    d.hasY.fill(1);
    const inp = flowInputs(runBptt(m, d));
    checkKernels('tanh w 0.05', inp, [300, 4999]);
    const got = lagSums(inp, 4999)!;
    assert.ok(got.b[10] !== 0 && got.b[400] === 0);
    // Subnormal tails: factors of 2⁻⁴ reach 2⁻¹⁰⁷⁴ after ~260 lags, through the subnormals.
    inp.factor.fill(0.0625);
    checkKernels('subnormal', inp, [400]);
    assert.ok(lagSums(inp, 400)!.b.some((g) => g !== 0 && Math.abs(g) < 2.2250738585072014e-308));
  });

  it('Σ_d G(d) = the full gradient to rounding, every lag and K = 1000 (the rest in the "> K" bin)', () => {
    PHI_NAMES.forEach((phi, pi) => {
      const { m, d } = makeCase(0x1aa00000 + pi, phi, 4500, 0.95);
      const trace = runBptt(m, d);
      const inp = flowInputs(trace);
      const all = gradientByLag(trace, inp, 4499)!;
      assert.ok(all.allLags);
      for (const p of ['w', 'v', 'b', 'h0'] as const) {
        let sum = 0, mass = 0;
        for (const g of all.G[p]) { sum += g; mass += Math.abs(g); }
        assert.ok(Math.abs(sum - all.total[p]) <= 1e-12 * (mass + Math.abs(all.total[p])) + 1e-300, `${phi} ${p}: ${sum} vs ${all.total[p]}`);
      }
      const cut = gradientByLag(trace, inp, 1000)!;
      same(`${phi} G_w at K = 1000`, cut.G.w, all.G.w.subarray(0, 1001));
    });
  });

  it('a wrong kernel would be caught: a changed factor changes the SIMD sums', () => {
    const { m, d } = makeCase(0x1aa1, 'tanh', 4200, 0.95);
    d.hasY.fill(1);
    const inp = flowInputs(runBptt(m, d));
    const before = lagSums(inp, 100)!.w.slice();
    inp.factor[3500] *= 1 + 2 ** -40; // a row of the second pair's block B
    const after = lagSums(inp, 100)!;
    assert.notDeepStrictEqual(Array.from(after.w), Array.from(before));
    same('after the change', after.w, lagSums(inp, 100, false, undefined, 'plain')!.w);
  });
});
