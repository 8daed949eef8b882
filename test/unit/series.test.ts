import * as assert from 'assert';
import * as fc from 'fast-check';
import { BUILTIN_DEFAULTS, runBptt } from '../../src/core';
import { TraceSeries } from '../../src/extension/timeline/data';
import {
  backwardSums,
  bandCaptions,
  bandRuns,
  describeRun,
  gradientBands,
  bucketLayout,
  log10Abs,
  logFloorFor,
  magnitudeRange,
  prefersLog,
  reduceSeries,
} from '../../src/shared/series';

const f64 = (a: number[]) => Float64Array.from(a);

describe('series: bucket layout', () => {
  it('keeps every step when the window has at most 2×width steps', () => {
    const l = bucketLayout(3, 9, 3);
    assert.strictEqual(l.full, true);
    assert.deepStrictEqual(Array.from(l.t), [4, 5, 6, 7, 8, 9]);
  });

  it('makes two points per pixel otherwise, at each bucket’s first and last t', () => {
    const l = bucketLayout(0, 100, 10);
    assert.strictEqual(l.full, false);
    assert.strictEqual(l.t.length, 20);
    assert.deepStrictEqual(Array.from(l.t.slice(0, 4)), [1, 10, 11, 20]);
    assert.strictEqual(l.bounds[0], 0);
    assert.strictEqual(l.bounds[10], 100);
  });

  it('covers every step exactly once for any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 }), (start, n, width) => {
        const l = bucketLayout(start, start + n, width);
        assert.ok(l.t.length <= 2 * width);
        if (!l.full) {
          for (let b = 0; b + 1 < l.bounds.length; b++) assert.ok(l.bounds[b + 1] > l.bounds[b]);
          assert.strictEqual(l.bounds[0], start);
          assert.strictEqual(l.bounds[l.bounds.length - 1], start + n);
        }
      }),
    );
  });
});

describe('series: min/max reduction', () => {
  it('keeps a one-step spike and the order of min and max within a bucket', () => {
    const v = new Float64Array(1000);
    v[517] = 42; // spike up
    v[300] = -7; // dip
    const l = bucketLayout(0, 1000, 10);
    const out = reduceSeries(v, l);
    assert.strictEqual(Math.max(...out), 42);
    assert.strictEqual(Math.min(...out), -7);
    // Bucket 5 holds [500, 600): 0 occurs first (at 500), then the spike.
    assert.deepStrictEqual([out[10], out[11]], [0, 42]);
    // Bucket 3 holds [300, 400): the dip comes first.
    assert.deepStrictEqual([out[6], out[7]], [-7, 0]);
  });

  it('min and max of each bucket agree with a brute force for random data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 40 }), (a, width) => {
        const src = f64(a);
        const l = bucketLayout(0, a.length, width);
        const out = reduceSeries(src, l);
        if (l.full) {
          assert.deepStrictEqual(Array.from(out), a.map((v) => v));
          return;
        }
        for (let b = 0; b + 1 < l.bounds.length; b++) {
          const part = a.slice(l.bounds[b], l.bounds[b + 1]);
          const pair = [out[2 * b], out[2 * b + 1]];
          assert.strictEqual(Math.min(...pair), Math.min(...part));
          assert.strictEqual(Math.max(...pair), Math.max(...part));
        }
      }),
    );
  });

  it('turns NaN, ±Inf and masked-out steps into gaps', () => {
    const src = f64([1, NaN, Infinity, -Infinity, 5]);
    const out = reduceSeries(src, bucketLayout(0, 5, 10), { mask: Uint8Array.from([1, 1, 1, 1, 0]) });
    assert.ok(out[0] === 1 && [1, 2, 3, 4].every((k) => Number.isNaN(out[k])));
    const buckets = reduceSeries(f64([NaN, NaN, NaN, 2, NaN, -1]), bucketLayout(0, 6, 2));
    assert.ok(Number.isNaN(buckets[0]) && Number.isNaN(buckets[1]));
    assert.deepStrictEqual([buckets[2], buckets[3]], [2, -1]);
  });

  it('log mode: log10|v|, zeros at the floor, extremes by magnitude', () => {
    assert.strictEqual(log10Abs(-1000), 3);
    assert.strictEqual(log10Abs(0, -9), -9);
    assert.strictEqual(log10Abs(1e-20, -9), -9);
    assert.ok(Number.isNaN(log10Abs(Infinity)) && Number.isNaN(log10Abs(NaN)));
    const src = f64([-1e5, 1e-3, 0, 10, 1, 1]);
    const out = reduceSeries(src, bucketLayout(0, 6, 1), { log: true, floor: -8 });
    // Largest |v| (1e5) comes before the smallest (0 → floor).
    assert.deepStrictEqual(Array.from(out), [5, -8]);
  });
});

