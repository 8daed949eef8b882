/**
 * traceWarnings (src/core/warnings.ts): each warning fires on the situation it names, points at
 * the right step, and what it claims (a gradient of exactly 0, a non-finite or negative ℓ) is
 * checked against the independent reverse-mode tape.
 */
import * as assert from 'node:assert/strict';
import { runBptt, traceWarnings, type Model } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { PARAM_KEYS, rnnReference } from './reference/tape';
import { problemsOf } from '../../src/extension/problems';

const TH = { vanishing: 1e-6, exploding: 1e6 };

function traceOf(csv: string) {
  const parsed = parseSequence(csv, 'csv');
  assert.deepEqual(parsed.errors, []);
  return runBptt(parsed.model, parsed);
}

function reference(model: Model, x: number[], y: (number | null)[]) {
  return rnnReference(model, x, y.map((v) => v ?? NaN), y.map((v) => (v === null ? 0 : 1)));
}

describe('traceWarnings', () => {
  it('finds nothing on a healthy tanh trace', () => {
    assert.deepEqual(traceWarnings(traceOf('# bptt: w=0.5 v=1\nx,y\n1,0.5\n-1,0.2\n0.5,0.1\n'), TH), []);
  });

  it('dead_relu: every ∂L/∂s_t is 0 while L > 0; w, v, b, h0 get exactly 0 and u, c do not (as the tape says)', () => {
    const trace = traceOf('# bptt: phi=relu w=0.5 v=1 b=-0.1 c=0.3\nx,y\n-1,1\n-2,1\n-0.5,1\n');
    const ws = traceWarnings(trace, TH);
    assert.deepEqual(ws.map((w) => w.code), ['dead_relu']);
    assert.equal(ws[0].t, 3, 'the latest step where the gradient arrives and is cut');
    assert.match(ws[0].message, /∂L\/∂s_t = 0 at every step although L = .* > 0: φ'\(s_t\) = 0 \(relu with s_t ≤ 0\).*w, v, b and h0 learn nothing \(u and c still do\)/);
    const ref = reference(trace.model, [-1, -2, -0.5], [1, 1, 1]);
    assert.ok(ref.loss.v > 0);
    for (const k of ['w', 'v', 'b', 'h0'] as const) {
      assert.ok(trace.grads[k] === 0, `∂L/∂${k} = ${trace.grads[k]}`);
      assert.ok(ref.grads[k].v === 0, `tape ∂L/∂${k} = ${ref.grads[k].v}`);
    }
    for (const k of ['u', 'c'] as const) assert.notEqual(ref.grads[k].v, 0);
    assert.ok(PARAM_KEYS.length === 6);
  });

  it('dead_relu: a stretch of φ\'(s_t) = 0 that cuts the gradient off is reported with its ends', () => {
    // s_t ≤ 0 at t = 2..4 (x very negative); live elsewhere, targets everywhere.
    const trace = traceOf('# bptt: phi=relu w=0.5 v=1\nx,y\n1,0\n-5,1\n-5,1\n-5,1\n1,1\n1,0\n');
    const ws = traceWarnings(trace, TH).filter((w) => w.code === 'dead_relu');
    assert.equal(ws.length, 1);
    assert.equal(ws[0].t, 4);
    assert.match(ws[0].message, /from t = 2 to t = 4: the gradient arriving there is cut off, so no step before t = 2/);
    for (const i of [1, 2, 3]) assert.ok(trace.dL_ds[i] === 0);
    assert.notEqual(trace.dL_ds[0], 0, 't = 1 still gets its own target’s gradient');
  });

  it('dead_relu stays silent where φ\'(s_t) = 0 but no gradient arrives (after the last target)', () => {
    assert.deepEqual(traceWarnings(traceOf('# bptt: phi=relu\nx,y\n1,1\n-5,\n-5,\n'), TH).filter((w) => w.code === 'dead_relu'), []);
  });

  it('loss_domain: bce with θ = identity names the first step with ŷ ∉ (0, 1), and ℓ there is the tape’s', () => {
    const trace = traceOf('# bptt: loss=bce theta=identity u=3 w=0\nx,y\n0.1,1\n1,1\n2,0\n');
    const ws = traceWarnings(trace, TH).filter((w) => w.code === 'loss_domain');
    assert.equal(ws.length, 1);
    assert.equal(ws[0].t, 2);
    assert.match(ws[0].message, /^bce needs ŷ in \(0, 1\), but ŷ = 2\.28\d* at t = 2: θ = identity does not make ŷ a probability \(use theta=sigmoid\); ℓ_t = .* \(and 1 later step\)$/);
    const ref = reference(trace.model, [0.1, 1, 2], [1, 1, 0]);
    assert.ok(!Number.isFinite(ref.loss.v) || ref.steps[1].loss!.v < 0, 'outside (0, 1) the tape’s ℓ is negative or non-finite too');
  });

  it('loss_domain: a sigmoid that rounds to exactly 1 against y = 0 (ℓ = +∞)', () => {
    const trace = traceOf('# bptt: loss=bce theta=sigmoid u=100\nx,y\n1,1\n2,0\n');
    const [w] = traceWarnings(trace, TH).filter((x) => x.code === 'loss_domain');
    assert.equal(w.t, 2);
    assert.match(w.message, /rounds to exactly 1 at t = 2 .* while y = 0; ℓ_t = \+∞$/);
    assert.equal(trace.loss, Infinity);
  });

  it('loss_domain: ŷ = y = 1 is fine (the log term has weight 0)', () => {
    assert.deepEqual(traceWarnings(traceOf('# bptt: loss=bce theta=sigmoid u=100\nx,y\n1,1\n2,1\n'), TH), []);
  });

  it('loss_domain: bce with a target outside [0, 1] (a trace built without the parser’s check)', () => {
    const trace = traceOf('# bptt: loss=bce theta=sigmoid\nx,y\n1,1\n2,0\n');
    trace.y[1] = 2;
    const [w] = traceWarnings(trace, TH);
    assert.equal(w.code, 'loss_domain');
    assert.match(w.message, /^bce needs targets in \[0, 1\], but y = 2 at t = 2/);
  });

  it('vanishing and exploding keep their messages and point at the step where the run starts', () => {
    const rows = Array.from({ length: 40 }, (_, k) => (k === 39 ? '0.1,1' : '0.1,')).join('\n');
    const v = traceWarnings(traceOf(`# bptt: w=0.1 v=1\nx,y\n${rows}\n`), TH);
    assert.deepEqual(v.map((w) => w.code), ['vanishing']);
    assert.match(v[0].message, /^Vanishing gradient: \|∂L\/∂s_t\| < 1e-6 from t = (\d+) back to t = 1/);
    assert.equal(v[0].t, Number(/from t = (\d+)/.exec(v[0].message)![1]));
    const e = traceWarnings(traceOf(`# bptt: w=3 v=1 phi=identity\nx,y\n${rows}\n`), TH);
    assert.deepEqual(e.map((w) => w.code), ['exploding']);
    assert.deepEqual(traceWarnings(traceOf(`# bptt: w=3 v=1 phi=identity\nx,y\n${rows}\n`), { vanishing: 0, exploding: 0 }), []);
  });

  it('runs in O(T) on 10⁶ steps of a half-dead ReLU', () => {
    const T = 1_000_000;
    const x = new Float64Array(T);
    for (let i = 0; i < T; i++) x[i] = i % 3 === 0 ? -1 : 1;
    const trace = runBptt({ w: 0.5, v: 1, b: 0, u: 1, c: 0, h0: 0, phi: 'relu', theta: 'identity', loss: 'squared', reduction: 'sum' },
      { x, y: new Float64Array(T), hasY: new Uint8Array(T).fill(1) });
    const t0 = performance.now();
    const ws = traceWarnings(trace, TH);
    const ms = performance.now() - t0;
    assert.ok(ws.some((w) => w.code === 'dead_relu'));
    assert.ok(ms < 500, `${ms} ms`);
  });
});

describe('problemsOf with trace warnings', () => {
  it('dead_relu and loss_domain are warnings on their row, shown even with gradientWarnings off', () => {
    const off = { gradientWarnings: false, vanishingThreshold: 1e-6, explodingThreshold: 1e6 };
    const codes = (text: string) => {
      const parsed = parseSequence(text, 'csv');
      return problemsOf(parsed, runBptt(parsed.model, parsed), off).map((p) => [p.code, p.severity, p.range.kind === 'lineCol' ? p.range.line : -1]);
    };
    assert.deepEqual(codes('# bptt: phi=relu w=1 v=1\nx,y\n-1,1\n-2,1\n'), [['dead_relu', 'warning', 3]]);
    // ŷ = 2.89 against y = 0 makes ℓ NaN at t = 3: the non-finite report names the NaN, loss_domain its cause.
    assert.deepEqual(codes('# bptt: loss=bce theta=identity u=3 w=0\nx,y\n0.1,1\n1,1\n2,0\n'), [['non-finite', 'warning', 4], ['loss_domain', 'warning', 3]]);
  });
});
