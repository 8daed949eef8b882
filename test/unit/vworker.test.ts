/**
 * A large vector-model document in the worker (issue 11 + 12): the host's sniff of the head and
 * its weights read, the computeVector request through the worker body's handler, and the client's
 * messages. The worker's numbers are the inline path's, bit for bit, and the reference's.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BUILTIN_DEFAULTS } from '../../src/core';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { analyzeVector, type WeightsAccess } from '../../src/extension/vector/analyze';
import { preReadWeights, sentWeights, sniffVector, vectorAnalysisOf, vectorResultTransferables } from '../../src/extension/vector/offThread';
import { vectorSeriesStats } from '../../src/extension/timeline/vectorData';
import { heatBlocks, heatStrip } from '../../src/shared/heatStrip';
import { bucketLayout } from '../../src/shared/series';
import { handleRequest } from '../../src/extension/workerBody';
import { WorkerClient, type WorkerHost } from '../../src/extension/workerClient';
import type { ComputeVectorRequest, VectorResult, WeightsBytes, WorkerRequest, WorkerResponse } from '../../src/extension/workerProtocol';

const DIR = path.join(__dirname, '..', '..', '..', 'samples', 'vector');
const TEXT = fs.readFileSync(path.join(DIR, 'pytorch16.csv'), 'utf8');
const WEIGHTS = () => new Uint8Array(fs.readFileSync(path.join(DIR, 'pytorch16.safetensors')));
const SEQ = '/ws/data/pytorch16.csv';
const WPATH = '/ws/data/pytorch16.safetensors';

function request(weights: WeightsBytes[], text = TEXT, roots = ['/ws']): ComputeVectorRequest {
  return { type: 'computeVector', id: 7, format: 'csv', defaults: BUILTIN_DEFAULTS, input: { slices: [new TextEncoder().encode(text)] }, sequencePath: SEQ, roots, weights, check: {} };
}

/** The worker body's answer to one request. */
async function answer(req: WorkerRequest): Promise<{ response: WorkerResponse; transfer: ArrayBuffer[] }> {
  let got: { response: WorkerResponse; transfer: ArrayBuffer[] } | undefined;
  await handleRequest(req, (response, transfer) => (got = { response, transfer }));
  assert.ok(got, 'the worker replied');
  return got;
}

async function vectorResult(req: ComputeVectorRequest): Promise<VectorResult | null> {
  const { response } = await answer(req);
  assert.strictEqual(response.type, 'didComputeVector', JSON.stringify(response));
  assert.strictEqual(response.id, 7);
  return response.type === 'didComputeVector' ? response.result : null;
}

/** The inline path on the same text, with a reader over `files`. */
function inline(files: Record<string, Uint8Array>, roots = ['/ws'], text = TEXT) {
  const io: WeightsAccess = { sequencePath: SEQ, roots, read: (p) => (files[p] ? Promise.resolve(files[p]) : Promise.reject(new Error('file not found'))) };
  return analyzeVector(text, 'csv', BUILTIN_DEFAULTS, io);
}

describe('sniffVector (the host reads only the head of a large document)', () => {
  it('CSV: the weights= of a # bptt: line above the header; a scalar file is not a vector file', () => {
    assert.deepStrictEqual(sniffVector(TEXT, 'csv'), { vector: true, files: ['pytorch16.safetensors'] });
    assert.deepStrictEqual(sniffVector('# bptt: phi=tanh\nx,y\n1,2\n', 'csv'), { vector: false, files: [] });
    // Below the header, a "# bptt:" line is not a directive.
    assert.deepStrictEqual(sniffVector('x,y\n# bptt: weights=m.npz\n', 'csv'), { vector: false, files: [] });
  });

  it('JSON: a "weights" string at the top or in the tail (head + tail, cut in the middle)', () => {
    assert.deepStrictEqual(sniffVector('{"bptt": {"weights": "m\\u002enpz"}, "x": [[1, 2], [3', 'json'), { vector: true, files: ['m.npz'] });
    assert.deepStrictEqual(sniffVector('{"x": [[1, 2], [3, 4]], "y": [0, 1], "weights": "../w.safetensors"}', 'json').files, ['../w.safetensors']);
    assert.deepStrictEqual(sniffVector('{"x": [1, 2], "y": [0, 1]}', 'json'), { vector: false, files: [] });
  });
});

