import * as assert from 'assert';
import * as fc from 'fast-check';
import { BUILTIN_DEFAULTS, runBptt } from '../../src/core';
import { LOSS_NAMES, PHI_NAMES, THETA_NAMES, type Model } from '../../src/core/model';
import { stepValues } from '../../src/core/trace';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { TraceSeries } from '../../src/extension/timeline/data';
import { VectorTraceSeries } from '../../src/extension/timeline/vectorData';
import { drawnText, exactScalarValue, exactVectorValue, pointExtent, pointSteps, selectedValue, stepEntry, valueEntry, type LegendKey } from '../../src/shared/legend';
import { SERIES_KEYS } from '../../src/shared/protocol';
import { bucketLayout, log10Abs, reduceSeries, type ReduceOptions } from '../../src/shared/series';
import { vectorCase } from './vext-model';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);
const fmt = (v: number | null): string => drawnText(v, false, -20);
/** Legend entries never see NaN: uPlot's data holds null for a gap (charts.ts plotArray). */
const plotted = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (v === v ? v : null));

/** The independent reading: the finite drawn values of src over steps from..to (1-based), by a plain scan. */
function scanExtent(src: ArrayLike<number>, from: number, to: number, opts: ReduceOptions): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from - 1; i < to; i++) {
    if (opts.mask && opts.mask[i] === 0) continue;
    const v = opts.log ? log10Abs(src[i], opts.floor) : src[i];
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? { lo, hi } : null;
}

describe('legend: which steps a point stands for', () => {
  it('at full resolution, each point is its own step', () => {
    const l = bucketLayout(3, 9, 3);
    assert.strictEqual(l.full, true);
    for (let k = 0; k < l.t.length; k++) assert.deepStrictEqual(pointSteps(l.t, true, k), { from: 4 + k, to: 4 + k });
    assert.strictEqual(pointSteps(l.t, true, 6), null);
    assert.strictEqual(pointSteps(l.t, true, -1), null);
  });

  it('reduced, both points of a bucket name the whole bucket, first and last included', () => {
    const l = bucketLayout(0, 30_000, 600);
    assert.strictEqual(l.full, false);
    assert.deepStrictEqual(pointSteps(l.t, false, 0), { from: 1, to: 50 });
    assert.deepStrictEqual(pointSteps(l.t, false, 1), { from: 1, to: 50 });
    assert.deepStrictEqual(pointSteps(l.t, false, 2), { from: 51, to: 100 });
    assert.deepStrictEqual(pointSteps(l.t, false, 1198), { from: 29_951, to: 30_000 });
    assert.deepStrictEqual(pointSteps(l.t, false, 1199), { from: 29_951, to: 30_000 });
    assert.strictEqual(pointSteps(l.t, false, 1200), null);
  });

  it('the buckets of any layout tile the window: every step in exactly one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 200 }), (start, n, width) => {
        const l = bucketLayout(start, start + n, width);
        let next = start + 1;
        for (let k = 0; k < l.t.length; k += l.full ? 1 : 2) {
          const span = pointSteps(l.t, l.full, k)!;
          assert.strictEqual(span.from, next);
          assert.ok(span.to >= span.from);
          next = span.to + 1;
        }
        assert.strictEqual(next, start + n + 1);
      }),
    );
  });
});

