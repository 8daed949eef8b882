/**
 * runBptt runs its loops in chunks with one-code step functions (a performance layout, see the
 * note in src/core/bptt.ts). This checks it against the plain single-loop pass, written here with
 * act/dact/loss/dloss directly, bit for bit, across chunk boundaries and every model choice.
 */
import * as assert from 'node:assert/strict';
import { act, actCode, dact } from '../../src/core/activations';
import { dloss, loss, lossCode } from '../../src/core/losses';
import { runBptt, stepValues, type SequenceData } from '../../src/core/bptt';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core/model';

/** The straightforward pass: one forward loop, one backward loop, same operations in the same order. */
function plainBptt(model: Model, data: SequenceData) {
  const { x, y, hasY } = data;
  const T = x.length;
  const { w, v, b, u, c, h0 } = model;
  const phi = actCode(model.phi);
  const theta = actCode(model.theta);
  const ell = lossCode(model.loss);
  let nTargets = 0;
  let lastTarget = -1;
  for (let t = 0; t < T; t++) {
    if (hasY[t] !== 0) {
      nTargets++;
      lastTarget = t;
    }
  }
  const scale = model.reduction === 'sum' ? 1 : nTargets > 0 ? 1 / nTargets : 0;
  const s = new Float64Array(T);
  const h = new Float64Array(T);
  const dL_ds = new Float64Array(T);
  let hPrev = h0;
  for (let t = 0; t < T; t++) {
    const st = w * hPrev + v * x[t] + b;
    const ht = act(phi, st);
    s[t] = st;
    h[t] = ht;
    hPrev = ht;
  }
  let L = 0;
  let dw = 0, dv = 0, db = 0, du = 0, dc = 0;
  let next = 0;
  for (let t = lastTarget; t >= 0; t--) {
    const ht = h[t];
    let local = 0;
    if (hasY[t] !== 0) {
      const z = u * ht + c;
      const yhat = act(theta, z);
      const lt = loss(ell, yhat, y[t]);
      const dL_dyhat = scale * dloss(ell, yhat, y[t]);
      const dL_dz = dL_dyhat * dact(theta, z, yhat);
      local = dL_dz * u;
      L += lt;
      du += dL_dz * ht;
      dc += dL_dz;
    }
    const dL_dh = local + (t < lastTarget ? w * next : 0);
    const dL_dst = dL_dh * dact(phi, s[t], ht);
    dL_ds[t] = dL_dst;
    dw += dL_dst * (t > 0 ? h[t - 1] : h0);
    dv += dL_dst * x[t];
    db += dL_dst;
    next = dL_dst;
  }
  const Lr = model.reduction === 'mean' ? (nTargets > 0 ? L / nTargets : 0) : L;
  return { s, h, dL_ds, L: Lr, grads: { w: dw, v: dv, b: db, u: du, c: dc, h0: T > 0 ? w * dL_ds[0] : 0 }, nTargets, lastTarget };
}

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

describe('runBptt in chunks = the plain two-loop pass, bit for bit', () => {
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
            const got = runBptt(model, data);
            const want = plainBptt(model, data);
            const what = `${phi}/${theta}/${lossName}/${reduction} T=${T}`;
            assertSameArray(`${what} s`, got.s, want.s);
            assertSameArray(`${what} h`, got.h, want.h);
            assertSameArray(`${what} dL_ds`, got.dL_ds, want.dL_ds);
            assert.ok(sameBits(got.loss, want.L), `${what} L: ${got.loss} ≠ ${want.L}`);
            for (const key of ['w', 'v', 'b', 'u', 'c', 'h0'] as const) {
              assert.ok(sameBits(got.grads[key], want.grads[key]), `${what} ∂L/∂${key}: ${got.grads[key]} ≠ ${want.grads[key]}`);
            }
            assert.equal(got.nTargets, want.nTargets);
            assert.equal(got.lastTarget, want.lastTarget);
            // stepValues reproduces the stored ∂L/∂s_t from its parts, on both sides of a chunk edge.
            for (const i of [0, 254, 255, 256, 257, T - 1]) {
              if (i < 0 || i >= T || i > got.lastTarget) continue;
              const sv = stepValues(got, i);
              assert.ok(sameBits(sv.dL_dh * sv.phiPrime, got.dL_ds[i]), `${what} stepValues at ${i}`);
            }
          }
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
