/**
 * runBptt (src/core/kernel.ts) runs its loops in blocks of 256 steps, with one forward loop per φ
 * and a backward loop of its own for θ = identity, ℓ = squared (a performance layout, see the note
 * there). This checks it against the plain two-loop pass, src/core/reference.ts, bit for bit,
 * across block boundaries and every model choice.
 */
import * as assert from 'node:assert/strict';
import { act, dact, type Act } from '../../src/core/activations';
import { dloss, loss, type Loss } from '../../src/core/losses';
import { referenceBptt, runBptt, stepValues, type SequenceData } from '../../src/core/bptt';
import { fillDerived } from '../../src/core/derived';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core/model';

function rng(seed: number): () => number {
  let st = seed >>> 0;
  return () => {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    return st / 4294967296;
  };
}

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function assertSameArray(name: string, a: Float64Array, b: Float64Array): void {
  assert.equal(a.length, b.length, name);
  for (let i = 0; i < a.length; i++) if (!sameBits(a[i], b[i])) assert.fail(`${name}[${i}]: ${a[i]} ≠ ${b[i]}`);
}

/** runBptt against referenceBptt, every output bit for bit. */
function assertSamePass(what: string, model: Model, data: SequenceData) {
  const got = runBptt(model, data);
  const want = referenceBptt(model, data);
  assertSameArray(`${what} s`, got.s, want.s);
  assertSameArray(`${what} h`, got.h, want.h);
  assertSameArray(`${what} dL_ds`, got.dL_ds, want.dL_ds);
  assert.ok(sameBits(got.loss, want.loss), `${what} L: ${got.loss} ≠ ${want.loss}`);
  for (const key of ['w', 'v', 'b', 'u', 'c', 'h0'] as const) {
    assert.ok(sameBits(got.grads[key], want.grads[key]), `${what} ∂L/∂${key}: ${got.grads[key]} ≠ ${want.grads[key]}`);
  }
  assert.equal(got.nTargets, want.nTargets, `${what} nTargets`);
  assert.equal(got.lastTargetT, want.lastTargetT, `${what} lastTargetT`);
  return got;
}

