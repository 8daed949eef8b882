import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VectorWeights } from '../../src/core/vector/model';
import { mapParamNames, readTensorFile, toVectorWeights, type TensorEntry, type WeightsOptions } from '../../src/parse/weights';
import { writeJson, writeSafetensors, type Tensor } from './weights/writers';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'unit', 'weights', 'fixtures');

/** 0.1·(i+1)·sign, distinct per tensor, so a swapped or transposed tensor shows. */
function t(name: string, shape: number[], base = 1): TensorEntry {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, shape, dtype: 'F64', data: Float64Array.from({ length: size }, (_, i) => base * 0.1 * (i + 1) * (i % 2 ? -1 : 1)) };
}

function weights(tensors: TensorEntry[], options: WeightsOptions = { layout: 'column' }): VectorWeights & { ignored?: string[] } {
  const r = toVectorWeights(tensors, options);
  if (!r.ok) assert.fail(r.problems.map((p) => p.message).join('; '));
  return { ...r.weights, ignored: r.ignored };
}

function problem(tensors: TensorEntry[], options: WeightsOptions = { layout: 'column' }): string {
  const r = toVectorWeights(tensors, options);
  assert.equal(r.ok, false, 'expected a problem');
  return (r as { problems: { message: string }[] }).problems.map((p) => p.message).join('\n');
}

/** PyTorch's nn.RNN(m=2, n=3) under "rnn." and nn.Linear(3, k=4) under "fc.". */
function torchDict(prefix = 'rnn.', head = 'fc'): TensorEntry[] {
  return [
    t(`${prefix}weight_ih_l0`, [3, 2], 2),
    t(`${prefix}weight_hh_l0`, [3, 3], 3),
    t(`${prefix}bias_ih_l0`, [3], 5),
    t(`${prefix}bias_hh_l0`, [3], 7),
    t(`${head}.weight`, [4, 3], 11),
    t(`${head}.bias`, [4], 13),
  ];
}

