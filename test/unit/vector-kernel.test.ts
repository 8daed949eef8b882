/**
 * The tuned vector kernel (src/core/vector/kernel.ts) against the vector reference
 * (src/core/vector/reference.ts): the WHOLE trace, bit for bit (Object.is on every element and
 * sum, so −0 ≠ +0 and NaN = NaN), for every backend (plain JS, and WebAssembly SIMD where the
 * engine has it), on every model and on the edges of the kernel's layout: its blocks of four
 * outputs (n ∈ {1, 2, 3, 4, 5, 8, 17, 32, 33, 64}), steps with no target, NaN/±∞, labels out of
 * range. At n = m = k = 1, also against the scalar kernel runBptt.
 */
import * as assert from 'node:assert/strict';
import { runBptt } from '../../src/core/bptt';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core/model';
import { VECTOR_LOSS_NAMES, VECTOR_PARAM_NAMES, type VectorModel, type VectorSequenceData, type VectorTrace } from '../../src/core/vector/model';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { runVectorBpttWasm } from '../../src/core/vector/kernel';
import { wasmBackend } from '../../src/core/vector/kernelWasm';
import { HAS_SIMD, KERNELS } from './vector-kernel.variants';

function rng(seed: number): () => number {
  let st = seed >>> 0;
  return () => {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    return st / 4294967296;
  };
}

function same(what: string, a: unknown, b: unknown): void {
  if (!Object.is(a, b)) assert.fail(`${what}: kernel ${String(a)} ≠ reference ${String(b)}`);
}

function sameArray(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  same(`${what}.length`, a.length, b.length);
  for (let i = 0; i < a.length; i++) same(`${what}[${i}]`, a[i], b[i]);
}

