/**
 * The `bptt-lens` CLI as a user runs it (the built bin/bptt-lens.js in a child process), on every
 * sample: its --json numbers agree with the independent tape and with central finite differences.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARAM_KEYS, UNIT_ROUNDOFF, forwardRnn, rnnReference, type Ref, type RnnSpec } from './reference/tape';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const SAMPLES = join(ROOT, 'samples');

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON writer's encoding of non-finite numbers, undone. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

/** Agreement to 1e-7 relative, or within the reference's own rounding-error bound. */
function agrees(actual: number, ref: Ref, what: string): void {
  const tol = 1e-7 * Math.max(Math.abs(actual), Math.abs(ref.v)) + 64 * ref.mag * UNIT_ROUNDOFF;
  assert.ok(Math.abs(actual - ref.v) <= tol, `${what}: CLI ${actual} vs reference ${ref.v} (tolerance ${tol})`);
}

interface CliStep {
  t: number; line: number; x: number; y: number | null; s: number; h: number; yhat: number; loss: number | null;
  dL_dyhat: number; dL_dh: number; dL_dh_local: number; dL_dh_recurrent: number; dL_ds: number;
}

const sampleFiles = readdirSync(SAMPLES).filter((f) => /\.(csv|tsv|json)$/.test(f)).sort();

describe('bptt-lens CLI on every sample', () => {
  it('has the five kinds of sample the README lists', () => {
    for (const name of ['vanishing.csv', 'exploding.csv', 'many-to-one.csv', 'bce-classification.csv', 'bias-output.json']) {
      assert.ok(sampleFiles.includes(name), `samples/${name} is missing`);
    }
  });

  for (const file of sampleFiles) {
    describe(file, () => {
      const run = () => {
        const r = cli([join(SAMPLES, file), '--json']);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout);
      };

      it('agrees with the independent reverse-mode tape at every step (1e-7 relative)', () => {
        const doc = run();
        const spec = doc.model as RnnSpec;
        const steps = doc.steps as CliStep[];
        assert.equal(steps.length, doc.T);
        const x = steps.map((s) => num(s.x));
        const hasY = steps.map((s) => (s.y === null ? 0 : 1));
        const y = steps.map((s) => (s.y === null ? NaN : num(s.y)));
        const ref = rnnReference(spec, x, y, hasY);
        agrees(num(doc.loss), ref.loss, 'L');
        for (const k of PARAM_KEYS) agrees(num(doc.grads[k]), ref.grads[k], `∂L/∂${k}`);
        steps.forEach((st, i) => {
          const r = ref.steps[i];
          assert.equal(st.t, i + 1);
          for (const q of ['s', 'h', 'yhat', 'dL_dyhat', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds'] as const) {
            agrees(num(st[q]), r[q], `${file} t=${st.t} ${q}`);
          }
          if (r.loss === null) assert.equal(st.loss, null);
          else agrees(num(st.loss), r.loss, `${file} t=${st.t} loss`);
        });
        assert.equal(doc.firstNonFinite, null);
      });

      it('agrees with central finite differences for every parameter', () => {
        const doc = run();
        const steps = doc.steps as CliStep[];
        const x = steps.map((s) => num(s.x));
        const hasY = steps.map((s) => (s.y === null ? 0 : 1));
        const y = steps.map((s) => (s.y === null ? NaN : num(s.y)));
        for (const k of PARAM_KEYS) {
          const spec = doc.model as RnnSpec;
          // Central difference, and the bound on its rounding error: the tape's rounding-error
          // magnitude of L (in units of u) on each side, divided by 2e. It matters where L is a
          // small difference of large numbers, as on the exploding sample (ŷ ≈ y ≈ 10⁷).
          const central = (e: number) => {
            const p = forwardRnn({ ...spec, [k]: spec[k] + e }, x, y, hasY);
            const m = forwardRnn({ ...spec, [k]: spec[k] - e }, x, y, hasY);
            return { fd: (p.loss - m.loss) / (2 * e), rounding: (4 * (p.lossMag + m.lossMag) * UNIT_ROUNDOFF) / (2 * e) };
          };
          // Too big a step and the e² term dominates (L grows like w⁶⁰ on the exploding sample, so
          // a step of 1e-6 is far too coarse); too small and rounding does. Steps from 1e-6 down to
          // 1e-9 (relative) are tried: one of them must agree to 1e-6 relative plus its rounding bound.
          const g = num(doc.grads[k]);
          const tries = [1e-6, 1e-7, 1e-8, 1e-9].map((rel) => central(rel * Math.max(1, Math.abs(spec[k]))));
          const agrees = ({ fd, rounding }: { fd: number; rounding: number }) => Math.abs(fd - g) <= 1e-6 * Math.max(Math.abs(fd), Math.abs(g)) + rounding;
          assert.ok(tries.some(agrees), `${file} ∂L/∂${k}: CLI ${g} vs finite differences ${tries.map((t) => `${t.fd} ± ${t.rounding}`).join(', ')}`);
        }
      });

      it('points every step at its source line', () => {
        const doc = run();
        const lines = readFileSync(join(SAMPLES, file), 'utf8').split(/\r?\n/);
        for (const st of doc.steps as CliStep[]) {
          const text: string = lines[st.line - 1];
          assert.ok(text !== undefined, `line ${st.line} exists`);
          const first = file.endsWith('.json') ? text.trim().replace(/,$/, '') : text.split(',')[file.startsWith('vanishing') || file.startsWith('exploding') ? 1 : 0];
          assert.equal(Number(first), num(st.x), `${file} t=${st.t}: line ${st.line} is "${text}"`);
        }
      });
    });
  }
});

