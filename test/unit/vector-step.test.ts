/**
 * vectorStepValues (src/core/vector/step.ts): every per-step vector against the vector tape, the
 * identities it promises to the bit (against the trace and against the sums of the reference
 * pass), the scalar stepValues at n = m = k = 1, and where NaN or ±∞ starts.
 */
import * as assert from 'assert';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, runBptt, stepValues, type Model } from '../../src/core';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { NORM_KEYS, norm2, vectorNonFinite, vectorStepValues } from '../../src/core/vector/step';
import { vectorNormSeries } from '../../src/core/vector/series';
import type { VectorModel, VectorTrace } from '../../src/core/vector/model';
import { vectorReference } from './reference/vtape';
import { cmp, cmpVec, makeVectorCase, specOf } from './reference/vtape-cases';

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, j) => Object.is(v, b[j]));

function checkAgainstTape(label: string, tr: VectorTrace): void {
  const ref = vectorReference(specOf(tr.model), tr);
  for (let i = 0; i < tr.T; i++) {
    const v = vectorStepValues(tr, i);
    const r = ref.steps[i];
    const at = `${label} t=${i + 1}`;
    for (const q of ['s', 'h', 'hPrev', 'z', 'yhat', 'dL_dyhat', 'thetaPrime', 'phiPrime', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds'] as const) {
      cmpVec(`${at} ${q}`, v[q], r[q]);
    }
    assert.strictEqual(v.loss === null, r.loss === null, `${at}: target presence`);
    if (v.loss !== null && r.loss !== null) cmp(`${at} ℓ`, v.loss, r.loss);
  }
}

/** The identities that hold exactly, and the reference's parameter sums rebuilt from the steps in its order. */
function checkIdentities(label: string, tr: VectorTrace): void {
  const { n, m, k, W } = tr.model;
  const dW = new Float64Array(n * n), dV = new Float64Array(n * m), db = new Float64Array(n), dU = new Float64Array(k * n), dc = new Float64Array(k);
  for (let i = tr.T - 1; i >= 0; i--) {
    const v = vectorStepValues(tr, i);
    const at = `${label} t=${i + 1}`;
    assert.ok(same(v.s, tr.s.subarray(i * n, i * n + n)) && same(v.h, tr.h.subarray(i * n, i * n + n)), `${at}: s, h`);
    assert.ok(same(v.dL_ds, tr.dL_ds.subarray(i * n, i * n + n)), `${at}: ∂L/∂s`);
    assert.ok(same(v.dL_ds_next, i + 1 < tr.T ? tr.dL_ds.subarray(i * n + n, i * n + 2 * n) : new Float64Array(n)), `${at}: ∂L/∂s_{t+1}`);
    for (let r = 0; r < n; r++) {
      assert.ok(Object.is(v.dL_dh[r], v.dL_dh_local[r] + v.dL_dh_recurrent[r]), `${at}: ∂L/∂h = local + recurrent`);
      assert.ok(Object.is(v.dL_ds[r], v.dL_dh[r] * v.phiPrime[r]), `${at}: ∂L/∂s = ∂L/∂h ⊙ φ'`);
    }
    if (v.loss === null) assert.ok(v.dL_dyhat.every((g) => g === 0) && v.dL_dh_local.every((g) => g === 0), `${at}: no target, no local part`);
    if (i + 1 >= (tr.lastTargetT ?? 0)) assert.ok(v.dL_dh_recurrent.every((g) => g === 0), `${at}: no recurrent part from the last target on`);
    for (const key of NORM_KEYS) {
      const want = Math.sqrt(Array.from(v[key]).reduce((a, g) => a + g * g, 0));
      assert.ok(Math.abs(v.norms[key] - want) <= 4e-16 * 8 * want, `${at}: ‖${key}‖ ${v.norms[key]} vs ${want}`);
    }
    if (v.probs) {
      const sum = v.probs.reduce((a, p) => a + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-14, `${at}: Σ softmax = ${sum}`);
      const zMax = Math.max(...v.yhat);
      const den = v.yhat.reduce((a, z) => a + Math.exp(z - zMax), 0);
      v.probs.forEach((p, q) => assert.ok(Math.abs(p - Math.exp(v.yhat[q] - zMax) / den) < 1e-15, `${at}: softmax[${q}]`));
    }
    // The sums of the pass, rebuilt in its order (t from the last target down), to the bit.
    if (i + 1 > (tr.lastTargetT ?? 0)) continue;
    if (v.loss !== null) {
      for (let q = 0; q < k; q++) {
        const dz = v.dL_dyhat[q] * v.thetaPrime[q];
        for (let j = 0; j < n; j++) dU[q * n + j] += dz * v.h[j];
        dc[q] += dz;
      }
    }
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < n; j++) dW[r * n + j] += v.dL_ds[r] * v.hPrev[j];
      for (let j = 0; j < m; j++) dV[r * m + j] += v.dL_ds[r] * v.x[j];
      db[r] += v.dL_ds[r];
    }
  }
  assert.ok(same(dW, tr.grads.W) && same(dV, tr.grads.V) && same(db, tr.grads.b), `${label}: ∂L/∂W, V, b from the steps`);
  assert.ok(same(dU, tr.grads.U) && same(dc, tr.grads.c), `${label}: ∂L/∂U, c from the steps`);
  if (tr.T > 0) {
    const v1 = vectorStepValues(tr, 0);
    for (let r = 0; r < n; r++) {
      let acc = W[r] * v1.dL_ds[0];
      for (let j = 1; j < n; j++) acc += W[j * n + r] * v1.dL_ds[j];
      assert.ok(Object.is(acc, tr.grads.h0[r]), `${label}: ∂L/∂h0 = Wᵀ·∂L/∂s_1`);
    }
  }
}

