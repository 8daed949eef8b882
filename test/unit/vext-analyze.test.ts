import * as assert from 'assert';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { BUILTIN_DEFAULTS } from '../../src/core';
import type { ParsedVectorSequence } from '../../src/parse/vector/types';
import { analyzeVector, vectorStepAtOffset, type WeightsAccess } from '../../src/extension/vector/analyze';
import { readFile } from 'fs/promises';
import * as path from 'path';
import { pipeline, type VectorPipeline } from '../../src/extension/vector/pipeline';
import { vectorFlow } from '../../src/flow/vector';
import { vectorCase } from './vext-model';

const TEXT = '# a vector model\n# bptt: weights=model.safetensors phi=tanh\nx1,x2,y\n0.1,0.2,1\n0.3,0.4,\n0.5,0.6,0\n';
const W0 = TEXT.indexOf('weights=');
const W1 = TEXT.indexOf(' phi');
const ROW0 = TEXT.indexOf('0.1');
const WHERE = { line: 1, col: W0 - TEXT.indexOf('# bptt'), endLine: 1, endCol: W1 - TEXT.indexOf('# bptt') };

function parsed(): ParsedVectorSequence {
  const rowStart = Int32Array.from([ROW0, TEXT.indexOf('0.3'), TEXT.indexOf('0.5')]);
  return {
    kind: 'vector',
    format: 'csv',
    settings: { phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', layout: 'column' },
    weights: { kind: 'file', path: 'model.safetensors', start: W0, end: W1, at: { start: W0, end: W1, ...WHERE } },
    T: 3,
    xWidth: 2,
    yWidth: 1,
    x: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
    y: Float64Array.from([1, NaN, 0]),
    hasY: Uint8Array.from([1, 0, 1]),
    line: Int32Array.from([3, 4, 5]),
    rowStart,
    rowEnd: Int32Array.from([rowStart[0] + 9, rowStart[1] + 8, rowStart[2] + 9]),
    columns: ['x1', 'x2', 'y'],
    hasDirective: true,
    errors: [],
  };
}

const { model } = vectorCase({ n: 3, m: 2, k: 1, T: 3, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' });

/** The real pipeline with a parse that knows TEXT, and a model from a tensor named "ok". */
const fake: VectorPipeline = {
  ...pipeline,
  parse: (text) => (text === TEXT ? parsed() : undefined),
  readTensors: (bytes) => Promise.resolve(bytes[0] === 1 ? { ok: true, tensors: [{ name: 'ok', shape: [1], dtype: 'F64', data: new Float64Array(1) }] } : { ok: false, problems: [{ message: 'tensor W is float16 (F16)', tensor: 'W' }] }),
  resolve: (_p, tensors) => (tensors?.[0]?.name === 'ok' ? { ok: true, model } : { ok: false, errors: [{ message: 'no tensors', line: 0, col: 0, endLine: 0, endCol: 0 }] }),
  flow: (trace) => ({ sigma: new Float64Array(trace.T).fill(0.5), normW: 0.7, maxPhiPrime: 1, horizonMedian: 3, horizonMax: 4 }),
};

function access(files: Record<string, Uint8Array>, roots = ['/ws']): WeightsAccess & { asked: string[] } {
  const asked: string[] = [];
  return {
    sequencePath: '/ws/data/seq.csv',
    roots,
    asked,
    read: (path) => {
      asked.push(path);
      const b = files[path];
      return b ? Promise.resolve(b) : Promise.reject(new Error('file not found'));
    },
  };
}


describe('analyzeVector (a vector-model document in the extension)', () => {
  it('a scalar file is left to the scalar path', async () => {
    assert.strictEqual(await analyzeVector('x,y\n1,2\n', 'csv', BUILTIN_DEFAULTS, access({}), {}, fake), undefined);
  });

  it('reads the weights relative to the sequence file and runs the pass', async () => {
    const io = access({ '/ws/data/model.safetensors': Uint8Array.of(1) });
    const a = await analyzeVector(TEXT, 'csv', BUILTIN_DEFAULTS, io, {}, fake);
    assert.deepStrictEqual(io.asked, ['/ws/data/model.safetensors']);
    assert.ok(a?.trace && a.series);
    assert.deepStrictEqual(a.errors, []);
    const expected = referenceVectorBptt(model, { T: 3, x: a.parsed.x, y: a.parsed.y, hasY: a.parsed.hasY });
    assert.deepStrictEqual([...a.trace.dL_ds], [...expected.dL_ds]);
    assert.strictEqual(a.series.summary({ uri: 'u', fileName: 'f', version: 1, durationMs: 0 }).vector.normW, 0.7);
  });

  it('refuses weights outside the workspace at the weights= text, without reading them', async () => {
    const io = access({}, ['/ws/data/sub']);
    const a = await analyzeVector(TEXT, 'csv', BUILTIN_DEFAULTS, io, {}, fake);
    assert.deepStrictEqual(io.asked, []);
    assert.strictEqual(a?.trace, undefined);
    assert.strictEqual(a?.errors.length, 1);
    assert.match(a.errors[0].message, /^weights file model\.safetensors is outside the workspace/);
    assert.deepStrictEqual({ ...a.errors[0], message: undefined }, { ...WHERE, message: undefined });
  });

  it('a missing weights file is a located error', async () => {
    const a = await analyzeVector(TEXT, 'csv', BUILTIN_DEFAULTS, access({}), {}, fake);
    assert.deepStrictEqual(a?.errors, [{ message: 'cannot read weights file model.safetensors: file not found', ...WHERE }]);
  });

  it('a weights file the reader refuses: its problems, located, naming the file', async () => {
    const a = await analyzeVector(TEXT, 'csv', BUILTIN_DEFAULTS, access({ '/ws/data/model.safetensors': Uint8Array.of(2) }), {}, fake);
    assert.deepStrictEqual(a?.errors, [{ message: 'model.safetensors: tensor W is float16 (F16)', ...WHERE }]);
  });

  it('the shipped pipeline reads a real vector file: samples/vector/pytorch16.csv and its .safetensors', async () => {
    const dir = path.join(__dirname, '..', '..', '..', 'samples', 'vector');
    const text = await readFile(path.join(dir, 'pytorch16.csv'), 'utf8');
    const io: WeightsAccess = { sequencePath: path.join(dir, 'pytorch16.csv'), roots: [dir], read: (p) => readFile(p) };
    const a = await analyzeVector(text, 'csv', BUILTIN_DEFAULTS, io);
    assert.deepStrictEqual(a?.errors, []);
    assert.ok(a?.trace);
    assert.strictEqual(a.trace.model.n, 16);
    const expected = referenceVectorBptt(a.trace.model, { T: a.parsed.T, x: a.parsed.x, y: a.parsed.y, hasY: a.parsed.hasY });
    assert.ok(a.trace.dL_ds.every((v, i) => Object.is(v, expected.dL_ds[i])), 'the kernel is the reference, bit for bit');
  });

  it('finds the step under an offset, and none between rows or before the first', () => {
    const p = parsed();
    assert.strictEqual(vectorStepAtOffset(p, ROW0), 0);
    assert.strictEqual(vectorStepAtOffset(p, ROW0 + 4), 0);
    assert.strictEqual(vectorStepAtOffset(p, TEXT.indexOf('0.6')), 2);
    assert.strictEqual(vectorStepAtOffset(p, 3), -1);
    assert.strictEqual(vectorStepAtOffset(p, TEXT.length + 10), -1);
  });
});

describe('analyzeVector never throws', () => {
  it('a reader that throws is the document\'s located error', async () => {
    const throwing: VectorPipeline = { ...fake, readTensors: () => Promise.reject(new Error('boom')) };
    const a = await analyzeVector(TEXT, 'csv', BUILTIN_DEFAULTS, access({ '/ws/data/model.safetensors': Uint8Array.of(1) }), {}, throwing);
    assert.deepStrictEqual(a?.errors.map((e) => e.message), ['internal error while computing this vector model: boom']);
  });
});

describe('the shipped pipeline\'s flow facts', () => {
  it('σ_max per step, ‖W‖₂ and max φ\' for a diagonal W, where σ_max(W·diag(φ\')) is max_i |W_ii·φ\'_i|', () => {
    const { model: m, data } = vectorCase({ n: 3, m: 2, k: 1, T: 5, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' });
    m.W = Float64Array.from([0.5, 0, 0, 0, -2, 0, 0, 0, 1]);
    const tr = referenceVectorBptt(m, data);
    const facts = pipeline.flow(tr);
    assert.ok(Math.abs(facts.normW - 2) < 1e-12);
    assert.strictEqual(facts.maxPhiPrime, 1);
    for (let i = 0; i < tr.T; i++) {
      const d = [0, 1, 2].map((r) => 1 - tr.h[i * 3 + r] ** 2);
      const expected = Math.max(0.5 * d[0], 2 * d[1], d[2]);
      assert.ok(Math.abs(facts.sigma[i] - expected) < 1e-12 * expected, `t=${i + 1}: ${facts.sigma[i]} vs ${expected}`);
    }
  });

  it('the horizons from the running product of σ_max bound the exact ones (bptt-lens flow\'s)', () => {
    for (const wScale of [0.3, 0.9, 1.4]) {
      const { model: m, data } = vectorCase({ n: 5, m: 2, k: 2, T: 120, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', wScale });
      const tr = referenceVectorBptt(m, data);
      const facts = pipeline.flow(tr);
      const exact = vectorFlow(tr).horizons;
      assert.ok(facts.horizonMax >= exact.max && facts.horizonMedian >= exact.median, `wScale ${wScale}: bound ${facts.horizonMedian}/${facts.horizonMax}, exact ${exact.median}/${exact.max}`);
    }
  });
});