describe('legend: a series over a point’s bucket', () => {
  // Spikes, exact zeros, NaN and ±∞ at random places; a mask like a target column's.
  const value = fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e-300, -1e300) },
  );

  for (const [name, opts] of [
    ['linear', {}],
    ['log10|·| with the floor', { log: true, floor: -8 }],
  ] as const) {
    it(`is the min and max of the bucket’s steps, gaps left out (${name}, with or without a mask)`, () => {
      fc.assert(
        fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (src, width, masked) => {
          const mask = masked ? Uint8Array.from(src, (_, i) => (i % 3 === 1 ? 0 : 1)) : undefined;
          const o: ReduceOptions = { ...opts, mask };
          const l = bucketLayout(0, src.length, width);
          const drawn = plotted(reduceSeries(src, l, o));
          for (let k = 0; k < l.t.length; k++) {
            const span = pointSteps(l.t, l.full, k)!;
            assert.deepStrictEqual(pointExtent(drawn, l.full, k), scanExtent(src, span.from, span.to, o), `point ${k} (t ${span.from}–${span.to})`);
          }
        }),
      );
    });
  }

  it('a bucket of NaN and ±∞ only has no range; one with a finite value has it alone', () => {
    const src = f64([NaN, Infinity, -Infinity, NaN, 2, NaN, 5, -Infinity]);
    const l = bucketLayout(0, 8, 2);
    const drawn = plotted(reduceSeries(src, l));
    assert.strictEqual(pointExtent(drawn, false, 0), null);
    assert.strictEqual(pointExtent(drawn, false, 1), null);
    assert.deepStrictEqual(pointExtent(drawn, false, 3), { lo: 2, hi: 5 });
    assert.strictEqual(valueEntry(drawn, false, 0, true, () => 7, fmt), '—');
    assert.strictEqual(valueEntry(drawn, false, 2, true, () => 7, fmt), '2 … 5');
  });
});

describe('legend: entries', () => {
  // 10 steps on 2 px: buckets 1–5 and 6–10. Step 10 is 0.5; the last bucket's extremes are −0.852 and 1.
  const x = f64([0, 0.1, 0.2, 0.3, 0.4, 1, 0.9, -0.852, 0.7, 0.5]);
  const l = bucketLayout(0, x.length, 2);
  const drawn = plotted(reduceSeries(x, l));

  it('under the pointer on a reduced chart: the bucket’s steps and the range, never one step’s value', () => {
    assert.strictEqual(stepEntry(l.t, false, 3, true, 10), '6–10');
    assert.strictEqual(valueEntry(drawn, false, 3, true, () => 0.5, fmt), '-0.852 … 1');
    assert.strictEqual(stepEntry(l.t, false, 0, true, 10), '1–5');
    assert.strictEqual(valueEntry(drawn, false, 0, true, () => 0.5, fmt), '0 … 0.4');
  });

  it('off the charts on a reduced chart: the selected step’s exact value, or a dash until it is known', () => {
    assert.strictEqual(stepEntry(l.t, false, 3, false, 10), '10');
    assert.strictEqual(valueEntry(drawn, false, 3, false, () => x[9], fmt), '0.5');
    assert.strictEqual(valueEntry(drawn, false, 3, false, () => undefined, fmt), '—');
    assert.strictEqual(valueEntry(drawn, false, 3, false, () => null, fmt), '—');
    assert.strictEqual(stepEntry(l.t, false, 3, false, null), '—');
  });

  it('at full resolution: the step’s own value, pointer or not (as before)', () => {
    const full = bucketLayout(0, x.length, 100);
    const d = plotted(reduceSeries(x, full));
    for (const pointer of [true, false]) {
      assert.strictEqual(stepEntry(full.t, true, 9, pointer, 3), '10');
      assert.strictEqual(valueEntry(d, true, 9, pointer, () => 123, fmt), '0.5');
      assert.strictEqual(valueEntry(d, true, 7, pointer, () => 123, fmt), '-0.852');
    }
    assert.strictEqual(stepEntry(full.t, true, null, false, 3), '—');
    assert.strictEqual(valueEntry(d, true, null, false, () => 123, fmt), '—');
  });

  it('log scale: magnitudes, and 0 where log10 of an exact zero sits at the floor', () => {
    const g = f64([0, 0, 3e-7, 0, 2e-3, 0, 0, 0]);
    const floor = -8;
    const lg = bucketLayout(0, g.length, 2);
    const d = plotted(reduceSeries(g, lg, { log: true, floor }));
    const text = (v: number | null): string => drawnText(v, true, floor);
    assert.strictEqual(valueEntry(d, false, 0, true, () => undefined, text), '0 … 3e-7');
    assert.strictEqual(valueEntry(d, false, 2, true, () => undefined, text), '0 … 0.002');
    assert.strictEqual(valueEntry(d, false, 2, false, () => log10Abs(0, floor), text), '0');
    assert.strictEqual(valueEntry(d, false, 2, false, () => log10Abs(-2e-3, floor), text), '0.002');
    assert.strictEqual(drawnText(null, true, floor), '—');
    assert.strictEqual(drawnText(-1.5, false, floor), '-1.5');
  });
});

