/**
 * `bptt-lens flow` and `bptt-lens check --grads` on vector-model files, through the built CLI:
 * flow prints what vectorFlow computes for the same trace; check names a NumPy student's bug
 * (written independently in vcheck/students.ts) with its step; scalar-only commands refuse clearly.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { vectorTrace } from '../../src/cli/vector';
import { vectorFlow } from '../../src/flow/vector';
import { jsonNumber } from '../../src/core';
import { numpyStudent, type Bug, type RowProblem } from './vcheck/students';
import { rng } from './vector-cli-cases';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const dir = mkdtempSync(join(tmpdir(), 'bptt-vsub-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A NumPy-layout problem (row vectors), n = 5, m = 3, k = 2, T = 12, some steps without a target. */
function problem(): RowProblem {
  const r = rng(0xb0b);
  const u = (s: number) => (2 * r() - 1) * s;
  const mat = (rows: number, cols: number, s: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => u(s)));
  const n = 5, m = 3, k = 2, T = 12;
  return {
    Wx: mat(m, n, 0.8), Wh: mat(n, n, 0.5), b: mat(1, n, 0.2)[0], Wy: mat(n, k, 0.5), by: mat(1, k, 0.2)[0], h0: mat(1, n, 0.3)[0],
    xs: mat(T, m, 1), ys: Array.from({ length: T }, (_, t) => (t % 4 === 1 ? null : mat(1, k, 1)[0])),
    reduction: 'sum',
  };
}

function writeProblem(p: RowProblem): string {
  const file = join(dir, 'numpy.json');
  const weights = { Wx: p.Wx, Wh: p.Wh, b: p.b, Wy: p.Wy, by: p.by, h0: p.h0 };
  writeFileSync(file, JSON.stringify({ bptt: { phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', layout: 'row' }, weights, x: p.xs, y: p.ys }));
  return file;
}

function writeGrads(p: RowProblem, bug: Bug): string {
  const g = numpyStudent(p, bug);
  const file = join(dir, `grads-${bug}.json`);
  writeFileSync(file, JSON.stringify({ dWx: g.dWx, dWh: g.dWh, db: g.db, dWy: g.dWy, dby: g.dby, dh0: g.dh0, dL_dh: g.dL_dh, dL_ds: g.dL_ds }));
  return file;
}

describe('bptt-lens flow / check on vector-model files', function () {
  this.timeout(60000);
  const p = problem();
  const file = writeProblem(p);

  it('flow --json is vectorFlow of the same trace, and the text names ‖W‖₂ and the bound', async () => {
    const out = cli(['flow', file, '--json']);
    assert.equal(out.code, 0, out.stderr);
    const r = await vectorTrace(readFileSync(file, 'utf8'), { format: 'json', defaults: {} }, file);
    const expected = JSON.parse(JSON.stringify(vectorFlow(r.trace!), (_k, v: unknown) => (typeof v === 'number' ? jsonNumber(v) : v)));
    assert.deepEqual(JSON.parse(out.stdout), expected);
    assert.equal(expected.factors.length, 12);
    const text = cli(['flow', file]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /‖W‖₂ = [\d.]+; ‖W‖₂·max φ' = [\d.]+/);
    assert.match(text.stdout, /horizons .*median \d+, max \d+/);
  });

  it('check --grads passes a correct NumPy backward pass and names transposed_W at the step it enters', () => {
    const ok = cli(['check', file, '--grads', writeGrads(p, 'none'), '--json']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(JSON.parse(ok.stdout).ok, true);
    const bad = cli(['check', file, '--grads', writeGrads(p, 'transposed_W'), '--json']);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    const report = JSON.parse(bad.stdout);
    assert.equal(report.ok, false);
    assert.ok(report.diagnosis.some((d: { code: string }) => d.code === 'transposed_W'), bad.stdout);
    // Wᵀ vs W first matters in ∂L/∂h at the step before the last target's recurrent term: t < T.
    assert.ok(report.firstMismatch.t >= 1 && report.firstMismatch.t < 12, bad.stdout);
    const text = cli(['check', file, '--grads', writeGrads(p, 'transposed_W')]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /transposed_W/);
  });

  it('check reads grads= from the file itself, relative to the file, when --grads is absent', () => {
    const grads = writeGrads(p, 'transposed_W');
    const named = join(dir, 'named.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.bptt.grads = grads.slice(dir.length + 1);
    writeFileSync(named, JSON.stringify(doc));
    const r = cli(['check', named, '--json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(JSON.parse(r.stdout).diagnosis.some((d: { code: string }) => d.code === 'transposed_W'), r.stdout);
    const ok = cli(['check', named, '--grads', writeGrads(p, 'none'), '--json']);
    assert.equal(ok.code, 0, '--grads wins over grads=');
  });

  it('check without --grads, gradcheck, and flow --K refuse a vector-model file with a reason (exit 2)', () => {
    for (const args of [['check', file], ['gradcheck', file], ['flow', file, '--K', '5']]) {
      const r = cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /vector|weights/, r.stderr);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    }
  });
});
