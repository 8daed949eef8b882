// Writes samples/vector/pytorch16.safetensors and pytorch16.csv: an nn.RNN(4, 16) with an
// nn.Linear(16, 1) head, saved as PyTorch's safetensors.torch.save_file(model.state_dict())
// would (float32, names rnn.weight_ih_l0 … head.bias), and an 80-step sequence with a target
// every 10 steps, so the gradient visibly fades between targets. Deterministic: run it again
// and the files are byte for byte the same.  Usage: node scripts/vector-sample.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TextEncoder } from 'node:util';

const n = 16;
const m = 4;
const k = 1;
const T = 80;
const dir = fileURLToPath(new URL('../samples/vector/', import.meta.url));

// Park–Miller, then Box–Muller: the same numbers on every machine.
let state = 20261130;
const uniform = () => (state = (state * 48271) % 2147483647) / 2147483647;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
/** @type {(rows: number, cols: number, scale: number) => Float32Array} */
const tensor = (rows, cols, scale) => Float32Array.from({ length: rows * cols }, () => normal() * scale);

/** @typedef {[name: string, shape: number[], data: Float32Array]} Tensor */
// PyTorch's names and layouts: weight_hh_l0 is n×n (W), weight_ih_l0 n×m (V), head.weight k×n (U).
/** @type {Tensor[]} */
const tensors = [
  ['rnn.weight_ih_l0', [n, m], tensor(n, m, 0.5)],
  ['rnn.weight_hh_l0', [n, n], tensor(n, n, 0.9 / Math.sqrt(n))],
  ['rnn.bias_ih_l0', [n], tensor(n, 1, 0.1)],
  ['rnn.bias_hh_l0', [n], tensor(n, 1, 0.1)],
  ['head.weight', [k, n], tensor(k, n, 1 / Math.sqrt(n))],
  ['head.bias', [k], tensor(k, 1, 0.1)],
];

/** safetensors: u64 LE header length, the JSON header (padded with spaces to 8 bytes), then the data. */
/** @param {Tensor[]} list */
function safetensors(list) {
  /** @type {Record<string, object>} */
  const header = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape, data] of list) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const [, , data] of list) {
    out.set(new Uint8Array(data.buffer), at);
    at += data.byteLength;
  }
  return out;
}

writeFileSync(dir + 'pytorch16.safetensors', safetensors(tensors));

const lines = [
  '# An nn.RNN(4, 16) with an nn.Linear(16, 1) head, weights saved with safetensors.torch.save_file (scripts/vector-sample.mjs)',
  '# bptt: weights=pytorch16.safetensors phi=tanh theta=identity loss=squared reduction=mean',
  'x1,x2,x3,x4,y',
];
for (let t = 1; t <= T; t++) {
  const x = Array.from({ length: m }, (_, j) => Math.sin(0.3 * t + j).toFixed(3));
  const y = t % 10 === 0 ? Math.cos(0.2 * t).toFixed(3) : '';
  lines.push([...x, y].join(','));
}
writeFileSync(dir + 'pytorch16.csv', lines.join('\n') + '\n');