describe('weights names: ours, PyTorch and NumPy to one VectorWeights', () => {
  it('a PyTorch state dict: W = weight_hh_l0, V = weight_ih_l0, b = bias_ih + bias_hh, U/c from the head, h0 zeros', () => {
    const d = torchDict();
    const w = weights(d, { layout: 'column', expect: { m: 2, k: 4 } });
    assert.deepEqual([w.n, w.m, w.k], [3, 2, 4]);
    assert.deepEqual(w.W, d[1].data);
    assert.deepEqual(w.V, d[0].data);
    assert.deepEqual(w.b, d[2].data.map((v, i) => v + d[3].data[i]));
    assert.deepEqual(w.U, d[4].data);
    assert.deepEqual(w.c, d[5].data);
    assert.deepEqual(w.h0, new Float64Array(3));
    assert.equal(w.ignored, undefined);
  });
  it('any module prefix, or none', () => {
    for (const prefix of ['', 'model.encoder.', '_orig_mod.rnn.']) assert.equal(weights(torchDict(prefix, 'model.decoder')).n, 3);
  });
  it('bias=False in the RNN or the head: zeros; one of the two RNN biases alone is b', () => {
    const d = torchDict().filter((x) => !x.name.includes('bias'));
    const w = weights(d);
    assert.deepEqual([...w.b, ...w.c], new Array(7).fill(0));
    const ihOnly = torchDict().filter((x) => x.name !== 'rnn.bias_hh_l0');
    assert.deepEqual(weights(ihOnly).b, ihOnly[2].data);
  });
  it('h0 from the file, as (n,), (1, n) or PyTorch\'s (layers, batch, n) = (1, 1, n)', () => {
    for (const shape of [[3], [1, 3], [1, 1, 3]]) assert.deepEqual(weights([...torchDict(), t('h0', shape, 17)]).h0, t('h0', [3], 17).data);
  });
  it('our names read as written, and the same model from a PyTorch .safetensors and our JSON is bit for bit the same', async () => {
    const d = torchDict();
    const ours: Tensor[] = [
      { name: 'W', shape: [3, 3], data: d[1].data },
      { name: 'V', shape: [3, 2], data: d[0].data },
      { name: 'b', shape: [3], data: d[2].data.map((v, i) => v + d[3].data[i]) },
      { name: 'U', shape: [4, 3], data: d[4].data },
      { name: 'c', shape: [4], data: d[5].data },
    ];
    const fromJson = await readTensorFile(writeJson(ours), 'w.json');
    const fromSt = await readTensorFile(writeSafetensors(d), 'model.safetensors');
    assert.ok(fromJson.ok && fromSt.ok);
    assert.deepEqual(weights(fromSt.tensors), weights(fromJson.tensors));
  });
  it('layout=row: a NumPy assignment saved by real NumPy (Wx m×n, Wh in Fortran order, h0 (1, n), Wy n×k) equals our column-layout JSON', async () => {
    const npz = await readTensorFile(readFileSync(join(FIXTURES, 'numpy_row.npz')), 'numpy_row.npz');
    const json = await readTensorFile(readFileSync(join(FIXTURES, 'expected.json')), 'expected.json');
    assert.ok(npz.ok && json.ok);
    const row = weights(npz.tensors, { layout: 'row', expect: { m: 2, k: 2 } });
    const column = weights(json.tensors.filter((x) => x.name !== 'fortran' && x.name !== 'big_f4'));
    assert.deepEqual([row.n, row.m, row.k], [3, 2, 2]);
    for (const p of ['W', 'V', 'b', 'U', 'c', 'h0'] as const) assert.deepEqual(row[p], column[p], p);
  });
  it('W_out/b_out and W_vocab/b_vocab are heads too; dropping layout=row is caught with a hint', () => {
    const np = [t('Wx', [2, 3]), t('Wh', [3, 3], 2), t('b', [3]), t('W_vocab', [3, 5], 3), t('b_vocab', [5], 4)];
    assert.equal(weights(np, { layout: 'row' }).k, 5);
    assert.equal(
      problem(np),
      '"Wx" (V) has shape (2, 3); expected (3, m), n = 3 from W; its transpose fits: does the code multiply row vectors (h @ W)? then add layout=row',
    );
    assert.match(problem(torchDict(), { layout: 'row' }), /"rnn.weight_ih_l0" \(V\) has shape \(3, 2\); expected \(m, 3\) \(layout=row: stored transposed\), n = 3 from W; its transpose fits: is the layout column/);
  });
  it('unknown extra tensors are ignored and listed', () => {
    const w = weights([...torchDict(), t('emb.weight', [10, 2]), t('bn.num_batches_tracked', [])]);
    assert.deepEqual(w.ignored, ['bn.num_batches_tracked', 'emb.weight']);
  });
  it('of two heads, the one whose columns are n', () => {
    const w = weights([...torchDict(), t('emb.weight', [10, 2]), t('emb.bias', [10])]);
    assert.equal(w.k, 4);
    assert.deepEqual(w.ignored, ['emb.weight', 'emb.bias']);
  });
});

describe('weights names: the sample weights files', () => {
  const SAMPLES = join(__dirname, '..', '..', '..', 'samples', 'weights');
  const load = async (file: string, layout: 'column' | 'row'): Promise<VectorWeights & { ignored?: string[] }> => {
    const r = await readTensorFile(readFileSync(join(SAMPLES, file)), file);
    if (!r.ok) assert.fail(r.problems.map((p) => p.message).join('; '));
    return weights(r.tensors, { layout, expect: { m: 4, k: 1 } });
  };
  it('rnn16.safetensors: a PyTorch nn.RNN(4, 16) + Linear(16, 1) state dict in float32', async () => {
    const w = await load('rnn16.safetensors', 'column');
    assert.deepEqual([w.n, w.m, w.k, w.ignored], [16, 4, 1, undefined]);
    // PyTorch's initialisation: every weight within ±1/√n, b the sum of two such
    assert.ok([...w.W, ...w.V, ...w.U, ...w.c].every((v) => Math.abs(v) <= 0.25 && v === Math.fround(v)));
    assert.ok(w.b.every((v) => Math.abs(v) <= 0.5));
  });
  it('numpy_rnn.npz: a NumPy assignment (layout=row), n = 8', async () => {
    const w = await load('numpy_rnn.npz', 'row');
    assert.deepEqual([w.n, w.m, w.k], [8, 4, 1]);
  });
});