describe('runBptt in blocks = the plain two-loop pass, bit for bit', () => {
  const lengths = [0, 1, 2, 255, 256, 257, 511, 513, 1000];
  it(`every φ × θ × ℓ × reduction, T in ${lengths.join(', ')}`, () => {
    const r = rng(20251125);
    let k = 0;
    for (const phi of PHI_NAMES)
      for (const theta of THETA_NAMES)
        for (const lossName of LOSS_NAMES)
          for (const reduction of REDUCTION_NAMES) {
            const T = lengths[k++ % lengths.length];
            const model: Model = {
              w: -1.2 + 2.4 * r(),
              v: -1 + 2 * r(),
              b: -0.3 + 0.6 * r(),
              u: -1.5 + 3 * r(),
              c: -0.3 + 0.6 * r(),
              h0: -0.5 + r(),
              phi,
              theta,
              loss: lossName,
              reduction,
            };
            const x = new Float64Array(T);
            const y = new Float64Array(T);
            const hasY = new Uint8Array(T);
            const tail = Math.floor(r() * Math.min(T, 40)); // trailing steps without a target
            for (let t = 0; t < T; t++) {
              x[t] = -2 + 4 * r();
              const has = t < T - tail && r() < 0.8;
              hasY[t] = has ? 1 : 0;
              // bce needs y in [0, 1]; the others take any y.
              y[t] = has ? (lossName === 'bce' ? (r() < 0.5 ? 0 : 1) : -1 + 2 * r()) : NaN;
            }
            const data = { x, y, hasY };
            const what = `${phi}/${theta}/${lossName}/${reduction} T=${T}`;
            const got = assertSamePass(what, model, data);
            // stepValues reproduces the stored ∂L/∂s_t from its parts, on both sides of a block edge.
            for (const i of [0, 254, 255, 256, 257, T - 1]) {
              if (i < 0 || i >= T || i + 1 > (got.lastTargetT ?? 0)) continue;
              const sv = stepValues(got, i);
              assert.ok(sameBits(sv.dL_dh * sv.phiPrime, got.dL_ds[i]), `${what} stepValues at ${i}`);
            }
            // fillDerived (the charts' whole-range twin of stepValues) gives the same bits at every step.
            const d = fillDerived(got, 0, T);
            for (let i = 0; i < T; i++) {
              const sv = stepValues(got, i);
              for (const q of ['yhat', 'dL_dyhat', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent'] as const) {
                assert.ok(sameBits(d[q][i], sv[q]), `${what} fillDerived ${q} at ${i}: ${d[q][i]} ≠ ${sv[q]}`);
              }
            }
          }
  });

  it('the last target on and around block edges, both backward loops, both reductions', () => {
    const T = 600;
    const r = rng(99);
    const x = new Float64Array(T).map(() => -2 + 4 * r());
    const y = new Float64Array(T).map(() => r());
    // iLast: 0-based index of the last target (−1: none).
    for (const iLast of [-1, 0, 1, 254, 255, 256, 257, 511, 512, 513, 599]) {
      const hasY = new Uint8Array(T);
      for (let i = 0; i <= iLast; i++) hasY[i] = i === iLast || r() < 0.7 ? 1 : 0;
      for (const phi of PHI_NAMES)
        for (const [theta, lossName] of [['identity', 'squared'], ['sigmoid', 'bce']] as const)
          for (const reduction of REDUCTION_NAMES) {
            const model: Model = { w: 0.8, v: 0.6, b: -0.1, u: 1.1, c: 0.05, h0: 0.3, phi, theta, loss: lossName, reduction };
            assertSamePass(`${phi}/${theta}/${lossName}/${reduction} last target i=${iLast}`, model, { x, y, hasY });
          }
    }
  });

  it('integer and fractional parameters, −0 and a non-finite input give the plain pass too', () => {
    const T = 300;
    const r = rng(5);
    const x = new Float64Array(T).map(() => -2 + 4 * r());
    const y = new Float64Array(T).map(() => -1 + 2 * r());
    const hasY = new Uint8Array(T).fill(1);
    const base: Model = { w: 1, v: 0, b: 0, u: 1, c: 0, h0: 0, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' };
    assertSamePass('integers', base, { x, y, hasY });
    assertSamePass('−0', { ...base, w: -0, b: -0, h0: -0, c: -0 }, { x, y, hasY });
    assertSamePass('fractions', { ...base, w: 0.5, v: 0.25, h0: 0.125 }, { x, y, hasY });
    const xBad = Float64Array.from(x);
    xBad[200] = Infinity;
    const got = assertSamePass('x = ∞ at t = 201', { ...base, phi: 'identity' }, { x: xBad, y, hasY });
    assert.equal(got.firstNonFinite, 1);
  });

  it('act, dact, loss and dloss reject an unknown code', () => {
    assert.throws(() => act(99 as Act, 0), /unknown code 99/);
    assert.throws(() => dact(99 as Act, 0, 0), /unknown code 99/);
    assert.throws(() => loss(99 as Loss, 0, 0), /unknown code 99/);
    assert.throws(() => dloss(99 as Loss, 0, 0), /unknown code 99/);
  });

  it('reused buffers: a second pass over the same TraceBuffers gives the same trace', () => {
    const T = 700;
    const r = rng(7);
    const data = { x: new Float64Array(T).map(() => -2 + 4 * r()), y: new Float64Array(T).map(() => -1 + 2 * r()), hasY: new Uint8Array(T).fill(1) };
    const model: Model = { w: 0.9, v: 0.5, b: 0.1, u: 1.2, c: -0.05, h0: 0, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' };
    const buffers = { s: new Float64Array(T), h: new Float64Array(T), dL_ds: new Float64Array(T) };
    const a = runBptt(model, data, buffers);
    const dsA = Float64Array.from(a.dL_ds);
    const b = runBptt(model, data, buffers);
    assertSameArray('dL_ds', b.dL_ds, dsA);
    assert.ok(sameBits(a.loss, b.loss));
  });
});
