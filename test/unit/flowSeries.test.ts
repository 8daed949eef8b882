import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BUILTIN_DEFAULTS, runBptt } from '../../src/core';
import { compareGrads, flowInputs, lagShare, gradientByLag } from '../../src/flow';
import { computeFlow, flowStep, flowView } from '../../src/extension/timeline/flowData';
import { parseSequence } from '../../src/parse';
import {
  cutPoints, decadeTicks, defaultLags, factorEquation, heatColor, heatLevel, lagRows, logFactors, minMaxBuckets, parseColor, productsBack, shareSentence,
} from '../../src/shared/flowSeries';

describe('flowSeries (pure data preparation)', () => {
  it('writes the factor equation with its numbers', () => {
    assert.strictEqual(factorEquation(0.9, 0.66, 2), "∂s_{t+1}/∂s_t = w·φ'(s_t) = 0.9 · 0.66 = 0.59");
    assert.strictEqual(factorEquation(-0.5, 0.5, 3), "∂s_{t+1}/∂s_t = w·φ'(s_t) = (-0.5) · 0.5 = -0.25");
  });

  it('takes log10|f| with zeros at a floor below every value, and keeps a dip when downsampling', () => {
    const { values, floor } = logFactors([1, 0.01, 0, -10, NaN]);
    assert.deepStrictEqual(Array.from(values.subarray(0, 4)), [0, -2, floor, 1]);
    assert.ok(floor < -2 && Number.isNaN(values[4]));
    const many = new Float64Array(1000).fill(0);
    many[537] = -7;
    const b = minMaxBuckets(many, 10);
    assert.strictEqual(b.t.length, 10);
    assert.strictEqual(b.min[5], -7);
    assert.strictEqual(b.max[5], 0);
    assert.strictEqual(Math.min(...b.min), -7);
    assert.strictEqual(b.t[0], 1);
  });

  it('multiplies the factors back from a step', () => {
    const f = [0.5, 2, 0.25, 4];
    // ∂s_4/∂s_3 = f_3 (index 2), ∂s_4/∂s_1 = f_1·f_2·f_3
    assert.deepStrictEqual(productsBack(f, 4, [1, 3, 9]), [{ d: 1, to: 3, product: 0.25 }, { d: 3, to: 1, product: 0.25 }]);
    assert.deepStrictEqual(defaultLags(120), [1, 2, 5, 10, 20, 50, 100, 119]);
  });

  it('lag rows: signed values, cumulative shares of |G|, the rest and "> K"', () => {
    const G = Float64Array.from([4, -2, 1, 1]);
    const rows = lagRows(G, -2, false, 2);
    assert.deepStrictEqual(rows.map((r) => r.lag), ['0', '1', '2…3', '> 3']);
    assert.deepStrictEqual(rows.map((r) => r.value), [4, -2, 2, -2]);
    assert.deepStrictEqual(rows.map((r) => r.share), [0.4, 0.6, 0.8, 1]);
    assert.strictEqual(lagShare(G, -2, 0.5).lagAt, 1);
    assert.strictEqual(shareSentence('w', 7, 1000), '90 % of ∂L/∂w comes from lags ≤ 7');
    assert.strictEqual(shareSentence('w', null, 1000), '90 % of ∂L/∂w comes from lags > 1000');
  });

  it('maps |∂ℓ/∂s| to colours on a log scale between two theme colours', () => {
    assert.deepStrictEqual(parseColor('#1e1e1e'), [30, 30, 30]);
    assert.deepStrictEqual(parseColor('#fff'), [255, 255, 255]);
    assert.deepStrictEqual(parseColor('rgba(55, 148, 255, 0.5)'), [55, 148, 255]);
    assert.strictEqual(parseColor('blue'), null);
    const low: [number, number, number] = [0, 0, 0], high: [number, number, number] = [200, 100, 0], bad: [number, number, number] = [9, 9, 9];
    assert.strictEqual(heatLevel(1e-3, 1e-6, 1), 0.5);
    assert.deepStrictEqual(heatColor(1e-3, 1e-6, 1, low, high, bad), [100, 50, 0]);
    assert.deepStrictEqual(heatColor(0, 1e-6, 1, low, high, bad), low);
    assert.deepStrictEqual(heatColor(1, 1e-6, 1, low, high, bad), high);
    assert.deepStrictEqual(heatColor(NaN, 1e-6, 1, low, high, bad), bad);
    assert.deepStrictEqual(decadeTicks(3e-7, 2, 10), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
  });

  it('marks the truncate=k cut points k, 2k, … before T', () => {
    assert.deepStrictEqual(cutPoints(12, 5), [5, 10]);
    assert.deepStrictEqual(cutPoints(10, 5), [5]);
    assert.deepStrictEqual(cutPoints(4, 5), []);
  });
});

describe('timeline flowData', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../../samples/truncation.csv'), 'utf8');
  const parsed = parseSequence(text, 'csv');
  const trace = runBptt(parsed.model, parsed);
  const settings = { horizonRatio: 1e-3, lagK: 1000, truncate: 5, horizon: 0 };

  it('compares the truncate=5 gradient with the full one as src/flow does', () => {
    const r = computeFlow(trace, undefined, settings)!;
    const tr = r.view.truncation!;
    assert.strictEqual(tr.kind, 'truncate');
    assert.ok(Math.abs(tr.compare.w.relBias - -0.4421) < 1e-3, String(tr.compare.w.relBias));
    // The sweep at k = 5 is the same bias.
    assert.ok(Math.abs(tr.sweep.bias.w[4] - tr.compare.w.bias) < 1e-12);
    // Σ_d G(d) is the gradient.
    const G = r.view.lag.G.w;
    assert.ok(Math.abs(G.reduce((a, b) => a + b, 0) - trace.grads.w) < 1e-12);
    const v = flowView(r, 100);
    assert.ok(v.factorLog.t.length <= 200 && v.factorLog.t.length > 0);
  });

  it('the file’s directive wins over the settings; horizon=k bias matches compareGrads', () => {
    const r = computeFlow(trace, { horizon: 5 }, settings)!;
    const inp = flowInputs(trace);
    const lag = gradientByLag(trace, inp)!;
    let g = 0;
    for (let d = 0; d < 5; d++) g += lag.G.w[d];
    const want = compareGrads({ ...trace.grads, w: g }, trace.grads).w.relBias;
    assert.strictEqual(r.view.truncation!.kind, 'horizon');
    assert.ok(Math.abs(r.view.truncation!.compare.w.relBias - want) < 1e-12);
  });

  it('a selected step carries its factor, products back, horizon and a connectivity window', () => {
    const r = computeFlow({ ...runBptt({ ...BUILTIN_DEFAULTS, w: 0.5 }, parsed) }, undefined, { ...settings, truncate: 0 })!;
    const s = flowStep(r, 30)!;
    assert.strictEqual(s.factor, r.factor[29]);
    assert.strictEqual(s.products[0].product, r.factor[28]);
    assert.strictEqual(s.connectivity.cols, Math.min(60, 512));
  });
});

describe('truncate / horizon keys', () => {
  it('reads them in the directive and the JSON bptt object', () => {
    assert.deepStrictEqual(parseSequence('# bptt: w=0.5 truncate=5\nx,y\n1,2\n', 'csv').truncation, { truncate: 5 });
    assert.deepStrictEqual(parseSequence('{"bptt": {"horizon": 3}, "x": [1], "y": [2]}', 'json').truncation, { horizon: 3 });
  });

  it('reports a k that is not a whole number ≥ 1 at its value', () => {
    const p = parseSequence('# bptt: truncate=0.5\nx,y\n1,2\n', 'csv');
    assert.strictEqual(p.errors.length, 1);
    assert.match(p.errors[0].message, /truncate must be a whole number ≥ 1/);
    assert.strictEqual(p.errors[0].col, 17);
    const j = parseSequence('{"bptt": {"horizon": 0}, "x": [1]}', 'json');
    assert.match(j.errors[0].message, /horizon must be a whole number ≥ 1/);
  });
});
