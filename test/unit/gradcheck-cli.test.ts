/**
 * `bptt-lens gradcheck` as a user runs it (the built bin/bptt-lens.js in a child process): exit
 * status 0 / 1 / 2, the --json document's shape, --steps, and the human table.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseStepList } from '../../src/cli/gradcheck';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const sample = (f: string) => join(ROOT, 'samples', f);

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, 'gradcheck', ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FIELDS = ['analytic', 'numeric', 'absErr', 'relErr', 'errEst', 'ok', 'kink'];

describe('bptt-lens gradcheck', () => {
  it('exits 0 on a sample and prints the documented JSON', () => {
    const r = cli([sample('bias-output.json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, true);
    assert.equal(doc.eps, 1e-6);
    assert.deepEqual(Object.keys(doc.params), ['w', 'v', 'b', 'u', 'c', 'h0']);
    for (const c of Object.values(doc.params)) assert.deepEqual(Object.keys(c as object), FIELDS);
    assert.equal(doc.steps.length, 2 * 12);
    assert.deepEqual(Object.keys(doc.steps[0]), ['t', 'quantity', ...FIELDS]);
    assert.deepEqual(doc.steps.slice(0, 2).map((s: { t: number; quantity: string }) => [s.t, s.quantity]), [[1, 'dL_ds'], [1, 'dL_dx']]);
  });

  it('exits 1 when a check fails (tolerances of 0 leave no room for rounding), with the failures in the table', () => {
    const r = cli([sample('textbook.csv'), '--atol', '0', '--rtol', '0']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /FAIL/);
    assert.match(r.stdout, /FAILED\n$/);
  });

  it('--eps, --atol and --rtol reach the check', () => {
    const doc = JSON.parse(cli([sample('textbook.csv'), '--json', '--eps=1e-4', '--atol', '1e-7', '--rtol', '1e-6']).stdout);
    assert.deepEqual([doc.eps, doc.atol, doc.rtol], [1e-4, 1e-7, 1e-6]);
  });

  it('--steps selects the steps, in order, without duplicates', () => {
    const doc = JSON.parse(cli([sample('vanishing.csv'), '--json', '--steps', '5,1-3,2']).stdout);
    assert.deepEqual([...new Set(doc.steps.map((s: { t: number }) => s.t))], [1, 2, 3, 5]);
  });

  it('prints a compact table: one row per parameter and step, and a summary', () => {
    const r = cli([sample('textbook.csv')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /T = 8/);
    assert.equal(lines.filter((l) => /^∂L\/∂(w|v|b|u|c|h0) /.test(l)).length, 6);
    assert.equal(lines.filter((l) => /^∂L\/∂[sx] t=\d+/.test(l)).length, 16);
    assert.match(lines[lines.length - 1], /^22 checks: 22 pass, 0 fail — OK$/);
  });

  it('exits 2 on bad input: a parse error, a bad option, a step beyond T, no file', () => {
    const bad = cli(['-', '--format', 'csv'], 'x,y\n1,oops\n');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^-:2:3: /);
    assert.equal(cli([sample('textbook.csv'), '--eps', '0']).code, 2);
    assert.equal(cli([sample('textbook.csv'), '--rtol', 'x']).code, 2);
    assert.equal(cli([sample('textbook.csv'), '--bogus']).code, 2);
    const far = cli([sample('textbook.csv'), '--steps', '9']);
    assert.equal(far.code, 2);
    assert.match(far.stderr, /step 9 is beyond the last step, T = 8/);
    assert.equal(cli([]).code, 2);
  });

  it('parses step lists', () => {
    assert.deepEqual(parseStepList('1,5,10-12'), [1, 5, 10, 11, 12]);
    assert.deepEqual(parseStepList(' 3 - 4 ,1'), [1, 3, 4]);
    for (const bad of ['', '0', '4-2', 'a', '1,,2', '-1', '1.5']) assert.throws(() => parseStepList(bad), bad);
  });
});