describe('preReadWeights (the host\'s read, with the inline path\'s path rules)', () => {
  it('reads a path relative to the sequence file once; refuses one outside the workspace without reading it; keeps a read error', async () => {
    const asked: string[] = [];
    const io: WeightsAccess = {
      sequencePath: SEQ,
      roots: ['/ws'],
      read: (p) => (asked.push(p), p === WPATH ? Promise.resolve(Uint8Array.of(1, 2)) : Promise.reject(new Error('file not found'))),
    };
    const got = await preReadWeights(['pytorch16.safetensors', './pytorch16.safetensors', '../../etc/passwd', 'missing.npz'], io);
    assert.deepStrictEqual(asked, [WPATH, '/ws/data/missing.npz']);
    assert.deepStrictEqual(got, [{ path: WPATH, bytes: Uint8Array.of(1, 2) }, { path: '/ws/data/missing.npz', error: 'file not found' }]);
  });

  it('the worker\'s reader answers only from what the host sent', async () => {
    const io = sentWeights(SEQ, ['/ws'], [{ path: WPATH, bytes: Uint8Array.of(3) }, { path: '/ws/x.npz', error: 'EACCES' }]);
    assert.deepStrictEqual(await io.read(WPATH), Uint8Array.of(3));
    await assert.rejects(io.read('/ws/x.npz'), /EACCES/);
    await assert.rejects(io.read('/ws/other.npz'), /did not read it/);
  });
});

