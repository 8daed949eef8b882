import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readTensorFile, toVectorWeights } from '../../src/parse/weights';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples', 'vector');

describe('samples/vector/pytorch16 (the real-VS-Code sample)', () => {
  it('is an nn.RNN(4, 16) + Linear(16, 1) state dict in float32 with PyTorch\'s names, as the weights reader maps it', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(SAMPLES, 'pytorch16.safetensors')));
    const read = await readTensorFile(bytes, 'pytorch16.safetensors');
    assert.ok(read.ok, JSON.stringify(!read.ok && read.problems));
    assert.deepStrictEqual(read.tensors.map((t) => [t.name, t.shape, t.dtype]), [
      ['rnn.weight_ih_l0', [16, 4], 'F32'],
      ['rnn.weight_hh_l0', [16, 16], 'F32'],
      ['rnn.bias_ih_l0', [16], 'F32'],
      ['rnn.bias_hh_l0', [16], 'F32'],
      ['head.weight', [1, 16], 'F32'],
      ['head.bias', [1], 'F32'],
    ]);
    const w = toVectorWeights(read.tensors, { layout: 'column', expect: { m: 4, k: 1 } });
    assert.ok(w.ok, JSON.stringify(!w.ok && w.problems));
    const { weights } = w;
    assert.deepStrictEqual([weights.n, weights.m, weights.k], [16, 4, 1]);
    const byName = (n: string) => read.tensors.find((t) => t.name === n)?.data ?? new Float64Array();
    assert.deepStrictEqual([...weights.W], [...byName('rnn.weight_hh_l0')]);
    assert.deepStrictEqual([...weights.b], [...byName('rnn.bias_ih_l0')].map((v, i) => v + byName('rnn.bias_hh_l0')[i]));
    assert.ok(weights.h0.every((v) => v === 0), 'h0 is zeros, as in nn.RNN');
  });

  it('its sequence names it with weights= and has 4 inputs and a target every 10 steps', () => {
    const text = fs.readFileSync(path.join(SAMPLES, 'pytorch16.csv'), 'utf8');
    assert.match(text, /^# bptt: weights=pytorch16\.safetensors /m);
    const rows = text.split('\n').filter((l) => l && !l.startsWith('#')).slice(1);
    assert.strictEqual(rows.length, 80);
    assert.ok(rows.every((r, i) => r.split(',').length === 5 && (r.split(',')[4] !== '') === ((i + 1) % 10 === 0)));
  });
});
