import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorFile, type TensorEntry, type TensorFileResult } from '../../src/parse/weights';
import { fortranToRowMajor } from '../../src/parse/weights/tensor';
import { crc32 } from '../../src/parse/weights/npz';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { nest, writeJson, writeNpy, writeNpz, writeSafetensors, type Tensor } from './weights/writers';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'unit', 'weights', 'fixtures');

/** Doubles that stress the bits: subnormals, extremes, near-integers, values with 17 significant digits. */
function hardDoubles(count: number, seed: number): Float64Array {
  const out = new Float64Array(count);
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const special = [5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1 / 3, -1e-300, 123456789.12345679];
  for (let i = 0; i < count; i++) out[i] = i < special.length ? special[i] : (next() - 0.5) * 10 ** Math.floor(next() * 20 - 10);
  return out;
}

const MODEL: Tensor[] = [
  { name: 'W', shape: [3, 3], data: hardDoubles(9, 1) },
  { name: 'V', shape: [3, 2], data: hardDoubles(6, 2) },
  { name: 'b', shape: [3], data: hardDoubles(3, 3) },
  { name: 'U', shape: [2, 3], data: hardDoubles(6, 4) },
  { name: 'c', shape: [2], data: hardDoubles(2, 5) },
  { name: 'h0', shape: [3], data: hardDoubles(3, 6) },
];