describe('series: backward sums', () => {
  it('S_1 equals the backward pass’s ∂L/∂w and ∂L/∂v to the bit', () => {
    const T = 500;
    const x = new Float64Array(T).map((_, i) => Math.sin(i * 0.37));
    const y = new Float64Array(T).map((_, i) => Math.cos(i * 0.11));
    const hasY = new Uint8Array(T).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const tr = runBptt({ ...BUILTIN_DEFAULTS, w: 0.9, v: 0.7, h0: 0.3, reduction: 'mean' }, { x, y, hasY });
    const { sum_w, sum_v } = backwardSums(tr.dL_ds, tr.h, tr.x, tr.model.h0);
    assert.strictEqual(sum_w[0], tr.grads.w);
    assert.strictEqual(sum_v[0], tr.grads.v);
    assert.strictEqual(sum_w[T - 1], tr.dL_ds[T - 1] * tr.h[T - 2]);
  });
});

describe('series: magnitudes and log default', () => {
  it('finds the non-zero finite magnitude range', () => {
    assert.deepStrictEqual(magnitudeRange(f64([0, -3, 1e-7, NaN, Infinity])), { maxAbs: 3, minAbs: 1e-7 });
    const none = magnitudeRange(f64([0, NaN]));
    assert.ok(Number.isNaN(none.maxAbs) && Number.isNaN(none.minAbs));
    assert.strictEqual(logFloorFor(1e-7), -8);
    assert.strictEqual(logFloorFor(NaN), -1);
    assert.strictEqual(logFloorFor(Infinity), -1);
    assert.strictEqual(prefersLog({ maxAbs: 1, minAbs: 1e-5 }), true);
    assert.strictEqual(prefersLog({ maxAbs: 1, minAbs: 1e-3 }), false);
    assert.strictEqual(prefersLog({ maxAbs: NaN, minAbs: NaN }), false);
  });
});

describe('timeline data (host side)', () => {
  const T = 10_000;
  const x = new Float64Array(T).map((_, i) => Math.sin(i * 0.01));
  const y = new Float64Array(T).map((_, i) => (i % 2 ? NaN : 0.5));
  const hasY = new Uint8Array(T).map((_, i) => (i % 2 ? 0 : 1));
  const trace = runBptt({ ...BUILTIN_DEFAULTS, w: 0.8 }, { x, y, hasY });

  it('overview is bounded by the width, a zoom window is at full resolution', async () => {
    const ts = await TraceSeries.prepare(trace);
    const ov = await ts.window(0, T, 300);
    assert.strictEqual(ov.full, false);
    assert.strictEqual(ov.t.length, 600);
    for (const arr of Object.values(ov.values)) assert.strictEqual(arr.length, 600);
    const win = await ts.window(100, 400, 300);
    assert.strictEqual(win.full, true);
    assert.strictEqual(win.t[0], 101);
    assert.strictEqual(win.values.dL_ds[0], trace.dL_ds[100]);
    assert.ok(Number.isNaN(win.values.y[1]), 'missing target is a gap');
    assert.strictEqual(win.values.sum_w.length, 300);
  });

  it('summary carries the pass’s numbers and a floor below every magnitude', async () => {
    const ts = await TraceSeries.prepare(trace);
    const s = ts.summary({ uri: 'file:///a.csv', fileName: 'a.csv', version: 1, durationMs: 2 });
    assert.strictEqual(s.T, T);
    assert.strictEqual(s.grads.w, trace.grads.w);
    assert.ok(s.logFloor < Math.log10(s.minAbs_dL_ds));
    // Targets at even indices only: the last one is index T − 2, i.e. t = T − 1.
    assert.strictEqual(s.lastTargetT, T - 1);
    assert.strictEqual(ts.sum_w[0], trace.grads.w);
  });

  it('clamps windows to the trace', async () => {
    const ts = await TraceSeries.prepare(trace);
    const w = await ts.window(T - 5, T + 50, 100);
    assert.deepStrictEqual([w.start, w.end, w.t.length], [T - 5, T, 5]);
  });
});

