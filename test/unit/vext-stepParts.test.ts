import * as assert from 'assert';
import { BUILTIN_DEFAULTS, PHI_NAMES, THETA_NAMES, LOSS_NAMES, REDUCTION_NAMES, runBptt, stepValues } from '../../src/core';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { vectorNormSeries, vectorStepParts } from '../../src/extension/vector/stepParts';
import { norm2 } from '../../src/shared/norm';
import { vectorCase } from './vext-model';

describe('vector step parts (hover, step table, norm series)', () => {
  it('(local + recurrent) ⊙ φ\'(s_t) is the trace\'s ∂L/∂s_t to the bit, for every φ, θ, loss and reduction', () => {
    let cases = 0;
    for (const phi of PHI_NAMES) {
      for (const theta of THETA_NAMES) {
        for (const loss of [...LOSS_NAMES, 'cross_entropy'] as const) {
          for (const reduction of REDUCTION_NAMES) {
            const n = 1 + (cases % 5);
            const { model, data } = vectorCase({ n, m: 2, k: 3, T: 9, phi, theta, loss, reduction, seed: 11 + cases, noTarget: [2, 8] });
            const tr = referenceVectorBptt(model, data);
            for (let i = 0; i < tr.T; i++) {
              const v = vectorStepParts(tr, i);
              for (let r = 0; r < n; r++) {
                assert.strictEqual(v.dL_dh[r] * v.phiPrime[r], tr.dL_ds[i * n + r], `${phi}/${theta}/${loss}/${reduction} t=${i + 1} unit ${r}`);
                assert.strictEqual(v.dL_dh[r], v.dL_dh_local[r] + v.dL_dh_recurrent[r]);
              }
            }
            cases++;
          }
        }
      }
    }
    assert.ok(cases > 100);
  });

  it('has no local part at a step without a target, and no recurrent part at the last target', () => {
    const { model, data } = vectorCase({ n: 4, m: 2, k: 2, T: 6, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', noTarget: [1, 5] });
    const tr = referenceVectorBptt(model, data);
    assert.strictEqual(tr.lastTargetT, 5);
    assert.ok(vectorStepParts(tr, 1).dL_dh_local.every((g) => g === 0));
    assert.ok(vectorStepParts(tr, 1).dL_dh_recurrent.some((g) => g !== 0));
    assert.ok(vectorStepParts(tr, 4).dL_dh_recurrent.every((g) => g === 0));
    // After the last target nothing reaches L.
    const after = vectorStepParts(tr, 5);
    assert.ok([...after.dL_dh, ...after.dL_ds].every((g) => g === 0));
  });

  it('at n = m = k = 1 the parts are the scalar step values', () => {
    for (const phi of PHI_NAMES) {
      const { model, data } = vectorCase({ n: 1, m: 1, k: 1, T: 7, phi, theta: 'sigmoid', loss: 'bce', reduction: 'mean', noTarget: [3] });
      const scalar = runBptt(
        { ...BUILTIN_DEFAULTS, w: model.W[0], v: model.V[0], b: model.b[0], u: model.U[0], c: model.c[0], h0: model.h0[0], phi, theta: 'sigmoid', loss: 'bce', reduction: 'mean' },
        { x: data.x, y: data.y, hasY: data.hasY },
      );
      const tr = referenceVectorBptt(model, data);
      for (let i = 0; i < 7; i++) {
        const v = vectorStepParts(tr, i);
        const sv = stepValues(scalar, i);
        assert.ok(Math.abs(v.dL_dh_local[0] - sv.dL_dh_local) <= 1e-15 * Math.max(1, Math.abs(sv.dL_dh_local)), `${phi} local t=${i + 1}`);
        assert.ok(Math.abs(v.dL_dh_recurrent[0] - sv.dL_dh_recurrent) <= 1e-15 * Math.max(1, Math.abs(sv.dL_dh_recurrent)), `${phi} recurrent t=${i + 1}`);
      }
    }
  });

  it('the norm series are the norms of each step\'s vectors', () => {
    const { model, data } = vectorCase({ n: 5, m: 3, k: 2, T: 20, phi: 'tanh', theta: 'identity', loss: 'cross_entropy', reduction: 'mean', noTarget: [4, 19] });
    const tr = referenceVectorBptt(model, data);
    const series = vectorNormSeries(tr);
    for (let i = 0; i < tr.T; i++) {
      const v = vectorStepParts(tr, i);
      assert.strictEqual(series.x[i], norm2(v.x));
      assert.strictEqual(series.h[i], norm2(v.h));
      assert.strictEqual(series.dL_dh[i], norm2(v.dL_dh));
      assert.strictEqual(series.dL_dh_local[i], norm2(v.dL_dh_local));
      assert.strictEqual(series.dL_dh_recurrent[i], norm2(v.dL_dh_recurrent));
      assert.strictEqual(series.dL_ds[i], norm2(v.dL_ds));
    }
    assert.strictEqual(series.dL_ds[19], 0);
  });

  it('norm2 neither overflows nor underflows, and keeps NaN and ∞', () => {
    assert.strictEqual(norm2([3, 4]), 5);
    assert.ok(Math.abs(norm2([3e200, 4e200]) / 5e200 - 1) < 1e-15);
    assert.ok(Math.abs(norm2([3e-200, 4e-200]) / 5e-200 - 1) < 1e-15);
    assert.ok(Number.isNaN(norm2([1, NaN, Infinity])));
    assert.strictEqual(norm2([1, -Infinity]), Infinity);
    assert.strictEqual(norm2([0, -0]), 0);
    assert.strictEqual(norm2([9, 3, 4, 9], 1, 2), 5);
  });
});