describe('bptt-lens CLI output modes and errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bptt-cli-'));

  it('prints a table with the first and last rows and the totals', () => {
    const r = cli([join(SAMPLES, 'vanishing.csv'), '--rows', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /T = 60, 3 with a target/);
    assert.match(r.stdout, /54 rows not shown/);
    assert.match(r.stdout, /^ *60 +63 /m);
    assert.doesNotMatch(r.stdout, /^ *30 +33 /m);
    assert.match(r.stdout, /^∂L\/∂h0 = /m);
  });

  it('--csv has the JSON step fields as its header and one row per step', () => {
    const r = cli([join(SAMPLES, 'textbook.csv'), '--csv']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.equal(rows[0], 't,line,x,y,s,h,yhat,loss,dL_dyhat,dL_dh,dL_dh_local,dL_dh_recurrent,dL_ds');
    assert.equal(rows.length, 1 + 8);
    const json = JSON.parse(cli([join(SAMPLES, 'textbook.csv'), '--json']).stdout);
    assert.deepEqual(rows[3].split(',').map(Number), Object.values(json.steps[2]).map((v) => Number(v)));
  });

  it('writes non-finite numbers as strings and reports the first non-finite step', () => {
    const f = join(dir, 'nan.csv');
    writeFileSync(f, '# bptt: w=0.5 v=1\nx,y\n1,0\nnan,0\n2,0\n');
    const r = cli([f, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.firstNonFinite, 1, 'the NaN at t=2 flows backward into the gradient at t=1');
    assert.equal(doc.steps[1].x, 'NaN');
    assert.equal(doc.steps[0].s, 1);
    assert.equal(doc.steps[0].dL_ds, 'NaN');
    assert.equal(doc.loss, 'NaN');
  });

  it('caller options fill what the directive leaves out; the directive wins', () => {
    const f = join(dir, 'partial.csv');
    writeFileSync(f, '# bptt: w=0.25\nx,y\n1,2\n');
    const doc = JSON.parse(cli([f, '--json', '--w', '9', '--phi', 'relu', '--loss=abs']).stdout);
    assert.equal(doc.model.w, 0.25);
    assert.equal(doc.model.phi, 'relu');
    assert.equal(doc.model.loss, 'abs');
    assert.equal(doc.model.theta, 'identity');
  });

  it('reads stdin with --format', () => {
    const r = cli(['-', '--format', 'csv', '--json'], 'x,y\n1,1\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).T, 1);
  });

  it('bad input: exit 2 and every error as FILE:LINE:COL: message', () => {
    const f = join(dir, 'bad.csv');
    writeFileSync(f, '# bptt: phi=tanhh\nx,y\n1,abc\n2,0.5\n');
    const r = cli([f]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:13: unknown activation "tanhh" for phi; expected one of: tanh, sigmoid, relu, leaky_relu, identity, softsign, softplus`));
    assert.match(lines[1], /:3:3: y: "abc" is not a number$/);
  });

  it('bad usage: exit 2 with the usage text; --help exits 0', () => {
    assert.equal(cli([]).code, 2);
    assert.equal(cli([join(SAMPLES, 'textbook.csv'), '--bogus']).code, 2);
    assert.equal(cli([join(dir, 'missing.csv')]).code, 2);
    const h = cli(['--help']);
    assert.equal(h.code, 0);
    for (const flag of ['--json', '--csv', '--rows', '--format', 'FILE:LINE:COL', 'dL_dh_recurrent', 'firstNonFinite']) assert.ok(h.stdout.includes(flag), flag);
  });
});
