/**
 * The tuned kernel (src/core/kernel.ts, `runBptt`) against the reference (src/core/reference.ts,
 * `referenceBptt`): the WHOLE trace, bit for bit (Object.is on every element and every sum, so
 * −0 ≠ +0 and NaN = NaN), on every model and on the edges of the kernel's layout: its blocks of
 * 256 steps, its own loops for tanh/identity φ and for θ = identity, ℓ = squared, its branchless
 * non-finite flag.
 */
import * as assert from 'node:assert/strict';
import { referenceBptt, runBptt, type SequenceData, type Trace } from '../../src/core/bptt';
import { LOSS_NAMES, NUMERIC_KEYS, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core/model';

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

/** Every field of the two traces. */
function assertSameTrace(what: string, got: Trace, want: Trace): void {
  same(`${what} T`, got.T, want.T);
  same(`${what} model`, got.model, want.model);
  for (const k of ['x', 'y', 'hasY'] as const) same(`${what} ${k} (the caller's array)`, got[k], want[k]);
  for (const k of ['s', 'h', 'dL_ds'] as const) sameArray(`${what} ${k}`, got[k], want[k]);
  same(`${what} L`, got.loss, want.loss);
  assert.deepEqual(Object.keys(got.grads), Object.keys(want.grads));
  for (const k of NUMERIC_KEYS) same(`${what} ∂L/∂${k}`, got.grads[k], want.grads[k]);
  same(`${what} nTargets`, got.nTargets, want.nTargets);
  same(`${what} lastTargetT`, got.lastTargetT, want.lastTargetT);
  same(`${what} firstNonFinite`, got.firstNonFinite, want.firstNonFinite);
  const go = got.nonFiniteOrigin, wo = want.nonFiniteOrigin;
  same(`${what} nonFiniteOrigin`, go === null, wo === null);
  if (go && wo) {
    same(`${what} nonFiniteOrigin.t`, go.t, wo.t);
    same(`${what} nonFiniteOrigin.quantity`, go.quantity, wo.quantity);
    same(`${what} nonFiniteOrigin.value`, go.value, wo.value);
  }
  assert.deepEqual(Object.keys(got), Object.keys(want), `${what}: one shape`);
}

function check(what: string, model: Model, data: SequenceData): Trace {
  const got = runBptt(model, data);
  assertSameTrace(what, got, referenceBptt(model, data));
  return got;
}

function randomModel(r: () => number, phi: Model['phi'], theta: Model['theta'], loss: Model['loss'], reduction: Model['reduction']): Model {
  return { w: -1.2 + 2.4 * r(), v: -1 + 2 * r(), b: -0.3 + 0.6 * r(), u: -1.5 + 3 * r(), c: -0.3 + 0.6 * r(), h0: -0.5 + r(), phi, theta, loss, reduction };
}

/** x in [−2, 2); a target with probability pTarget, none in the last `tail` steps; bce gets y in {0, 1}. */
function randomData(r: () => number, T: number, loss: Model['loss'], pTarget: number, tail: number): SequenceData {
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  for (let i = 0; i < T; i++) {
    x[i] = -2 + 4 * r();
    const has = i < T - tail && r() < pTarget;
    hasY[i] = has ? 1 : 0;
    y[i] = has ? (loss === 'bce' ? (r() < 0.5 ? 0 : 1) : -1 + 2 * r()) : NaN;
  }
  return { x, y, hasY };
}

const LENGTHS = [0, 1, 2, 255, 256, 257, 512, 513];

describe('kernel (runBptt) = reference (referenceBptt), the whole trace bit for bit', () => {
  it(`every φ × θ × ℓ × reduction, at each T in ${LENGTHS.join(', ')}`, function () {
    this.timeout(60_000);
    const r = rng(7_2026);
    for (const T of LENGTHS)
      for (const phi of PHI_NAMES)
        for (const theta of THETA_NAMES)
          for (const loss of LOSS_NAMES)
            for (const reduction of REDUCTION_NAMES) {
              const model = randomModel(r, phi, theta, loss, reduction);
              check(`${phi}/${theta}/${loss}/${reduction} T=${T}`, model, randomData(r, T, loss, 0.8, Math.floor(r() * Math.min(T, 40))));
            }
  });

  it('the last target just before, on and after block edges (t = 255, 256, 257, 512, 513), and no target at all', () => {
    const r = rng(11);
    const T = 600;
    for (const lastT of [0, 1, 2, 255, 256, 257, 512, 513, 600])
      for (const phi of PHI_NAMES)
        for (const [theta, loss] of [['identity', 'squared'], ['tanh', 'huber'], ['sigmoid', 'bce']] as const)
          for (const reduction of REDUCTION_NAMES) {
            const data = randomData(r, T, loss, 0.5, T - lastT);
            if (lastT > 0) {
              data.hasY[lastT - 1] = 1;
              data.y[lastT - 1] = loss === 'bce' ? 1 : 0.25;
            }
            const got = check(`${phi}/${theta}/${loss}/${reduction} lastTargetT=${lastT}`, randomModel(r, phi, theta, loss, reduction), data);
            same('lastTargetT', got.lastTargetT, lastT > 0 ? lastT : null);
          }
  });

  it('steps without a target inside the sequence: every other step, and a single target', () => {
    const r = rng(3);
    for (const phi of ['tanh', 'identity', 'relu'] as const)
      for (const reduction of REDUCTION_NAMES) {
        const T = 300;
        const data = randomData(r, T, 'squared', 1, 0);
        for (let i = 0; i < T; i += 2) data.hasY[i] = 0;
        check(`${phi} every other ${reduction}`, randomModel(r, phi, 'identity', 'squared', reduction), data);
        data.hasY.fill(0);
        data.hasY[137] = 1;
        check(`${phi} single target ${reduction}`, randomModel(r, phi, 'identity', 'squared', reduction), data);
      }
  });

  it('saturation: |s| large (tanh, sigmoid, softsign flat), bce at ŷ = 0 or 1 (ℓ = ∞), exploding identity', () => {
    const r = rng(5);
    const T = 400;
    for (const phi of PHI_NAMES)
      for (const [theta, loss] of [['identity', 'squared'], ['sigmoid', 'bce'], ['tanh', 'abs'], ['relu', 'mse'], ['softplus', 'huber']] as const) {
        const data = randomData(r, T, loss, 0.9, 3);
        for (let i = 0; i < T; i++) data.x[i] *= 40;
        const big: Model = { w: 3, v: 25, b: 1, u: 60, c: 0, h0: 0, phi, theta, loss, reduction: 'mean' };
        check(`${phi}/${theta}/${loss} saturated`, big, data);
        // w = 1.5 with identity φ: h grows as 1.5^t, past 1e308 within the sequence.
        check(`${phi}/${theta}/${loss} exploding`, { ...big, w: 1.5, v: 1, u: 1 }, data);
      }
  });

  it('NaN and ±∞ in x, in y at a target, in y after the last target, and in the parameters', function () {
    this.timeout(60_000);
    const r = rng(13);
    const T = 300;
    for (const phi of PHI_NAMES)
      for (const [theta, loss] of [['identity', 'squared'], ['sigmoid', 'bce'], ['softplus', 'huber']] as const)
        for (const bad of [NaN, Infinity, -Infinity]) {
          const m = randomModel(r, phi, theta, loss, 'sum');
          const base = randomData(r, T, loss, 0.8, 20);
          for (const i of [0, 100, 255, 256, 299]) {
            const x = Float64Array.from(base.x);
            x[i] = bad;
            check(`${phi}/${theta}/${loss} x[${i}] = ${bad}`, m, { ...base, x });
            const y = Float64Array.from(base.y);
            const hasY = Uint8Array.from(base.hasY);
            y[i] = bad;
            hasY[i] = 1;
            check(`${phi}/${theta}/${loss} y[${i}] = ${bad}`, m, { x: base.x, y, hasY });
          }
          for (const key of NUMERIC_KEYS) check(`${phi}/${theta}/${loss} ${key} = ${bad}`, { ...m, [key]: bad }, base);
        }
  });

  it('−0 in the parameters and integer-valued parameters', () => {
    const r = rng(17);
    const data = randomData(r, 300, 'squared', 0.8, 5);
    for (const phi of PHI_NAMES) {
      const m: Model = { w: 1, v: 0, b: 0, u: 1, c: 0, h0: 0, phi, theta: 'identity', loss: 'squared', reduction: 'sum' };
      check(`${phi} integers`, m, data);
      check(`${phi} −0`, { ...m, w: -0, v: -0, b: -0, u: -0, c: -0, h0: -0 }, data);
    }
  });
});
