import * as assert from 'assert';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { VectorTraceSeries } from '../../src/extension/timeline/vectorData';
import { vectorStepValues } from '../../src/core/vector/step';
import { heatStrip } from '../../src/shared/heatStrip';
import { norm2 } from '../../src/core/vector/norm';
import { bucketLayout, log10Abs } from '../../src/shared/series';
import { vectorCase } from './vext-model';

describe('VectorTraceSeries (the timeline of a vector model)', () => {
  const { model, data } = vectorCase({ n: 6, m: 3, k: 2, T: 40, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', noTarget: [5, 39], wScale: 0.5 });
  const tr = referenceVectorBptt(model, data);
  const sigma = Float64Array.from({ length: tr.T }, (_, i) => 0.5 + i / 100);
  const series = new VectorTraceSeries(tr, { sigma, normW: 0.8, maxPhiPrime: 1, horizonMedian: 7, horizonMax: 12 });
  const meta = { uri: 'file:///a.csv', fileName: 'a.csv', version: 1, durationMs: 2 };

  it('summarises the model, the gradients\' norms, ‖W‖₂, Pascanu\'s bound and σ_max\'s range over t < T', () => {
    const s = series.summary(meta);
    assert.strictEqual(s.T, 40);
    assert.strictEqual(s.loss, tr.loss);
    assert.deepStrictEqual([s.vector.n, s.vector.m, s.vector.k], [6, 3, 2]);
    assert.strictEqual(s.vector.gradNorms.W, norm2(tr.grads.W));
    assert.strictEqual(s.vector.gradNorms.h0, norm2(tr.grads.h0));
    assert.strictEqual(s.vector.pascanuBound, 0.8);
    assert.strictEqual(s.vector.vanishingGuaranteed, true);
    assert.strictEqual(s.vector.sigmaMin, 0.5);
    assert.strictEqual(s.vector.sigmaMax, 0.5 + 38 / 100);
    assert.deepStrictEqual([s.vector.horizonMedian, s.vector.horizonMax], [7, 12]);
    let max = 0;
    for (let i = 0; i < tr.T; i++) max = Math.max(max, norm2(tr.dL_ds.subarray(i * 6, i * 6 + 6)));
    assert.strictEqual(s.maxAbs_dL_ds, max);
    const notGuaranteed = new VectorTraceSeries(tr, { sigma, normW: 1.5, maxPhiPrime: 1, horizonMedian: 7, horizonMax: 12 }).summary(meta);
    assert.strictEqual(notGuaranteed.vector.vanishingGuaranteed, false);
  });

  it('a full-resolution window holds every step\'s norms, σ_max (a gap at t = T) and the heat strip', () => {
    const w = series.window(30, 40, 500);
    assert.ok(w.full);
    assert.deepStrictEqual([...w.t], [31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    for (let k = 0; k < 10; k++) {
      const v = vectorStepValues(tr, 30 + k);
      assert.strictEqual(w.values.dL_ds[k], norm2(v.dL_ds));
      assert.strictEqual(w.values.dL_dh_recurrent[k], norm2(v.dL_dh_recurrent));
      assert.strictEqual(w.values.h[k], norm2(v.h));
      assert.strictEqual(w.values.log_dL_dh[k], log10Abs(norm2(v.dL_dh), series.logFloor));
      assert.ok(Number.isNaN(w.values.y[k]) && Number.isNaN(w.values.sum_w[k]));
    }
    const vec = w.vector;
    assert.ok(vec);
    assert.strictEqual(vec.sigma_max[0], sigma[30]);
    assert.ok(Number.isNaN(vec.sigma_max[9]), 'J_T is not drawn');
    assert.strictEqual(vec.log_sigma_max[0], Math.log10(sigma[30]));
    assert.deepStrictEqual(vec.heat, heatStrip(tr.dL_ds, 6, bucketLayout(30, 40, 500), series.heatFloor));
    // After the last target nothing reaches L: the strip is at its floor there.
    for (let r = 0; r < 6; r++) assert.strictEqual(vec.heat.values[r * 10 + 9], series.heatFloor);
  });

  it('the heat floor lies below every non-zero component, so no small gradient is drawn as 0', () => {
    const w = series.window(0, 40, 500);
    for (let i = 0; i < 39 * 6; i++) {
      const g = Math.abs(tr.dL_ds[i]);
      if (g > 0) assert.ok(Math.log10(g) > series.heatFloor);
    }
    assert.ok(w.vector && w.vector.heat.values.every((v, o) => (o % 40 === 39) === (v === series.heatFloor)));
  });

  it('a window of many steps per pixel shares its layout with the heat strip', () => {
    const w = series.window(0, 40, 5);
    assert.ok(!w.full);
    assert.strictEqual(w.vector?.heat.cols, 5);
    assert.strictEqual(w.t.length, 10);
  });

  it('the selected step carries every vector and its σ_max', () => {
    const v = series.step(3);
    assert.strictEqual(v.t, 4);
    assert.strictEqual(v.T, 40);
    assert.strictEqual(v.sigma, sigma[3]);
    assert.strictEqual(v.hasTarget, true);
    assert.strictEqual(series.step(5).hasTarget, false);
    assert.deepStrictEqual([...v.dL_ds], [...tr.dL_ds.subarray(18, 24)]);
    assert.strictEqual(v.x.length, 3);
  });
});