function assertSameTrace(what: string, got: VectorTrace, want: VectorTrace): void {
  same(`${what} T`, got.T, want.T);
  same(`${what} model`, got.model, want.model);
  for (const key of ['x', 'y', 'hasY'] as const) same(`${what} ${key} (the caller's array)`, got[key], want[key]);
  for (const key of ['s', 'h', 'dL_ds'] as const) sameArray(`${what} ${key}`, got[key], want[key]);
  same(`${what} L`, got.loss, want.loss);
  for (const p of VECTOR_PARAM_NAMES) sameArray(`${what} ∂L/∂${p}`, got.grads[p], want.grads[p]);
  same(`${what} nTargets`, got.nTargets, want.nTargets);
  same(`${what} lastTargetT`, got.lastTargetT, want.lastTargetT);
  same(`${what} firstNonFinite`, got.firstNonFinite, want.firstNonFinite);
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: the same fields`);
}

/** Every kernel variant against the reference; returns the reference trace. */
function check(what: string, model: VectorModel, data: VectorSequenceData): VectorTrace {
  const want = referenceVectorBptt(model, data);
  for (const [name, run] of KERNELS) assertSameTrace(`${name}: ${what}`, run(model, data), want);
  return want;
}

function fill(r: () => number, len: number, lo: number, hi: number): Float64Array {
  const a = new Float64Array(len);
  for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

type Kind = Pick<VectorModel, 'phi' | 'theta' | 'loss' | 'reduction'>;

/** Weights scaled by 1/√n so the state neither dies nor saturates at every n; `gain` > 1 saturates it. */
function randomModel(r: () => number, n: number, m: number, k: number, kind: Kind, gain = 1): VectorModel {
  const g = gain / Math.sqrt(n);
  return {
    n, m, k, ...kind,
    W: fill(r, n * n, -1.5 * g, 1.5 * g), V: fill(r, n * m, -1, 1), b: fill(r, n, -0.3, 0.3),
    U: fill(r, k * n, -1.5, 1.5), c: fill(r, k, -0.3, 0.3), h0: fill(r, n, -0.5, 0.5),
  };
}

/** x in [−2, 2); a target with probability pTarget, none in the last `tail` steps; bce y in {0, 1}, classes in 0..k-1. */
function randomData(r: () => number, T: number, m: number, k: number, loss: VectorModel['loss'], pTarget: number, tail: number): VectorSequenceData {
  const yw = loss === 'cross_entropy' ? 1 : k;
  const x = fill(r, T * m, -2, 2), y = new Float64Array(T * yw).fill(NaN), hasY = new Uint8Array(T);
  for (let i = 0; i < T; i++) {
    if (i >= T - tail || r() >= pTarget) continue;
    hasY[i] = 1;
    for (let q = 0; q < yw; q++) {
      y[i * yw + q] = loss === 'cross_entropy' ? Math.floor(r() * k) : loss === 'bce' ? (r() < 0.5 ? 0 : 1) : -1 + 2 * r();
    }
  }
  return { T, x, y, hasY };
}

const NS = [1, 2, 3, 4, 5, 8, 17, 32, 33, 64];
const MK = [1, 3, 4];
const KINDS: Kind[] = [];
for (const phi of PHI_NAMES)
  for (const theta of THETA_NAMES)
    for (const loss of VECTOR_LOSS_NAMES)
      for (const reduction of REDUCTION_NAMES) KINDS.push({ phi, theta, loss, reduction });

describe('vector kernel = vector reference, the whole trace bit for bit', () => {
  it(`has the variants: ${KERNELS.map(([name]) => name).join(', ')}`, () => {
    assert.ok(KERNELS.length >= 1);
  });

  it('Node has WebAssembly SIMD, so the SIMD variant really runs the wasm module', () => {
    assert.ok(HAS_SIMD);
  });

  it(`every φ × θ × loss (cross_entropy too) × reduction (${KINDS.length}), n cycling through ${NS.join(', ')}`, function () {
    this.timeout(120_000);
    const r = rng(11_2026);
    KINDS.forEach((kind, idx) => {
      const n = NS[idx % NS.length], m = MK[idx % 3], k = MK[Math.floor(idx / 3) % 3];
      const model = randomModel(r, n, m, k, kind);
      check(`${JSON.stringify(kind)} n=${n} m=${m} k=${k}`, model, randomData(r, 9, m, k, kind.loss, 0.6, 2));
    });
  });

  it(`every n in ${NS.join(', ')} × m, k in ${MK.join(', ')}, on tanh/sigmoid/relu with three losses`, function () {
    this.timeout(120_000);
    const r = rng(3_17);
    const kinds: Kind[] = [
      { phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' },
      { phi: 'sigmoid', theta: 'identity', loss: 'cross_entropy', reduction: 'mean' },
      { phi: 'relu', theta: 'sigmoid', loss: 'bce', reduction: 'mean' },
    ];
    let cases = 0, reachedW = 0;
    for (const n of NS)
      for (const m of MK)
        for (const k of MK)
          for (const kind of kinds) {
            const trace = check(`${kind.phi}/${kind.loss} n=${n} m=${m} k=${k}`, randomModel(r, n, m, k, kind), randomData(r, 12, m, k, kind.loss, 0.5, 1));
            cases++;
            if (trace.grads.W.some((g) => g !== 0)) reachedW++;
          }
    // Not degenerate cases: in nearly all of them the gradient reached W.
    assert.ok(reachedW > 0.8 * cases, `∂L/∂W ≠ 0 in ${reachedW} of ${cases}`);
  });

  it('a long sequence (T = 300) with saturation (gain 4), n = 33', function () {
    this.timeout(60_000);
    const r = rng(99);
    for (const phi of PHI_NAMES) {
      const kind: Kind = { phi, theta: 'tanh', loss: 'huber', reduction: 'sum' };
      check(`saturated ${phi}`, randomModel(r, 33, 4, 3, kind, 4), randomData(r, 300, 4, 3, kind.loss, 0.3, 5));
    }
  });

  it('steps with no target: none at all, only the first, all but a tail, T = 0 and T = 1', function () {
    this.timeout(60_000);
    const r = rng(5);
    for (const kind of KINDS.filter((_, i) => i % 7 === 0)) {
      for (const n of [1, 5, 32]) {
        const model = randomModel(r, n, 3, 4, kind);
        const none = randomData(r, 10, 3, 4, kind.loss, 0, 0);
        check(`no target n=${n}`, model, none);
        const first = randomData(r, 10, 3, 4, kind.loss, 1, 9);
        check(`first only n=${n}`, model, first);
        check(`tail n=${n}`, model, randomData(r, 10, 3, 4, kind.loss, 1, 4));
        check(`T=0 n=${n}`, model, randomData(r, 0, 3, 4, kind.loss, 1, 0));
        check(`T=1 n=${n}`, model, randomData(r, 1, 3, 4, kind.loss, 1, 0));
      }
    }
  });

  it('NaN and ±∞ in x, in the weights and in y, and overflow of the state', function () {
    this.timeout(60_000);
    const r = rng(8);
    for (const kind of KINDS.filter((_, i) => i % 5 === 0)) {
      for (const n of [1, 4, 17]) {
        const model = randomModel(r, n, 3, 3, kind);
        for (const bad of [NaN, Infinity, -Infinity]) {
          const data = randomData(r, 8, 3, 3, kind.loss, 0.7, 1);
          data.x[4 * 3 + 1] = bad;
          check(`x = ${bad} n=${n}`, model, data);
          const d2 = randomData(r, 8, 3, 3, kind.loss, 1, 0);
          d2.y[3 * (kind.loss === 'cross_entropy' ? 1 : 3)] = bad;
          check(`y = ${bad} n=${n}`, model, d2);
          const m2 = { ...model, W: model.W.slice() };
          m2.W[n * n - 1] = bad;
          check(`W = ${bad} n=${n}`, m2, randomData(r, 8, 3, 3, kind.loss, 0.7, 0));
        }
        // A huge recurrent weight: identity/relu/softplus states overflow to ±∞ within a few steps.
        check(`overflow n=${n}`, randomModel(r, n, 3, 3, kind, 1e150), randomData(r, 8, 3, 3, kind.loss, 0.7, 0));
      }
    }
  });

  it('cross_entropy labels out of range: k, −1, 1.5, NaN, ∞', () => {
    const r = rng(13);
    for (const label of [4, -1, 1.5, NaN, Infinity]) {
      for (const n of [1, 3, 8]) {
        const kind: Kind = { phi: 'tanh', theta: 'identity', loss: 'cross_entropy', reduction: 'mean' };
        const data = randomData(r, 6, 2, 4, kind.loss, 1, 0);
        data.y[2] = label;
        const trace = check(`label ${label} n=${n}`, randomModel(r, n, 2, 4, kind), data);
        assert.ok(Number.isNaN(trace.loss), 'an invalid label makes L NaN');
      }
    }
  });

  it('n = m = k = 1 agrees with the scalar kernel runBptt bit for bit, every φ × θ × ℓ × reduction', function () {
    this.timeout(60_000);
    const r = rng(21);
    for (const phi of PHI_NAMES)
      for (const theta of THETA_NAMES)
        for (const loss of LOSS_NAMES)
          for (const reduction of REDUCTION_NAMES) {
            const vm = randomModel(r, 1, 1, 1, { phi, theta, loss, reduction }, 1.5);
            const data = randomData(r, 40, 1, 1, loss, 0.5, 3);
            const scalar: Model = { w: vm.W[0], v: vm.V[0], b: vm.b[0], u: vm.U[0], c: vm.c[0], h0: vm.h0[0], phi, theta, loss, reduction };
            const want = runBptt(scalar, { x: data.x, y: data.y, hasY: data.hasY });
            for (const [name, run] of KERNELS) {
              const got = run(vm, data);
              const what = `${name} ${phi}/${theta}/${loss}/${reduction}`;
              sameArray(`${what} s`, got.s, want.s);
              sameArray(`${what} h`, got.h, want.h);
              sameArray(`${what} dL_ds`, got.dL_ds, want.dL_ds);
              same(`${what} L`, got.loss, want.loss);
              const g = want.grads;
              const pairs: [number, number][] = [[got.grads.W[0], g.w], [got.grads.V[0], g.v], [got.grads.b[0], g.b], [got.grads.U[0], g.u], [got.grads.c[0], g.c], [got.grads.h0[0], g.h0]];
              pairs.forEach(([a, b], i) => same(`${what} ∂L/∂${VECTOR_PARAM_NAMES[i]}`, a, b));
              same(`${what} nTargets`, got.nTargets, want.nTargets);
              same(`${what} lastTargetT`, got.lastTargetT, want.lastTargetT);
              // Not firstNonFinite: the scalar trace also flags a non-finite ℓ_t or ŷ_t, the vector one only s, h, ∂L/∂s.
            }
          }
  });

  it('the blocked ∂L/∂W, ∂L/∂V, ∂L/∂b: n, m on and off the 4×4 tiles, T around the blocks of 64, the last target mid-block', function () {
    this.timeout(60_000);
    const r = rng(64);
    const kind: Kind = { phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' };
    for (const n of [4, 7, 12, 16])
      for (const m of [1, 5, 8])
        for (const T of [63, 64, 65, 129, 200]) check(`n=${n} m=${m} T=${T}`, randomModel(r, n, m, 2, kind), randomData(r, T, m, 2, kind.loss, 0.5, T % 37));
  });

  it('passes share one wasm memory: each pass after a larger one, one with NaN or one with a memory of its own, is still the reference', function () {
    this.timeout(60_000);
    const r = rng(77);
    const kind: Kind = { phi: 'relu', theta: 'identity', loss: 'squared', reduction: 'mean' };
    const small = (): void => {
      check('small n=17', randomModel(r, 17, 3, 1, kind), randomData(r, 70, 3, 1, kind.loss, 0.8, 3));
    };
    small();
    const nan = randomData(r, 3000, 4, 1, kind.loss, 1, 0);
    nan.x.fill(NaN, 400, 800);
    check('larger, with NaN n=32', randomModel(r, 32, 4, 1, kind), nan);
    small();
    // 2·T·n doubles of h and ∂L/∂s: 17.5 MiB, over the 16 MiB that passes share.
    check('own memory n=16 T=70000', randomModel(r, 16, 2, 1, kind), randomData(r, 70_000, 2, 1, kind.loss, 0.1, 0));
    small();
  });

  it('the SIMD trace owns its arrays: none is a view on the wasm memory, so a worker can transfer them', () => {
    const kind: Kind = { phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' };
    const r = rng(4);
    const trace = runVectorBpttWasm(randomModel(r, 33, 4, 1, kind), randomData(r, 50, 4, 1, kind.loss, 1, 0));
    const arrays = [trace.s, trace.h, trace.dL_ds, ...VECTOR_PARAM_NAMES.map((p) => trace.grads[p])];
    for (const a of arrays) assert.equal(a.buffer.byteLength, a.byteLength, 'a whole ArrayBuffer of its own');
    const h = trace.h.slice();
    const moved = structuredClone(trace.h, { transfer: [trace.h.buffer as ArrayBuffer] });
    sameArray('transferred h', moved, h);
  });

  it('a pass too large for a wasm memory has no SIMD backend (the kernel falls back to plain JS)', () => {
    assert.equal(wasmBackend(2 ** 29), null);
    assert.notEqual(wasmBackend(1000), null);
  });

  it('the comparison is sharp: a sum started at 0 (0 + −0 = +0) is caught', () => {
    // W = 0 with h0 < 0: each product W_rj·h0_j is −0, the reference's s_1 sums them from the first.
    const kind: Kind = { phi: 'identity', theta: 'identity', loss: 'squared', reduction: 'sum' };
    const model = randomModel(rng(1), 2, 1, 1, kind);
    model.W.fill(0); model.V.fill(-0); model.b.fill(-0); model.h0.fill(-1);
    const data: VectorSequenceData = { T: 1, x: new Float64Array([1]), y: new Float64Array([0]), hasY: new Uint8Array([0]) };
    const want = check('signed zeros', model, data);
    same('s_1 is −0', want.s[0], -0);
    assert.throws(() => same('0 + −0', 0 + want.s[0], want.s[0]));
  });
});
