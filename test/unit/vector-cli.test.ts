/**
 * `bptt-lens FILE` on vector-model files: in a child process (the built bin/bptt-lens.js) and in
 * process through the same code path (vectorTrace, vectorJsonChunks), against central finite
 * differences of L for every φ, θ and loss at n ∈ {1, 2, 5, 17} and T up to 200.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { actCode, dact } from '../../src/core/activations';
import { vectorTrace } from '../../src/cli/vector';
import { vectorJsonChunks } from '../../src/cli/vectorOutput';
import { PHI_NAMES, THETA_NAMES } from '../../src/core/model';
import { VECTOR_LOSS_NAMES, VECTOR_PARAM_NAMES, type VectorTrace } from '../../src/core/vector/model';
import { caseSpecs, caseText, makeCase, rng, type CaseSpec, type Weights } from './vector-cli-cases';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const SAMPLES = join(ROOT, 'samples', 'vector');

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OPTIONS = { format: 'json' as const, defaults: {} };

async function traceOf(text: string): Promise<VectorTrace> {
  const r = await vectorTrace(text, OPTIONS, 'case.json');
  assert.deepEqual(r.errors, []);
  return r.trace!;
}

/** The --json document the CLI would print, built in process. */
function jsonDoc(trace: VectorTrace, lines: Int32Array, steps = true) {
  return JSON.parse(Array.from(vectorJsonChunks(trace, lines, 'column', steps)).join(''));
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

/** The flat index of each entry of a nested array, with a setter to perturb it. */
function entries(w: Weights, p: keyof Weights): Array<{ get: () => number; set: (v: number) => void }> {
  const a = w[p];
  if (typeof a[0] === 'number') return (a as number[]).map((_, i) => ({ get: () => (a as number[])[i], set: (v) => { (a as number[])[i] = v; } }));
  return (a as number[][]).flatMap((row) => row.map((_, j) => ({ get: () => row[j], set: (v: number) => { row[j] = v; } })));
}

/** ∂L/∂p at up to `per` entries of each parameter by central differences, against the trace's gradients. */
async function checkAgainstFiniteDifferences(spec: CaseSpec, per: number): Promise<number> {
  const c = makeCase(spec);
  const trace = await traceOf(caseText(spec, c));
  assert.ok(Number.isFinite(trace.loss), `L = ${trace.loss}`);
  const pick = rng(spec.seed + 7);
  let checked = 0;
  for (const p of VECTOR_PARAM_NAMES) {
    const all = entries(c.weights, p);
    const chosen = all.length <= per ? all.map((_, i) => i) : Array.from({ length: per }, () => Math.floor(pick() * all.length));
    for (const i of chosen) {
      const e = all[i];
      const w0 = e.get();
      const eps = 1e-6 * Math.max(1, Math.abs(w0));
      e.set(w0 + eps);
      const up = (await traceOf(caseText(spec, c))).loss;
      e.set(w0 - eps);
      const down = (await traceOf(caseText(spec, c))).loss;
      e.set(w0);
      const fd = (up - down) / (2 * eps);
      const g = trace.grads[p][i];
      // truncation error O(eps²) plus the rounding of L (a few hundred ulps over T steps) over eps
      const tol = 1e-6 * Math.max(1, Math.abs(g), Math.abs(fd)) + 1e-13 * Math.abs(trace.loss) / eps;
      assert.ok(Math.abs(g - fd) <= tol, `${JSON.stringify(spec)} ∂L/∂${p}[${i}]: CLI ${g}, finite differences ${fd}`);
      checked++;
    }
  }
  return checked;
}

/** Every step's fields fit together: ∂L/∂h = local + recurrent, ∂L/∂s = ∂L/∂h ⊙ φ'(s), Σ ∂L/∂s = ∂L/∂b, Σ ℓ reduces to L. */
function checkSteps(doc: { model: { n: number; k: number; phi: string; loss: string; reduction: string }; loss: unknown; grads: { b: unknown[] }; steps: Record<string, unknown>[] }): void {
  const { n, k, loss, reduction } = doc.model;
  const phi = actCode(doc.model.phi as never);
  const db = new Array(n).fill(0);
  let sumLoss = 0;
  let targets = 0;
  for (const st of doc.steps) {
    const s = (st.s as unknown[]).map(num), h = (st.h as unknown[]).map(num);
    const dh = (st.dL_dh as unknown[]).map(num), local = (st.dL_dh_local as unknown[]).map(num), rec = (st.dL_dh_recurrent as unknown[]).map(num);
    const ds = (st.dL_ds as unknown[]).map(num);
    assert.equal(s.length, n);
    for (let r = 0; r < n; r++) {
      // === rather than Object.is: JSON writes −0 as 0
      assert.ok(dh[r] === local[r] + rec[r], `t=${st.t}: ∂L/∂h = local + recurrent (${dh[r]} vs ${local[r] + rec[r]})`);
      assert.ok(ds[r] === dh[r] * dact(phi, s[r], h[r]), `t=${st.t}: ∂L/∂s = ∂L/∂h ⊙ φ'(s) (${ds[r]} vs ${dh[r] * dact(phi, s[r], h[r])})`);
      db[r] += ds[r];
    }
    if (loss === 'cross_entropy') {
      assert.equal((st.probs as unknown[]).length, k);
      assert.ok(!('y' in st));
    } else assert.ok(!('probs' in st) && !('class' in st));
    if (st.loss !== null) {
      sumLoss += num(st.loss);
      targets++;
    }
  }
  const b = doc.grads.b.map(num);
  for (let r = 0; r < n; r++) assert.ok(Math.abs(b[r] - db[r]) <= 1e-12 * Math.max(1, Math.abs(b[r])) * doc.steps.length, `Σ ∂L/∂s = ∂L/∂b (${b[r]} vs ${db[r]})`);
  const count = reduction === 'mean' ? (loss === 'cross_entropy' ? targets : targets * k) : 1;
  const L = num(doc.loss);
  assert.ok(Math.abs(L - sumLoss / count) <= 1e-12 * Math.max(1, Math.abs(L)) * doc.steps.length, `L = reduce Σ ℓ_t (${L} vs ${sumLoss / count})`);
}

describe('bptt-lens on vector-model files: finite differences (in process, the CLI\'s code path)', function () {
  this.timeout(120000);
  const specs = caseSpecs([1, 2, 5, 17], [200, 40, 7, 120]);

  it('covers every φ, θ and loss, n ∈ {1, 2, 5, 17}, and T up to 200', () => {
    for (const phi of PHI_NAMES) assert.ok(specs.some((s) => s.phi === phi), phi);
    for (const theta of THETA_NAMES) assert.ok(specs.some((s) => s.theta === theta), theta);
    for (const loss of VECTOR_LOSS_NAMES) assert.ok(specs.some((s) => s.loss === loss), loss);
    for (const n of [1, 2, 5, 17]) assert.ok(specs.some((s) => s.n === n), `n = ${n}`);
    assert.equal(Math.max(...specs.map((s) => s.T)), 200);
  });

  for (const spec of specs) {
    it(`n=${spec.n} m=${spec.m} k=${spec.k} T=${spec.T} φ=${spec.phi} θ=${spec.theta} ${spec.loss}/${spec.reduction}`, async () => {
      assert.ok((await checkAgainstFiniteDifferences(spec, 3)) >= 6 * 1);
      const c = makeCase(spec);
      const text = caseText(spec, c);
      const r = await vectorTrace(text, OPTIONS, 'case.json');
      checkSteps(jsonDoc(r.trace!, r.parsed.line));
    });
  }
});

describe('bptt-lens on vector-model files: the shapes of the gradients', () => {
  const transpose = (a: number[][]) => a[0].map((_, j) => a.map((row) => row[j]));

  it('matrices stay nested at m = 1 and k = 1, vectors are flat', async () => {
    const spec: CaseSpec = { n: 3, m: 1, k: 1, T: 6, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', seed: 5 };
    const r = await vectorTrace(caseText(spec, makeCase(spec)), OPTIONS, 'case.json');
    const doc = jsonDoc(r.trace!, r.parsed.line, false);
    assert.deepEqual([doc.grads.W.length, doc.grads.W[0].length, doc.grads.V.length, doc.grads.V[0].length, doc.grads.U.length, doc.grads.U[0].length], [3, 3, 3, 1, 1, 3]);
    for (const p of ['b', 'c', 'h0']) assert.equal(typeof doc.grads[p][0], 'number', p);
  });

  it('layout=row: the same model from transposed matrices, the same L, and the gradients in the file\'s (transposed) shapes', async () => {
    const spec: CaseSpec = { n: 3, m: 2, k: 2, T: 9, phi: 'sigmoid', theta: 'tanh', loss: 'huber', reduction: 'mean', seed: 9 };
    const c = makeCase(spec);
    const col = await vectorTrace(caseText(spec, c), OPTIONS, 'case.json');
    for (const p of ['W', 'V', 'U'] as const) c.weights[p] = transpose(c.weights[p] as number[][]);
    const rowText = caseText(spec, c).replace('"reduction":"mean"', '"reduction":"mean","layout":"row"');
    const row = await vectorTrace(rowText, OPTIONS, 'case.json');
    assert.deepEqual(row.errors, []);
    assert.equal(row.trace!.loss, col.trace!.loss);
    const a = JSON.parse(Array.from(vectorJsonChunks(col.trace!, col.parsed.line, 'column', false)).join(''));
    const b = JSON.parse(Array.from(vectorJsonChunks(row.trace!, row.parsed.line, 'row', false)).join(''));
    for (const p of ['W', 'V', 'U']) assert.deepEqual(b.grads[p], transpose(a.grads[p]), p);
    for (const p of ['b', 'c', 'h0']) assert.deepEqual(b.grads[p], a.grads[p], p);
    assert.equal(b.model.layout, 'row');
  });
});

describe('bptt-lens on vector-model files: the CLI process', function () {
  this.timeout(60000);
  const dir = mkdtempSync(join(tmpdir(), 'bptt-vcli-'));

  it('--json on generated cases prints what the in-process path computes, bit for bit', async () => {
    for (const spec of caseSpecs([2, 17], [200, 30]).filter((_, i) => i % 3 === 0)) {
      const text = caseText(spec, makeCase(spec));
      const file = join(dir, `case-${spec.seed}.json`);
      writeFileSync(file, text);
      const r = cli([file, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      const here = await vectorTrace(text, OPTIONS, file);
      assert.deepEqual(doc, jsonDoc(here.trace!, here.parsed.line));
      assert.deepEqual(doc.model, { n: spec.n, m: spec.m, k: spec.k, phi: spec.phi, theta: spec.theta, loss: spec.loss, reduction: spec.reduction, layout: 'column' });
      assert.equal(doc.steps.length, spec.T);
      checkSteps(doc);
    }
  });

  it('--no-steps leaves the steps out and keeps everything else', () => {
    const file = join(SAMPLES, 'n4-inline.json');
    const full = JSON.parse(cli([file, '--json']).stdout);
    const r = cli([file, '--json', '--no-steps']);
    assert.equal(r.code, 0, r.stderr);
    const short = JSON.parse(r.stdout);
    assert.ok(!('steps' in short));
    delete full.steps;
    assert.deepEqual(short, full);
    assert.deepEqual(Object.keys(short.grads), ['W', 'V', 'b', 'U', 'c', 'h0']);
    assert.equal(short.grads.W.length, 4);
    assert.equal(short.grads.W[0].length, 4);
    assert.equal(short.grads.V[0].length, 2);
    assert.equal(typeof short.grads.b[0], 'number');
  });

  it('the readable summary names the model and prints L and every gradient', () => {
    const r = cli([join(SAMPLES, 'n4-inline.json'), '--rows', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /vector RNN, n = 4 hidden units, m = 2 inputs, k = 1 output;/);
    assert.match(r.stdout, /T = 12 steps, 4 with a target/);
    assert.match(r.stdout, /\(8 steps not shown; --rows 0 shows all\)/);
    for (const p of ['W (4×4)', 'V (4×2)', 'b (4×1)', 'U (1×4)', 'c (1×1)', 'h0 (4×1)']) assert.ok(r.stdout.includes(`∂L/∂${p}`), p);
    const doc = JSON.parse(cli([join(SAMPLES, 'n4-inline.json'), '--json', '--no-steps']).stdout);
    assert.ok(r.stdout.includes(`L = ${Number(doc.loss.toPrecision(6))}`));
  });

  it('stdin with --format json reads a vector file; a scalar file on stdin prints what it prints today', () => {
    const text = readFileSync(join(SAMPLES, 'n4-inline.json'), 'utf8');
    const a = cli(['-', '--format', 'json', '--json'], text);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(JSON.parse(a.stdout), JSON.parse(cli([join(SAMPLES, 'n4-inline.json'), '--json']).stdout));
    const scalar = readFileSync(join(ROOT, 'samples', 'vanishing.csv'), 'utf8');
    const b = cli(['-', '--format', 'csv', '--json'], scalar);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, cli([join(ROOT, 'samples', 'vanishing.csv'), '--json']).stdout);
  });

  it('a weights file is read relative to the sequence file, from any working folder: the same numbers as inline weights', () => {
    const withoutLines = (out: string) => {
      const doc = JSON.parse(out);
      for (const st of doc.steps) delete st.line;
      return doc;
    };
    const r = spawnSync(process.execPath, [BIN, join('vector', 'n4.csv'), '--json'], { encoding: 'utf8', cwd: join(ROOT, 'samples') });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(withoutLines(r.stdout), withoutLines(cli([join(SAMPLES, 'n4-inline.json'), '--json']).stdout));
  });

  it('the samples: PyTorch\'s state dict (.safetensors, n = 16) and a NumPy assignment\'s .npz with layout=row', () => {
    const a = cli([join(SAMPLES, 'rnn16.csv'), '--json', '--no-steps']);
    assert.equal(a.code, 0, a.stderr);
    const da = JSON.parse(a.stdout);
    assert.deepEqual([da.model.n, da.model.m, da.model.k, da.T, da.model.layout], [16, 4, 1, 40, 'column']);
    assert.ok(Number.isFinite(da.loss) && da.loss > 0);
    const b = cli([join(SAMPLES, 'numpy-row.csv'), '--json', '--no-steps']);
    assert.equal(b.code, 0, b.stderr);
    const db = JSON.parse(b.stdout);
    assert.deepEqual([db.model.n, db.model.m, db.model.k, db.model.layout], [8, 4, 1, 'row']);
    // in the file's own shapes: Wx is m × n, Wy is n × k
    assert.deepEqual([db.grads.V.length, db.grads.V[0].length, db.grads.U.length, db.grads.U[0].length], [4, 8, 8, 1]);
  });

  it('errors exit 2 with FILE:LINE:COL: message, never a stack', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"weights": {"W": [[1]], "V": [[1]], "b": [0], "U": [[1]], "c": [0]},\n "x": [[1, 2], [3]]}\n');
    const r = cli([bad, '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${bad}:2:16: x[1] has 1 number but x[0] has 2; every step needs the same number of inputs\n`);
    const mismatch = join(dir, 'mismatch.json');
    writeFileSync(mismatch, '{"weights": {"W": [[1]], "V": [[1]], "b": [0], "U": [[1]], "c": [0]},\n "x": [[1, 2], [3, 4]]}\n');
    const m = cli([mismatch]);
    assert.equal(m.code, 2);
    assert.equal(m.stderr, `${mismatch}:2:7: the data has 2 inputs a step, but the weights take m = 1 (V is 1×1)\n`);
    const missing = join(dir, 'missing.csv');
    writeFileSync(missing, '# bptt: weights=nowhere.safetensors\nx,y\n1,2\n');
    const w = cli([missing, '--json']);
    assert.equal(w.code, 2);
    assert.match(w.stderr, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:17: cannot read the weights file nowhere\\.safetensors \\(.*nowhere\\.safetensors\\): no such file\\n$`));
    const csvOut = cli([join(SAMPLES, 'n4-inline.json'), '--csv']);
    assert.equal(csvOut.code, 2);
    assert.match(csvOut.stderr, /--csv writes one number a field; a vector-model file's steps are vectors: use --json/);
    for (const out of [r, m, w, csvOut]) assert.doesNotMatch(out.stderr, /\n\s+at /);
  });

  it('--no-steps on a scalar file is refused with a reason; without it the scalar output is unchanged', () => {
    const r = cli([join(ROOT, 'samples', 'vanishing.csv'), '--json', '--no-steps']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--no-steps is for vector-model files/);
  });
});