describe('legend: the selected step’s exact values are what the chart draws at full resolution', () => {
  const T = 240;
  const x = Float64Array.from({ length: T }, (_, i) => Math.sin(0.37 * i) + (i === 150 ? 40 : 0));
  // No targets at odd steps, nor in the last 30: the gradients are exactly 0 there (log floor).
  const hasY = Uint8Array.from({ length: T }, (_, i) => (i % 2 === 0 && i < T - 30 ? 1 : 0));
  const y = Float64Array.from({ length: T }, (_, i) => (hasY[i] ? Math.cos(0.11 * i) : NaN));
  const models: Model[] = [];
  for (const phi of PHI_NAMES) models.push({ ...BUILTIN_DEFAULTS, phi, w: 0.9, theta: 'identity', loss: 'squared' });
  for (const theta of THETA_NAMES) for (const loss of LOSS_NAMES) models.push({ ...BUILTIN_DEFAULTS, theta, loss, w: 1.1, reduction: 'mean' });
  // Overflow: the values go to ±∞ and NaN, which the chart leaves as gaps.
  models.push({ ...BUILTIN_DEFAULTS, phi: 'identity', w: 30 });

  it('for every series of every activation and loss, scalar model', async () => {
    for (const model of models) {
      const trace = runBptt(model, { x, y, hasY });
      const ts = await TraceSeries.prepare(trace);
      const floor = ts.summary({ uri: 'file:///a.csv', fileName: 'a.csv', version: 1, durationMs: 0 }).logFloor;
      const w = await ts.window(0, T, 1000);
      assert.ok(w.full);
      for (const key of SERIES_KEYS) {
        for (let i = 0; i < T; i++) {
          const exact = exactScalarValue(stepValues(trace, i), key, floor);
          if (key === 'sum_w' || key === 'sum_v') {
            assert.strictEqual(exact, undefined, key);
            continue;
          }
          const chart = w.values[key][i];
          assert.strictEqual(exact, chart === chart ? chart : null, `${model.phi}/${model.theta}/${model.loss} ${key} at t = ${i + 1}`);
        }
      }
    }
  });

  it('for every norm and σ_max of a vector model', () => {
    const { model, data } = vectorCase({ n: 5, m: 3, k: 2, T: 30, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', noTarget: [4, 20, 29], wScale: 0.5 });
    const tr = referenceVectorBptt(model, data);
    const sigma = Float64Array.from({ length: tr.T }, (_, i) => (i === 3 ? 0 : 0.5 + i / 100));
    const series = new VectorTraceSeries(tr, { sigma, normW: 0.8, maxPhiPrime: 1, horizonMedian: 7, horizonMax: 12 });
    const w = series.window(0, tr.T, 1000);
    assert.ok(w.full);
    const keys: LegendKey[] = [...SERIES_KEYS, 'sigma_max', 'log_sigma_max'];
    for (const key of keys) {
      for (let i = 0; i < tr.T; i++) {
        const exact = exactVectorValue(series.step(i), key, series.logFloor);
        const chart = key === 'sigma_max' || key === 'log_sigma_max' ? w.vector![key][i] : w.values[key][i];
        const gap = key === 'y' || key === 'yhat' || key === 'sum_w' || key === 'sum_v';
        assert.strictEqual(exact, gap ? undefined : chart === chart ? chart : null, `${key} at t = ${i + 1}`);
      }
    }
  });

  it('only the values of the selected step itself are used', () => {
    const trace = runBptt(BUILTIN_DEFAULTS, { x, y, hasY });
    const step = stepValues(trace, 9);
    assert.strictEqual(selectedValue({ step, vectorStep: null }, 10, 'x', -20), x[9]);
    assert.strictEqual(selectedValue({ step, vectorStep: null }, 11, 'x', -20), undefined);
    assert.strictEqual(selectedValue({ step: null, vectorStep: null }, 10, 'x', -20), undefined);
    assert.strictEqual(selectedValue({ step, vectorStep: null }, 10, 'y', -20), null, 'no target at t = 10');
  });
});