describe('series: vanishing / exploding bands', () => {
  it('marks runs below the vanishing and above the exploding threshold, merging neighbours', () => {
    const t = [1, 2, 3, 4, 5, 6];
    const logs = [-7, -7, 0, 7, 7, NaN];
    assert.deepStrictEqual(gradientBands(t, logs, -20, 1e-6, 1e6), [
      { kind: 'vanished', t0: 0.5, t1: 2.5 },
      { kind: 'exploded', t0: 3.5, t1: 5.5 },
    ]);
  });

  it('does not mark the zero gradients after the last target', () => {
    assert.deepStrictEqual(gradientBands([1, 2, 3, 4], [-7, 0, -20, -20], -20, 1e-6, 1e6), [{ kind: 'vanished', t0: 0.5, t1: 1.5 }]);
    assert.deepStrictEqual(gradientBands([1, 2], [-20, -20], -20, 1e-6, 1e6), []);
  });
});

describe('series: band captions', () => {
  it('turns bands into whole-step runs inside 1..T', () => {
    const bands = gradientBands([1, 2, 3, 4, 5, 6], [-7, -7, 0, 7, 7, 0], -20, 1e-6, 1e6);
    assert.deepStrictEqual(bandRuns(bands, 6), [
      { kind: 'vanished', from: 1, to: 2 },
      { kind: 'exploded', from: 4, to: 5 },
    ]);
    assert.deepStrictEqual(bandRuns([{ kind: 'vanished', t0: 0.5, t1: 60.5 }], 60), [{ kind: 'vanished', from: 1, to: 60 }]);
  });

  it('says where a run lies as a person reads it', () => {
    assert.strictEqual(describeRun({ from: 1, to: 47 }, 60), 't ≤ 47');
    assert.strictEqual(describeRun({ from: 50, to: 60 }, 60), 't ≥ 50');
    assert.strictEqual(describeRun({ from: 3, to: 9 }, 60), 't = 3…9');
    assert.strictEqual(describeRun({ from: 7, to: 7 }, 60), 't = 7');
    assert.strictEqual(describeRun({ from: 1, to: 60 }, 60), 'every step (t = 1…60)');
  });

  it('writes one sentence per kind, naming at most three stretches', () => {
    assert.deepStrictEqual(bandCaptions([{ kind: 'vanished', from: 1, to: 47 }], 60, '1e-6', '1e6'), [
      { kind: 'vanished', text: '|∂L/∂s_t| falls below 1e-6 for t ≤ 47: the gradient has vanished there.' },
    ]);
    const runs = [1, 5, 9, 13, 17].map((from) => ({ kind: 'exploded' as const, from, to: from + 1 }));
    const [c] = bandCaptions(runs, 60, '1e-6', '1e6');
    assert.strictEqual(c.text, '|∂L/∂s_t| exceeds 1e6 for t ≤ 2, t = 5…6, t = 9…10 and 2 more stretches: the gradient has exploded there.');
    assert.deepStrictEqual(bandCaptions([], 60, '1e-6', '1e6'), []);
  });
});
