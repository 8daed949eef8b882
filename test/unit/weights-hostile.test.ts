import * as assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import * as fc from 'fast-check';
import { readTensorFile, type TensorFileResult } from '../../src/parse/weights';
import { rawSafetensors, writeJson, writeNpy, writeNpz, writeSafetensors, writeZip, type Tensor } from './weights/writers';

const W: Tensor = { name: 'W', shape: [2, 2], data: new Float64Array([1, 2, 3, 4]) };

async function firstProblem(r: Promise<TensorFileResult>): Promise<string> {
  const got = await r;
  assert.equal(got.ok, false, 'expected a problem');
  return (got as { problems: { message: string }[] }).problems[0].message;
}

describe('weights hostile files: a problem, never a throw', () => {
  it('.safetensors: short, lying or huge header length, bad header JSON', async () => {
    const st = (bytes: Uint8Array): Promise<string> => firstProblem(readTensorFile(bytes, 'm.safetensors'));
    assert.match(await st(new Uint8Array(5)), /5 bytes: a \.safetensors file starts with an 8-byte header length/);
    assert.match(await st(rawSafetensors({}, new Uint8Array(0), 1000n)), /header length is 1000, but the file has 2 bytes after it/);
    assert.match(await st(rawSafetensors({}, new Uint8Array(0), 1n << 40n)), /header length is over 2³² bytes/);
    assert.match(await st(rawSafetensors('{"W": ', new Uint8Array(0))), /header is not valid UTF-8 JSON/);
    assert.match(await st(rawSafetensors('[1]', new Uint8Array(0))), /header is not a JSON object/);
    assert.match(await st(rawSafetensors('['.repeat(200000), new Uint8Array(0))), /header is not valid UTF-8 JSON/);
    assert.match(await st(rawSafetensors({ W: { dtype: 'F64' } }, new Uint8Array(0))), /tensor "W": expected \{dtype, shape, data_offsets\}/);
  });
  it('.safetensors: negative, reversed, out-of-range, mis-sized and overlapping data_offsets; huge shapes', async () => {
    const st = (header: unknown, bytes = 32): Promise<string> => firstProblem(readTensorFile(rawSafetensors(header, new Uint8Array(bytes)), 'm.safetensors'));
    const entry = (offsets: unknown, shape: unknown = [2]): unknown => ({ W: { dtype: 'F64', shape, data_offsets: offsets } });
    assert.match(await st(entry([-16, 0])), /data_offsets \[-16,0\]; expected \[begin, end\] with 0 ≤ begin ≤ end ≤ 32/);
    assert.match(await st(entry([16, 0])), /data_offsets \[16,0\]/);
    assert.match(await st(entry([16, 48])), /data_offsets \[16,48\]; expected .* ≤ 32 \(the data buffer's length\)/);
    assert.match(await st(entry([0, 1.5])), /data_offsets \[0,1\.5\]/);
    assert.match(await st(entry([0, 8])), /needs 16 bytes, but its data_offsets span 8/);
    assert.match(await st(entry([0, 16], [1e9, 1e9])), /shape \[1000000000,1000000000\]; expected at most 8 non-negative integer dimensions and at most 67108864 elements/);
    assert.match(await st(entry([0, 16], [-2, -1])), /shape \[-2,-1\]/);
    assert.match(await st(entry([0, 16], '2')), /expected \{dtype, shape, data_offsets\}/);
    const overlap = { A: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, B: { dtype: 'F64', shape: [2], data_offsets: [8, 24] } };
    assert.equal(await st(overlap), 'tensors "A" and "B" overlap (data_offsets [0, 16] and [8, 24]); expected disjoint ranges');
  });
  it('.npy: wrong magic, unknown version, truncated header and data, a shape bigger than the file', async () => {
    const npy = (bytes: Uint8Array): Promise<string> => firstProblem(readTensorFile(bytes, 'W.npy'));
    const good = writeNpy(W);
    assert.match(await npy(new TextEncoder().encode('PK\x03\x04 not numpy')), /W: not a \.npy file \(it does not start with "\\x93NUMPY"\)/);
    const v9 = good.slice();
    v9[6] = 9;
    assert.match(await npy(v9), /format version 9\.0; expected 1\.0, 2\.0 or 3\.0/);
    assert.match(await npy(good.subarray(0, 9)), /truncated \.npy header/);
    assert.match(await npy(good.subarray(0, 40)), /the header length is 118, but 30 bytes follow/);
    assert.match(await npy(good.subarray(0, good.length - 1)), /needs 32 data bytes, but the file has 31: truncated/);
    assert.match(await npy(writeNpy(W, { header: "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }" })), /shape \[100000,100000\]; expected at most/);
    assert.match(await npy(writeNpy(W, { header: "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 1), }" })), /value of 'shape' is not/);
    assert.match(await npy(writeNpy(W, { header: "{'descr': '<f8', 'shape': (2, 2), }" })), /needs 'descr' \(a string\), 'fortran_order'/);
  });
  it('.npz: not a ZIP, truncated, lying sizes, zip bomb, bad CRC, unknown method, encrypted', async () => {
    const npz = (bytes: Uint8Array): Promise<string> => firstProblem(readTensorFile(bytes, 'w.npz'));
    const good = writeNpz([W], { deflate: true });
    assert.match(await npz(writeNpy(W)), /not a ZIP archive \(no end-of-central-directory record\)/);
    assert.match(await npz(good.subarray(0, good.length - 5)), /not a ZIP archive/);
    assert.match(await npz(new Uint8Array(3)), /too short for a ZIP archive/);
    // data cut out from under the directory: the EOCD moved up
    const cut = new Uint8Array([...good.subarray(0, 40), ...good.subarray(good.length - 22 - 46 - 5)]);
    assert.match(await npz(cut), /central directory .* lies outside the file|damaged|runs past/);
    // a bomb: 64 MB of zeros deflates to ~64 kB; the directory claims 200 bytes, and inflating stops there
    const zeros = new Uint8Array(64 << 20);
    const bomb = writeZip([{ name: 'W.npy', bytes: zeros }], { deflate: true, lieSize: 200 });
    const t0 = Date.now();
    assert.match(await npz(bomb), /member "W\.npy": does not inflate to the 200 bytes its directory entry says/);
    assert.ok(Date.now() - t0 < 5000, 'stopped early');
    assert.match(await npz(writeZip([{ name: 'W.npy', bytes: new Uint8Array(10) }], { lieSize: 2 ** 32 - 2 })), /inflates to 4294967294 bytes .* expected at most/);
    // a flipped byte inside a stored member: the CRC-32 tells
    const stored = writeNpz([W]);
    const flipped = stored.slice();
    flipped[150] ^= 0xff;
    assert.match(await npz(flipped), /CRC-32 does not match/);
    // corrupt deflate data
    const corrupt = writeZip([{ name: 'W.npy', bytes: writeNpy(W) }], { deflate: true });
    corrupt[40] ^= 0xff;
    corrupt[41] ^= 0xff;
    assert.match(await npz(corrupt), /does not inflate|CRC-32/);
    const method = stored.slice();
    method[8] = 12; // the local header: not read for the method; the central directory is
    const dir = stored.length - 22 - 46 - 'W.npy'.length;
    method[dir + 10] = 12;
    assert.match(await npz(method), /compression method 12; expected 0 \(stored, np\.savez\) or 8/);
    const encrypted = stored.slice();
    encrypted[dir + 8] |= 1;
    assert.match(await npz(encrypted), /encrypted/);
  });
  it('.npz: a member that is not .npy is named', async () => {
    const zip = writeZip([{ name: 'notes.txt', bytes: new TextEncoder().encode('hello') }]);
    assert.match(await firstProblem(readTensorFile(zip, 'w.npz')), /notes\.txt: not a \.npy file/);
  });
  it('a deflated member inflating past its promise stops even when the data is short', async () => {
    const big = new Uint8Array(1 << 20).fill(7);
    const zip = writeZip([{ name: 'W.npy', bytes: big }], { deflate: true, lieSize: 1 << 10 });
    assert.ok(deflateRawSync(big).length < 1 << 12);
    assert.match(await firstProblem(readTensorFile(zip, 'w.npz')), /does not inflate to the 1024 bytes/);
  });

  const model: Tensor[] = [W, { name: 'b', shape: [2], data: new Float64Array([0.5, -0.5]) }];
  const files: [string, Uint8Array][] = [
    ['m.safetensors', writeSafetensors(model)],
    ['m.npz', writeNpz(model)],
    ['z.npz', writeNpz(model, { deflate: true, descriptor: true })],
    ['W.npy', writeNpy(W, { fortran: true })],
    ['m.json', writeJson(model)],
  ];
  for (const [name, good] of files) {
    it(`${name}: any truncation or set of overwritten bytes resolves to tensors or problems`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(good.length), fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), async (cut, edits) => {
          const bytes = good.slice(0, cut === good.length ? undefined : cut);
          for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
          const r = await readTensorFile(bytes, name);
          if (r.ok) for (const t of r.tensors) assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1));
          else assert.ok(r.problems.length > 0 && r.problems.every((p) => typeof p.message === 'string' && p.message.length > 0));
        }),
        { numRuns: 300 },
      );
    });
  }
});
