import * as assert from 'assert';
import { gradientWarnings } from '../../src/extension/gradientWarnings';

const g = (...a: number[]) => Float64Array.from(a);

describe('gradientWarnings', () => {
  it('finds nothing in healthy gradients', () => {
    assert.deepStrictEqual(gradientWarnings(g(0.5, -0.3, 0.1), 1e-6, 1e6), []);
  });

  it('reports a vanishing run going backward from the last nonzero gradient', () => {
    const [w] = gradientWarnings(g(1e-12, 1e-9, 1e-7, 0.01, 0.5, 0, 0), 1e-6, 1e6);
    assert.strictEqual(w.kind, 'vanishing');
    assert.strictEqual(w.from, 2);
    assert.strictEqual(w.to, 0);
    assert.strictEqual(w.extreme, 1e-12);
    assert.strictEqual(w.message, 'Vanishing gradient: |∂L/∂s_t| < 1e-6 from t = 3 back to t = 1 (min 1e-12)');
  });

  it('stops the run where the gradient recovers', () => {
    const [w] = gradientWarnings(g(0.2, 1e-8, 1e-9, 0.3), 1e-6, 1e6);
    assert.strictEqual(w.from, 2);
    assert.strictEqual(w.to, 1);
    assert.match(w.message, /from t = 3 back to t = 2 \(min 1e-9\)/);
  });

  it('reports an exploding run with its maximum', () => {
    const ws = gradientWarnings(g(-4.2e12, 3e9, 2e6, 10, 1), 1e-6, 1e6);
    assert.strictEqual(ws.length, 1);
    assert.strictEqual(ws[0].kind, 'exploding');
    assert.strictEqual(ws[0].from, 2);
    assert.strictEqual(ws[0].to, 0);
    assert.strictEqual(ws[0].message, 'Exploding gradient: |∂L/∂s_t| > 1e+6 from t = 3 back to t = 1 (max 4.2e+12)');
  });

  it('names a single step with "at"', () => {
    const [w] = gradientWarnings(g(1, 1e-7, 1), 1e-6, 1e6);
    assert.match(w.message, /at t = 2 \(min 1e-7\)/);
  });

  it('treats an all-zero gradient as no signal', () => {
    assert.deepStrictEqual(gradientWarnings(g(0, 0, 0), 1e-6, 1e6), []);
  });
});