describe('weights names: problems say what was found and what was expected', () => {
  it('multi-layer, bidirectional, LSTM, GRU', () => {
    assert.match(problem([...torchDict(), t('rnn.weight_hh_l1', [3, 3])]), /"rnn.weight_hh_l1" is layer 1 of a multi-layer RNN; BPTT Lens expects one layer \(num_layers=1\)/);
    assert.match(problem([...torchDict(), t('rnn.weight_hh_l0_reverse', [3, 3])]), /"rnn.weight_hh_l0_reverse" is from a bidirectional RNN; BPTT Lens expects one direction/);
    const cell = (rows: number): TensorEntry[] => [t('lstm.weight_ih_l0', [rows, 2]), t('lstm.weight_hh_l0', [rows, 3]), t('fc.weight', [1, 3])];
    assert.equal(problem(cell(12)), '"lstm.weight_hh_l0" has shape (12, 3): 4n × n is an LSTM\'s; BPTT Lens expects nn.RNN\'s n × n');
    assert.match(problem(cell(9)), /shape \(9, 3\): 3n × n is a GRU's/);
    assert.match(problem([...torchDict(), t('rnn.weight_hr_l0', [2, 3])]), /an LSTM's projection/);
  });
  it('shapes that do not fit, each against what fixed it', () => {
    const d = torchDict();
    const swap = (name: string, x: TensorEntry): TensorEntry[] => d.map((y) => (y.name === name ? { ...x, name } : y));
    assert.equal(problem(swap('rnn.weight_hh_l0', t('', [3, 4]))), '"rnn.weight_hh_l0" (W) has shape (3, 4); expected a square n × n matrix');
    assert.equal(problem(swap('rnn.weight_hh_l0', t('', [9]))), '"rnn.weight_hh_l0" (W) has shape (9,); expected a square n × n matrix');
    assert.equal(problem(swap('rnn.weight_ih_l0', t('', [4, 2]))), '"rnn.weight_ih_l0" (V) has shape (4, 2); expected (3, m), n = 3 from W');
    assert.equal(problem(swap('fc.weight', t('', [4, 2]))), '"fc.weight" (U) has shape (4, 2); expected (k, 3), n = 3 from W');
    assert.equal(problem(d, { layout: 'column', expect: { m: 5 } }), '"rnn.weight_ih_l0" (V) has shape (3, 2), so m = 2 inputs per step; the sequence has 5 (x\'s width)');
    assert.equal(problem(d, { layout: 'column', expect: { k: 1 } }), '"fc.weight" (U) has shape (4, 3), so k = 4 outputs per step; the sequence expects 1');
    assert.equal(problem(d, { layout: 'column', expect: { n: 8 } }), '"rnn.weight_hh_l0" (W) is 3 × 3; expected n = 8');
    assert.equal(problem(swap('rnn.bias_ih_l0', t('', [4]))), '"rnn.bias_ih_l0" has shape (4,) and "rnn.bias_hh_l0" (3,); expected the same (n,)');
    assert.equal(problem(swap('fc.bias', t('', [2, 2]))), '"fc.bias" (c) has shape (2, 2); expected (4,), k = 4 from U');
    assert.equal(problem([...d, t('h0', [2, 3])]), '"h0" (h0) has shape (2, 3); expected (3,), n = 3 from W (one sequence: batch 1)');
  });
  it('a missing tensor names every spelling and what the file has', () => {
    assert.equal(
      problem([t('W', [2, 2]), t('U', [1, 2])]),
      'no tensor for V: expected \'V\', PyTorch\'s \'weight_ih_l0\' or NumPy\'s \'Wx\'; found "W" (2, 2), "U" (1, 2)',
    );
    assert.match(problem(torchDict().filter((x) => !x.name.startsWith('fc'))), /^no tensor for U: expected 'U', a PyTorch head's '<name>.weight'/);
    assert.match(problem([]), /no tensor for W: .*; the file has no tensors/);
  });
  it('two names for one parameter, two RNNs, two heads that both fit, a repeated name', () => {
    assert.match(problem([...torchDict(), t('W', [3, 3])]), /"W" and "rnn.weight_hh_l0" all name W; expected one/);
    assert.match(problem([...torchDict('a.'), ...torchDict('b.', 'fc')]), /RNN parameters under 2 prefixes \("a\.", "b\."\); expected one nn\.RNN/);
    assert.match(problem([...torchDict(), t('fc2.weight', [2, 3])]), /several heads fit \("fc.weight", "fc2.weight"\); expected one nn.Linear\(n, k\)/);
    assert.match(problem([...torchDict(), t('W', [3, 3]), t('W', [3, 3])]), /two tensors are named "W"/);
  });
});

describe('mapParamNames for gradient files', () => {
  const names = (tensors: TensorEntry[]): Record<string, string> => {
    const m = mapParamNames(tensors, { gradients: true });
    assert.deepEqual(m.problems, []);
    return { ...Object.fromEntries(Object.entries(m.params).map(([p, x]) => [p, x.name])), other: m.other.map((x) => x.name).join(',') };
  };
  it('ours with d, NumPy with d, dL_d and grad_ prefixes; per-step dL_dh and dL_ds left to the caller', () => {
    assert.deepEqual(names([t('dW', [2, 2]), t('dV', [2, 1]), t('db', [2]), t('dU', [1, 2]), t('dc', [1]), t('dh0', [2]), t('dL_dh', [5, 2]), t('dL_ds', [5, 2])]), {
      W: 'dW', V: 'dV', b: 'db', U: 'dU', c: 'dc', h0: 'dh0', other: 'dL_dh,dL_ds',
    });
    assert.deepEqual(names([t('dWh', [2, 2]), t('dWx', [1, 2]), t('db', [2]), t('dh0', [1, 2]), t('dL_dWy', [2, 1]), t('grad_by', [1])]), {
      W: 'dWh', V: 'dWx', b: 'db', h0: 'dh0', U: 'dL_dWy', c: 'grad_by', other: '',
    });
  });
  it("PyTorch's .grad names: each bias gradient is ∂L/∂b, so b is bias_ih's, not the sum", () => {
    const g = torchDict().map((x) => ({ ...x, name: `${x.name}.grad` }));
    assert.deepEqual(names(g), {
      V: 'rnn.weight_ih_l0.grad', W: 'rnn.weight_hh_l0.grad', b: 'rnn.bias_ih_l0.grad', U: 'fc.weight.grad', c: 'fc.bias.grad', other: '',
    });
    assert.deepEqual(mapParamNames(g, { gradients: true }).params.b?.data, g[2].data);
  });
  it('PyTorch parameter names without a suffix, as {name: p.grad for name, p in named_parameters()} saves them', () => {
    assert.deepEqual(names(torchDict()), {
      V: 'rnn.weight_ih_l0', W: 'rnn.weight_hh_l0', b: 'rnn.bias_ih_l0', U: 'fc.weight', c: 'fc.bias', other: '',
    });
  });
  it('names that are not gradients are left over, not guessed', () => {
    assert.deepEqual(names([t('W', [2, 2]), t('loss', [])]).other, 'W,loss');
  });
});