describe('the worker body\'s computeVector', () => {
  it('pytorch16: the same trace, flow and errors as the inline path, bit for bit, and the reference\'s ∂L/∂s', async () => {
    const r = await vectorResult(request([{ path: WPATH, bytes: WEIGHTS() }]));
    const a = await inline({ [WPATH]: WEIGHTS() });
    assert.ok(r?.trace && r.flow && r.stats && a?.trace && a.series);
    assert.deepStrictEqual(r.errors, []);
    assert.strictEqual(r.trace.model.n, 16);
    assert.strictEqual(r.parsed.T, 80);
    for (const key of ['s', 'h', 'dL_ds'] as const) assert.ok(r.trace[key].every((v, i) => Object.is(v, a.trace![key][i])), key);
    for (const key of ['W', 'V', 'b', 'U', 'c', 'h0'] as const) assert.deepStrictEqual([...r.trace.grads[key]], [...a.trace.grads[key]], key);
    assert.strictEqual(r.trace.loss, a.trace.loss);
    assert.deepStrictEqual([...r.flow.sigma], [...a.series.flow.sigma]);
    const ref = referenceVectorBptt(r.trace.model, { T: r.parsed.T, x: r.parsed.x, y: r.parsed.y, hasY: r.parsed.hasY });
    assert.ok(r.trace.dL_ds.every((v, i) => Object.is(v, ref.dL_ds[i])), 'the reference, bit for bit');
    // The timeline's norms come computed: the host's series is the inline one.
    const stats = vectorSeriesStats(a.trace);
    assert.deepStrictEqual([...r.stats.norms.dL_ds], [...stats.norms.dL_ds]);
    assert.deepStrictEqual([r.stats.logFloor, r.stats.heatFloor], [stats.logFloor, stats.heatFloor]);
    const host = vectorAnalysisOf(r);
    const meta = { uri: 'u', fileName: 'f', version: 1, durationMs: 0 };
    assert.deepStrictEqual(host.series?.summary(meta), a.series.summary(meta));
    assert.deepStrictEqual(host.series?.window(10, 50, 20), a.series.window(10, 50, 20));
    assert.deepStrictEqual(host.series?.step(19), a.series.step(19));
  });

  it('every typed array of the result moves to the host (transferred, not copied)', async () => {
    const { response, transfer } = await answer(request([{ path: WPATH, bytes: WEIGHTS() }]));
    assert.ok(response.type === 'didComputeVector' && response.result?.trace);
    const r = response.result;
    assert.deepStrictEqual(transfer, vectorResultTransferables(r));
    for (const a of [r.parsed.x, r.parsed.rowStart, r.trace!.h, r.trace!.dL_ds, r.trace!.model.W, r.trace!.grads.W, r.flow!.sigma, r.stats!.norms.dL_ds]) {
      assert.ok(transfer.includes(a.buffer as ArrayBuffer), 'a buffer left out of the transfer list');
    }
    // A real transfer: the worker's copies are detached after it, and the host's arrays intact.
    const dL_ds = r.trace!.dL_ds.slice();
    const moved = structuredClone(response, { transfer });
    assert.strictEqual(r.trace!.dL_ds.length, 0);
    assert.ok(moved.type === 'didComputeVector' && moved.result?.trace);
    assert.deepStrictEqual([...moved.result.trace.dL_ds], [...dL_ds]);
  });

  it('a weights file the host could not read: the inline path\'s located error', async () => {
    const r = await vectorResult(request([{ path: WPATH, error: 'file not found' }]));
    const a = await inline({});
    assert.ok(r && a);
    assert.strictEqual(r.trace, undefined);
    assert.deepStrictEqual(r.errors, a.errors);
    assert.match(r.errors[0].message, /^cannot read weights file pytorch16\.safetensors: file not found$/);
    assert.strictEqual(r.errors[0].line, 1); // the # bptt: line
  });

  it('weights outside the workspace: refused at weights= as inline, whatever the host sent', async () => {
    const r = await vectorResult(request([{ path: WPATH, bytes: WEIGHTS() }], TEXT, ['/ws/other']));
    const a = await inline({ [WPATH]: WEIGHTS() }, ['/ws/other']);
    assert.ok(r && a);
    assert.deepStrictEqual(r.errors, a.errors);
    assert.match(r.errors[0].message, /is outside the workspace/);
  });

  it('a parse error and a malformed weights file: located, as inline', async () => {
    const bad = TEXT.replace(/\n([^#\n][^\n]*\n[^\n]*\n)/, '\n$1oops,1,2,3,\n');
    const r = await vectorResult(request([{ path: WPATH, bytes: WEIGHTS() }], bad));
    const a = await inline({ [WPATH]: WEIGHTS() }, ['/ws'], bad);
    assert.ok(r && a && r.errors.length > 0);
    assert.deepStrictEqual(r.errors, a.errors);
    const junk = await vectorResult(request([{ path: WPATH, bytes: Uint8Array.of(1, 2, 3) }]));
    const ja = await inline({ [WPATH]: Uint8Array.of(1, 2, 3) });
    assert.ok(junk && ja && junk.errors.length > 0);
    assert.deepStrictEqual(junk.errors, ja.errors);
    assert.match(junk.errors[0].message, /^pytorch16\.safetensors: /);
  });

  it('a file that names no weights after all: result null (the host takes the scalar path)', async () => {
    assert.strictEqual(await vectorResult(request([], 'x,y\n1,2\n')), null);
  });
});

describe('WorkerClient.computeVector', () => {
  function fakeHost() {
    const posted: { request: WorkerRequest; transfer: ArrayBuffer[] }[] = [];
    let events: { message(msg: WorkerResponse): void; fail(e: Error): void } | undefined;
    const host: WorkerHost = {
      available: () => true,
      start: (e) => ((events = e), { post: (request, transfer) => posted.push({ request, transfer }), terminate: () => undefined }),
    };
    return { host, posted, events: () => events! };
  }

  it('posts a tagged request with the slices and the weights bytes in the transfer list; resolves with didComputeVector', async () => {
    const f = fakeHost();
    const client = new WorkerClient(f.host);
    const slice = Uint8Array.of(1);
    const bytes = Uint8Array.of(2);
    const p = client.computeVector({ format: 'csv', defaults: BUILTIN_DEFAULTS, input: { slices: [slice] }, sequencePath: SEQ, roots: ['/ws'], weights: [{ path: WPATH, bytes }, { path: '/ws/x', error: 'no' }], check: {} });
    const { request, transfer } = f.posted[0];
    assert.strictEqual(request.type, 'computeVector');
    assert.deepStrictEqual(transfer, [slice.buffer, bytes.buffer]);
    f.events().message({ type: 'didComputeVector', id: request.id, result: null });
    assert.strictEqual(await p, null);
    client.dispose();
  });

  it('rejects on didFailComputeVector, and when the worker dies', async () => {
    const f = fakeHost();
    const client = new WorkerClient(f.host);
    const req = { format: 'csv' as const, defaults: BUILTIN_DEFAULTS, input: { slices: [] }, sequencePath: SEQ, roots: [], weights: [], check: {} };
    const p1 = client.computeVector(req);
    const posted = f.posted[0].request;
    assert.strictEqual(posted.type, 'computeVector');
    f.events().message({ type: 'didFailComputeVector', id: posted.type === 'computeVector' ? posted.id : -1, error: 'boom' });
    await assert.rejects(p1, /worker: boom/);
    const p2 = client.computeVector(req);
    f.events().fail(new Error('worker exited'));
    await assert.rejects(p2, /worker exited/);
    client.dispose();
  });
});

describe('heat strip from block maxima (a wide window without reading every step on the host)', () => {
  it('the same strip as step by step, for every window and block size, with zeros, NaN and ±∞ in it', () => {
    const n = 3;
    const T = 1000;
    let seed = 11;
    const r = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const dL_ds = Float64Array.from({ length: T * n }, () => (r() - 0.5) * 10 ** (8 * r() - 6));
    for (let k = 0; k < 30; k++) dL_ds[Math.floor(r() * T * n)] = 0;
    dL_ds[417 * n + 1] = NaN;
    dL_ds[700 * n + 2] = -Infinity;
    dL_ds[33 * n] = Infinity;
    for (const size of [1, 7, 32, 2000]) {
      const blocks = heatBlocks(dL_ds, n, T, size);
      for (const [start, end, width] of [[0, T, 50], [0, T, 999], [5, 995, 37], [400, 450, 10], [410, 420, 100], [0, 64, 3]]) {
        const layout = bucketLayout(start, end, width);
        assert.deepStrictEqual(heatStrip(dL_ds, n, layout, -9, blocks), heatStrip(dL_ds, n, layout, -9), `size ${size}, [${start}, ${end}) in ${width}`);
      }
    }
  });
});
