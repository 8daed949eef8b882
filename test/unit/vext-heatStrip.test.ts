import * as assert from 'assert';
import { heatStrip } from '../../src/shared/heatStrip';
import { bucketLayout } from '../../src/shared/series';

/** T×n row-major from a function of (0-based step, unit). */
function grid(T: number, n: number, f: (i: number, r: number) => number): Float64Array {
  return Float64Array.from({ length: T * n }, (_, o) => f(Math.floor(o / n), o % n));
}

describe('heatStrip', () => {
  it('at full resolution is log10|∂L/∂s_t,i| per step, units as rows, with exact zeros at the floor', () => {
    const g = grid(4, 2, (i, r) => (r === 0 ? 10 ** -i : i === 3 ? 0 : -(10 ** i)));
    const strip = heatStrip(g, 2, bucketLayout(0, 4, 100), -9);
    assert.strictEqual(strip.cols, 4);
    assert.deepStrictEqual([...strip.t0], [1, 2, 3, 4]);
    assert.deepStrictEqual([...strip.t1], [1, 2, 3, 4]);
    assert.deepStrictEqual([...strip.values.subarray(0, 4)], [0, -1, -2, -3]);
    assert.deepStrictEqual([...strip.values.subarray(4, 8)], [0, 1, 2, -9]);
    assert.strictEqual(strip.min, -3);
    assert.strictEqual(strip.max, 2);
  });

  it('a zoom window covers exactly its steps', () => {
    const g = grid(10, 3, (i, r) => (i + 1) * 10 ** r);
    const strip = heatStrip(g, 3, bucketLayout(4, 7, 100), -5);
    assert.deepStrictEqual([...strip.t0], [5, 6, 7]);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) assert.strictEqual(strip.values[r * 3 + c], Math.log10((5 + c) * 10 ** r));
  });

  it('a one-step spike survives when many steps share a pixel column', () => {
    const T = 100_000;
    const n = 3;
    const g = grid(T, n, () => 1e-8);
    g[77_777 * n + 1] = 1e5;
    const layout = bucketLayout(0, T, 50);
    assert.strictEqual(layout.full, false);
    const strip = heatStrip(g, n, layout, -20);
    assert.strictEqual(strip.cols, 50);
    const col = strip.t0.findIndex((t0, c) => t0 <= 77_778 && strip.t1[c] >= 77_778);
    assert.strictEqual(strip.values[1 * 50 + col], 5);
    // Only that unit and column are hot; every other pixel keeps the background.
    let hot = 0;
    for (const v of strip.values) if (v > -8 + 1e-9) hot++;
    assert.strictEqual(hot, 1);
    assert.strictEqual(strip.max, 5);
    assert.ok(Math.abs(strip.min + 8) < 1e-12);
  });

  it('NaN wins its pixel, then ±∞; neither enters the colour scale', () => {
    const g = grid(40, 2, () => 1);
    g[3 * 2] = Infinity;
    g[4 * 2] = NaN;
    g[30 * 2 + 1] = -Infinity;
    const strip = heatStrip(g, 2, bucketLayout(0, 40, 10), -3);
    assert.strictEqual(strip.cols, 10);
    assert.ok(Number.isNaN(strip.values[0 * 10 + 1]), 'steps 4..5 hold ∞ and NaN: NaN wins');
    assert.strictEqual(strip.values[1 * 10 + 7], Infinity);
    assert.strictEqual(strip.min, 0);
    assert.strictEqual(strip.max, 0);
  });

  it('an all-zero strip has no colour scale', () => {
    const strip = heatStrip(new Float64Array(12), 3, bucketLayout(0, 4, 10), -2);
    assert.ok(strip.values.every((v) => v === -2));
    assert.ok(Number.isNaN(strip.min) && Number.isNaN(strip.max));
  });

  it('an empty window is an empty strip', () => {
    const strip = heatStrip(new Float64Array(12), 3, bucketLayout(2, 2, 10));
    assert.strictEqual(strip.cols, 0);
    assert.strictEqual(strip.values.length, 0);
  });
});