describe('vectorStepValues: against the vector tape, and to the bit against the pass', function () {
  this.timeout(60000);
  let idx = 0;
  for (const phi of PHI_NAMES) {
    for (const loss of [...LOSS_NAMES, 'cross_entropy'] as const) {
      const c = makeVectorCase(0x57e90000 + idx, {
        n: [1, 2, 5, 17][idx % 4], m: 1 + (idx % 3), k: loss === 'cross_entropy' ? 4 : 1 + (idx % 3), T: 1 + (idx % 13),
        phi, theta: THETA_NAMES[idx % 5], loss, reduction: REDUCTION_NAMES[idx % 2],
      });
      idx++;
      it(c.label, () => {
        const tr = referenceVectorBptt(c.model, c.data);
        checkAgainstTape(c.label, tr);
        checkIdentities(c.label, tr);
      });
    }
  }

  it('at n = m = k = 1 every field is the scalar stepValues, bit for bit', () => {
    let idx2 = 0;
    for (const phi of PHI_NAMES) for (const theta of THETA_NAMES) for (const loss of LOSS_NAMES) {
      const c = makeVectorCase(0x51e00000 + idx2, { n: 1, m: 1, k: 1, T: 9, phi, theta, loss, reduction: REDUCTION_NAMES[idx2 % 2] });
      idx2++;
      const M = c.model;
      const model: Model = { w: M.W[0], v: M.V[0], b: M.b[0], u: M.U[0], c: M.c[0], h0: M.h0[0], phi, theta, loss, reduction: M.reduction };
      const st = runBptt(model, c.data);
      const vt = referenceVectorBptt(M, c.data);
      for (let i = 0; i < 9; i++) {
        const a = stepValues(st, i), b = vectorStepValues(vt, i);
        for (const q of ['s', 'h', 'hPrev', 'yhat', 'dL_dyhat', 'thetaPrime', 'phiPrime', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds', 'dL_ds_next'] as const) {
          assert.ok(Object.is(a[q], b[q][0]), `${c.label} t=${i + 1} ${q}: ${a[q]} vs ${b[q][0]}`);
        }
        assert.ok(Object.is(a.loss, b.loss), `${c.label} t=${i + 1} ℓ`);
        assert.ok(a.y === null ? b.y === null : Object.is(a.y, b.y?.[0]), `${c.label} t=${i + 1} y`);
      }
    }
  });

  it('cross_entropy: the class, the probabilities, and no y vector', () => {
    const c = makeVectorCase(3, { n: 3, m: 2, k: 5, T: 4, phi: 'tanh', theta: 'identity', loss: 'cross_entropy', reduction: 'sum', mode: 'all' });
    const v = vectorStepValues(referenceVectorBptt(c.model, c.data), 2);
    assert.strictEqual(v.cls, c.data.y[2]);
    assert.strictEqual(v.y, null);
    assert.ok(v.probs !== null);
    // ∂ℓ/∂ŷ = p − onehot(class) (reduction sum)
    v.probs.forEach((p, q) => assert.ok(Object.is(v.dL_dyhat[q], p - (q === v.cls ? 1 : 0))));
  });

  it('norm2 neither overflows nor underflows, and propagates NaN and ∞', () => {
    assert.ok(Math.abs(norm2(Float64Array.of(3e200, 4e200)) / 5e200 - 1) < 4e-16);
    assert.ok(Math.abs(norm2(Float64Array.of(3e-200, 4e-200)) / 5e-200 - 1) < 4e-16);
    assert.strictEqual(norm2(Float64Array.of(0, 0)), 0);
    assert.strictEqual(norm2(Float64Array.of(1, -Infinity)), Infinity);
    assert.ok(Number.isNaN(norm2(Float64Array.of(Infinity, NaN))));
  });
});

describe('vectorNormSeries: the norms of vectorStepValues, to the bit, over a range', () => {
  it('every φ and loss, n ∈ {1, 2, 5, 17}, with NaN/±∞ in some cases', () => {
    let idx = 0;
    for (const phi of PHI_NAMES) for (const loss of [...LOSS_NAMES, 'cross_entropy'] as const) {
      const c = makeVectorCase(0x5e000000 + idx, { n: [1, 2, 5, 17][idx % 4], m: 2, k: loss === 'cross_entropy' ? 3 : 2, T: 15, phi, theta: THETA_NAMES[idx % 5], loss, reduction: REDUCTION_NAMES[idx % 2] });
      if (idx % 5 === 4) c.data.x[7] = [NaN, Infinity, -Infinity][idx % 3];
      if (idx % 7 === 6 && loss === 'cross_entropy') c.data.y[9] = 3;
      idx++;
      const tr = referenceVectorBptt(c.model, c.data);
      const [start, end] = idx % 2 ? [0, 15] : [4, 11];
      const series = vectorNormSeries(tr, start, end);
      for (let i = start; i < end; i++) {
        const norms = vectorStepValues(tr, i).norms;
        for (const q of ['dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds'] as const) {
          assert.ok(Object.is(series[q][i - start], norms[q]), `${c.label} t=${i + 1} ‖${q}‖: ${series[q][i - start]} vs ${norms[q]}`);
        }
      }
    }
  });
});

describe('vectorNonFinite: where NaN or ±∞ starts', () => {
  function scalarOf(M: VectorModel): Model {
    return { w: M.W[0], v: M.V[0], b: M.b[0], u: M.U[0], c: M.c[0], h0: M.h0[0], phi: M.phi, theta: M.theta, loss: M.loss as Model['loss'], reduction: M.reduction };
  }

  it('finite trace: nothing', () => {
    const c = makeVectorCase(9, { n: 4, m: 2, k: 2, T: 10, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' });
    assert.deepStrictEqual(vectorNonFinite(referenceVectorBptt(c.model, c.data)), { firstNonFinite: null, origin: null });
  });

  it('NaN in x_4 unit 1: forward, t = 4, quantity x, unit 1; the same step as the scalar trace at n = 1', () => {
    const c = makeVectorCase(9, { n: 4, m: 2, k: 2, T: 10, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', mode: 'all' });
    c.data.x[3 * 2 + 1] = NaN;
    const r = vectorNonFinite(referenceVectorBptt(c.model, c.data));
    assert.deepStrictEqual(r.origin, { t: 4, quantity: 'x', unit: 1, value: NaN, direction: 'forward' });
    assert.strictEqual(r.firstNonFinite, 1); // the gradient before it is NaN too
  });

  it('a gradient that overflows going back (s_t = 0, W = 1e160): backward, at the latest step it is ±∞', () => {
    for (const n of [1, 3]) {
      const c = makeVectorCase(5, { n, m: 1, k: 1, T: 6, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', mode: 'last' });
      const M = c.model;
      M.W.fill(0);
      for (let r = 0; r < n; r++) M.W[r * n + r] = 1e160;
      M.h0.fill(0);
      M.b.fill(0);
      c.data.x.fill(0);
      const tr = referenceVectorBptt(M, c.data);
      const r = vectorNonFinite(tr);
      assert.ok(r.origin !== null && r.origin.direction === 'backward' && r.origin.t === 4, JSON.stringify(r.origin));
      assert.strictEqual(r.origin.quantity, 'dL_dh_recurrent');
      assert.strictEqual(r.firstNonFinite, 1);
      if (n === 1) {
        const st = runBptt(scalarOf(M), c.data);
        assert.strictEqual(st.nonFiniteOrigin?.t, r.origin.t);
        assert.strictEqual(st.nonFiniteOrigin?.quantity, r.origin.quantity);
        assert.strictEqual(st.firstNonFinite, r.firstNonFinite);
      }
    }
  });

  it('at n = m = k = 1 the origin is the scalar trace\'s for NaN/±∞ in x, y, w, u', () => {
    let idx = 0;
    for (const phi of PHI_NAMES) for (const where of ['x', 'y', 'W', 'U'] as const) {
      const c = makeVectorCase(0x0e100000 + idx, { n: 1, m: 1, k: 1, T: 7, phi, theta: 'identity', loss: LOSS_NAMES[idx % 5], reduction: 'sum', mode: 'random' });
      const bad = [NaN, Infinity, -Infinity][idx % 3];
      if (where === 'x' || where === 'y') c.data[where][idx % 7] = bad;
      else c.model[where][0] = bad;
      idx++;
      const st = runBptt(scalarOf(c.model), c.data);
      const r = vectorNonFinite(referenceVectorBptt(c.model, c.data));
      assert.strictEqual(r.firstNonFinite, st.firstNonFinite, `${c.label} ${where}=${bad}: first`);
      assert.strictEqual(r.origin?.t ?? null, st.nonFiniteOrigin?.t ?? null, `${c.label} ${where}=${bad}: t`);
      assert.strictEqual(r.origin?.quantity ?? null, st.nonFiniteOrigin?.quantity ?? null, `${c.label} ${where}=${bad}: quantity`);
    }
  });
});