function tensors(r: TensorFileResult): TensorEntry[] {
  if (!r.ok) assert.fail(`expected tensors, got problems: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.tensors;
}

function problems(r: TensorFileResult): string[] {
  assert.equal(r.ok, false, 'expected problems');
  return (r as { problems: { message: string }[] }).problems.map((p) => p.message);
}

/** Same names, shapes and bit patterns (Object.is tells -0 from 0). */
function assertSameBits(got: TensorEntry[], want: Tensor[]): void {
  assert.deepEqual(got.map((t) => t.name).sort(), want.map((t) => t.name).sort());
  for (const w of want) {
    const g = got.find((t) => t.name === w.name) as TensorEntry;
    assert.deepEqual(g.shape, w.shape, w.name);
    assert.equal(g.data.length, w.data.length);
    for (let i = 0; i < w.data.length; i++) assert.ok(Object.is(g.data[i], w.data[i]), `${w.name}[${i}]: ${g.data[i]} vs ${w.data[i]}`);
  }
}

describe('weights readers: round-trips against the JSON weights, bit for bit', () => {
  it('JSON weights read back exactly, shape from the nesting', async () => {
    assertSameBits(tensors(await readTensorFile(writeJson(MODEL), 'w.json')), MODEL);
  });
  for (const pad of [0, 3]) {
    it(`.safetensors F64 matches the JSON weights (header padded by ${pad}: ${pad ? 'unaligned' : 'aligned'} data)`, async () => {
      const fromJson = tensors(await readTensorFile(writeJson(MODEL), 'w.json'));
      const st = tensors(await readTensorFile(writeSafetensors(MODEL, { pad, metadata: { format: 'pt' } }), 'model.safetensors'));
      assertSameBits(st, fromJson);
      assert.ok(st.every((t) => t.dtype === 'F64'));
    });
  }
  it('.safetensors F32 widens to the float32 values exactly', async () => {
    const st = tensors(await readTensorFile(writeSafetensors(MODEL, { dtype: 'F32' }), 'm.safetensors'));
    assertSameBits(st, MODEL.map((t) => ({ ...t, data: t.data.map(Math.fround) })));
  });
  for (const opts of [{}, { deflate: true }, { descriptor: true }, { deflate: true, descriptor: true }, { fortran: true, deflate: true }, { zip64: true, deflate: true }]) {
    it(`.npz ${JSON.stringify(opts)} matches the JSON weights`, async () => {
      const fromJson = tensors(await readTensorFile(writeJson(MODEL), 'w.json'));
      assertSameBits(tensors(await readTensorFile(writeNpz(MODEL, opts), 'w.npz')), fromJson);
    });
  }
  it('.npy: versions 1, 2, 3; C and Fortran order; <f8 >f8 <f4 >f4; shapes (3,), () and 3-D', async () => {
    const cube: Tensor = { name: 'T', shape: [2, 3, 4], data: hardDoubles(24, 9) };
    const cases: [Tensor, Parameters<typeof writeNpy>[1]][] = [
      [MODEL[1], { version: 1 }],
      [MODEL[1], { version: 2, fortran: true }],
      [MODEL[1], { version: 3, descr: '>f8' }],
      [MODEL[2], { fortran: true }],
      [{ name: 's', shape: [], data: new Float64Array([0.25]) }, {}],
      [cube, { fortran: true }],
      [cube, { descr: '>f8', fortran: true }],
    ];
    for (const [t, opts] of cases) {
      const [got] = tensors(await readTensorFile(writeNpy(t, opts), `${t.name}.npy`));
      assertSameBits([got], [t]);
    }
    for (const descr of ['<f4', '>f4']) {
      const [got] = tensors(await readTensorFile(writeNpy(cube, { descr, fortran: true }), 'T.npy'));
      assertSameBits([got], [{ ...cube, data: cube.data.map(Math.fround) }]);
      assert.equal(got.dtype, descr);
    }
  });
  it('crc32 agrees with zlib at every length mod 4', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1000, 1001, 1002, 1003]) {
      const b = Uint8Array.from({ length }, (_, i) => (i * 131 + 7) & 255);
      assert.equal(crc32(b), zlibCrc32(b), `length ${length}`);
    }
  });
  it('fortranToRowMajor agrees with the writer at every rank up to 4', () => {
    for (const shape of [[5], [2, 3], [3, 1, 2], [2, 2, 3, 2]]) {
      const t: Tensor = { name: 'a', shape, data: hardDoubles(shape.reduce((a, b) => a * b, 1), 3) };
      const npy = writeNpy(t, { fortran: true });
      const stream = new Float64Array(npy.buffer.slice(npy.byteOffset + npy.length - t.data.length * 8));
      assertSameBits([{ name: 'a', shape, dtype: '', data: fortranToRowMajor(stream, shape) }], [t]);
    }
  });
});

describe('weights readers: files made by real NumPy', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, unknown>;
  const same = (t: TensorEntry, nested: unknown): void => assert.deepEqual(nest(t.data, t.shape), nested, t.name);
  it('np.save of a transposed view (fortran_order: True) reads as the transposed matrix', async () => {
    const [t] = tensors(await readTensorFile(readFileSync(join(FIXTURES, 'fortran.npy')), 'fortran.npy'));
    assert.equal(t.name, 'fortran');
    assert.deepEqual(t.shape, [3, 2]);
    same(t, expected.fortran);
  });
  it('big-endian float32 (>f4)', async () => {
    const [t] = tensors(await readTensorFile(readFileSync(join(FIXTURES, 'big_f4.npy')), 'big_f4.npy'));
    same(t, expected.big_f4);
  });
  for (const file of ['numpy_row.npz', 'numpy_stored.npz']) {
    it(`${file}: every member, names without ".npy", Wh in Fortran order`, async () => {
      const ts = tensors(await readTensorFile(readFileSync(join(FIXTURES, file)), file));
      assert.deepEqual(ts.map((t) => t.name).sort(), ['Wh', 'Wx', 'Wy', 'b', 'by', 'h0']);
      const byName = (n: string): TensorEntry => ts.find((t) => t.name === n) as TensorEntry;
      // Wh is stored transposed relative to W: Wh[i][j] = W[j][i]
      const W = expected.W as number[][];
      same(byName('Wh'), W[0].map((_, i) => W.map((row) => row[i])));
      same(byName('b'), expected.b);
    });
  }
});

describe('weights readers: problems, each saying what was found and what was expected', () => {
  it('float16 / bfloat16 / integer / bool safetensors', async () => {
    const file = (dtype: string, bytes: number): Uint8Array => {
      const header = JSON.stringify({ W: { dtype, shape: [2], data_offsets: [0, bytes] } });
      const b = Buffer.alloc(8 + header.length + bytes);
      b.writeBigUInt64LE(BigInt(header.length));
      b.write(header, 8);
      return new Uint8Array(b);
    };
    assert.deepEqual(problems(await readTensorFile(file('F16', 4), 'm.safetensors')), [
      'tensor "W" is float16 (F16); BPTT Lens reads float32 and float64: save with model.double() or model.float()',
    ]);
    assert.match(problems(await readTensorFile(file('BF16', 4), 'm.safetensors'))[0], /"W" is bfloat16 \(BF16\)/);
    assert.match(problems(await readTensorFile(file('I64', 16), 'm.safetensors'))[0], /"W" is an integer type \(I64\)/);
    assert.match(problems(await readTensorFile(file('BOOL', 2), 'm.safetensors'))[0], /"W" is bool \(BOOL\)/);
  });
  it('float16, object (pickle), integer, complex and structured .npy', async () => {
    const t: Tensor = { name: 'W', shape: [2], data: new Float64Array(2) };
    const msg = async (descr: string, header?: string): Promise<string> => problems(await readTensorFile(writeNpy(t, { descr, header }), 'W.npy'))[0];
    assert.equal(await msg('<f2'), 'tensor "W" is float16 (<f2); BPTT Lens reads float32 and float64: save with np.save(path, a.astype(np.float64))');
    assert.match(await msg('|O'), /object array \(a pickle\), which BPTT Lens never loads/);
    assert.match(await msg('<i8'), /integer type \(<i8\)/);
    assert.match(await msg('<c16'), /complex/);
    assert.match(await msg('<f8', "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }"), /structured dtype/);
  });
  it('a header written to be evaluated is just text that does not parse', async () => {
    const t: Tensor = { name: 'W', shape: [1], data: new Float64Array(1) };
    const evil = "{'descr': __import__('os').system('echo pwned'), 'fortran_order': False, 'shape': (1,), }";
    assert.match(problems(await readTensorFile(writeNpy(t, { header: evil }), 'W.npy'))[0], /value of 'descr' is not a string/);
  });
  it('JSON: ragged arrays at their offset, line and column; non-numbers; not an object; syntax; too deep', async () => {
    const text = '{\n "W": [[1, 2],\n       [3]],\n "b": [1, "x"]\n}';
    const r = await readTensorFile(new TextEncoder().encode(text), 'w.json');
    assert.equal(r.ok, false);
    const ps = (r as { problems: { message: string; offset?: number; line?: number; col?: number }[] }).problems;
    assert.equal(ps[0].message, '"W" is ragged: found 1 elements at depth 2 where the first has 2 elements');
    assert.deepEqual([ps[0].offset, ps[0].line, ps[0].col], [text.indexOf('[3]'), 2, 7]);
    assert.match(ps[1].message, /"b" is ragged: found string where a number belongs/);
    assert.match(problems(await readTensorFile(new TextEncoder().encode('[1, 2]'), 'w.json'))[0], /expected a JSON object/);
    assert.match(problems(await readTensorFile(new TextEncoder().encode('{"W": [1,, 2]}'), 'w.json'))[0], /invalid JSON \(ValueExpected\)/);
    assert.match(problems(await readTensorFile(new TextEncoder().encode(`{"W": ${'['.repeat(100000)}`), 'w.json'))[0], /nest deeper than 32/);
    assert.match(problems(await readTensorFile(new TextEncoder().encode('{"W": [[[[[[[[[[1]]]]]]]]]]}'), 'w.json'))[0], /deeper than 8 arrays/);
  });
  it('an unknown extension is named', async () => {
    assert.deepEqual(problems(await readTensorFile(new Uint8Array(4), 'model.pt')), [
      'cannot tell the format of "model.pt": expected a .safetensors, .npz, .npy or .json weights file',
    ]);
  });
});
