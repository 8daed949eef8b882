/**
 * `bptt-lens flow` as a user runs it (the built bin/bptt-lens.js), and the --truncate/--horizon
 * output functions of src/cli/flow.ts: shapes, identities, and the figure samples/truncation.csv
 * states in its header.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBptt } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { runTruncation, truncationJsonChunks, truncationText } from '../../src/cli/flow';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const SAMPLE = join(ROOT, 'samples', 'truncation.csv');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const parsed = () => parseSequence(readFileSync(SAMPLE, 'utf8'), 'csv');

describe('bptt-lens flow', () => {
  it('--json: T factors, horizons, every lag; Σ_d G(d) is the gradient of the main command', () => {
    const r = cli(['flow', SAMPLE, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const main = JSON.parse(cli([SAMPLE, '--json']).stdout);
    assert.equal(j.factors.length, main.T);
    // factor_t = w·φ'(s_t) with tanh: w·(1 − h_t²)
    main.steps.forEach((s: { h: number }, i: number) => assert.ok(Math.abs(j.factors[i] - 0.95 * (1 - s.h * s.h)) < 1e-15));
    assert.equal(j.horizons.perTarget.length, j.horizons.targets.length);
    assert.equal(j.horizons.median, 26);
    assert.equal(j.lag.K, main.T - 1);
    for (const p of ['w', 'v', 'b', 'h0']) {
      assert.equal(j.lag[p].length, main.T);
      assert.equal(j.lag.beyondK[p], 0);
      const sum = j.lag[p].reduce((a: number, b: number) => a + b, 0);
      assert.ok(Math.abs(sum - main.grads[p]) <= 1e-12 * Math.abs(main.grads[p]) + 1e-17, `${p}: Σ G = ${sum}, grad ${main.grads[p]}`);
    }
  });

  it('--K 3: lags 0..3 and the exact rest; the readable form names the lag shares', () => {
    const j = JSON.parse(cli(['flow', SAMPLE, '--json', '--K', '3']).stdout);
    assert.equal(j.lag.K, 3);
    assert.equal(j.lag.w.length, 4);
    const main = JSON.parse(cli([SAMPLE, '--json']).stdout);
    const sum = j.lag.w.reduce((a: number, b: number) => a + b, 0) + j.lag.beyondK.w;
    assert.ok(Math.abs(sum - main.grads.w) < 1e-12);
    const text = cli(['flow', SAMPLE]).stdout;
    assert.match(text, /90 % of Σ\|G_w\(d\)\| comes from lags ≤ 12/);
    assert.match(text, /horizons \(ratio 0\.001\): median 26/);
  });

  it('bad usage exits 2 with a message', () => {
    const r = cli(['flow', SAMPLE, '--ratio', '2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--ratio must be a number between 0 and 1/);
  });
});

describe('--truncate / --horizon output (src/cli/flow.ts)', () => {
  it('samples/truncation.csv: truncate=5 biases ∂L/∂w by −44.2 %, as its header says', () => {
    const p = parsed();
    const r = runTruncation(p.model, p, { truncate: 5 });
    const j = JSON.parse(Array.from(truncationJsonChunks(r, p.line)).join(''));
    assert.ok(Math.abs(j.truncation.bias.w.relBias - -0.442) < 0.0005, String(j.truncation.bias.w.relBias));
    assert.equal(j.fullGrads.w, runBptt(p.model, p).grads.w);
    assert.equal(j.grads.u, j.fullGrads.u); // u, c never pass through the recurrence
    assert.equal(j.steps.length, 60);
    for (const s of j.steps) {
      if (s.t % 5 === 0) assert.equal(s.dL_dh_recurrent, 0);
      assert.equal(s.dL_dh, s.dL_dh_local + s.dL_dh_recurrent);
    }
    assert.notEqual(j.steps[7].dL_dh_recurrent, 0); // t = 8: inside a chunk
    assert.match(truncationText(r), /∂L\/∂w .* bias -44\.21 %/);
  });

  it('horizon=5: -32.1 % on ∂L/∂w; horizon ≥ T is the full gradient', () => {
    const p = parsed();
    const r = runTruncation(p.model, p, { horizon: 5 });
    const j = JSON.parse(Array.from(truncationJsonChunks(r, p.line)).join(''));
    assert.equal(j.truncation.kind, 'horizon');
    assert.ok(Math.abs(j.truncation.bias.w.relBias - -0.321) < 0.0005);
    const all = runTruncation(p.model, p, { horizon: 60 });
    for (const k of ['w', 'v', 'b', 'h0'] as const) assert.ok(Math.abs(all.grads[k] - all.full.grads[k]) <= 1e-12 * Math.abs(all.full.grads[k]));
  });
});
