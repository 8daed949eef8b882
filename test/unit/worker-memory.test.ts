/**
 * The worker's heap limit (workerClient.ts resourceLimits) is reported, not fatal: a worker that
 * runs out ends with a "not enough memory" error, and the client starts a fresh one for the next
 * request. Run against the built dist/worker.js, as the extension runs it.
 *
 * The input grows the worker's JS heap in many small allocations (one object per `# check:` line):
 * V8 enforces a worker's limit only for those. One single allocation larger than the limit aborts
 * the whole process instead (nodejs/node#47224), which is why the parser never builds a string of
 * the whole file.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ComputeOptions } from '../../src/extension/compute';
import { WorkerClient } from '../../src/extension/workerClient';
import { nodeWorkerHost } from '../../src/extension/workerNode';

const WORKER = path.resolve(__dirname, '../../..', 'dist', 'worker.js');
const OPTIONS: ComputeOptions = {
  defaults: {},
  problems: { gradientWarnings: true, vanishingThreshold: 1e-6, explodingThreshold: 1e6 },
  check: { rtol: 1e-8, atol: 0 },
};
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** 150 000 `# check:` lines: tens of MB of small objects in the worker's heap (one per line). */
const manyChecks = (): Uint8Array => utf8('# bptt: w=0.5\n' + '# check: dL_dh = 1\n'.repeat(150_000) + 'x,y\n1,2\n');

describe('worker: memory limit', function () {
  this.timeout(60_000);
  let client: WorkerClient;
  afterEach(() => client.dispose());

  it('a file that needs more than the heap limit gets "not enough memory", and the next request works', async () => {
    client = new WorkerClient(nodeWorkerHost(WORKER, 16));
    assert.ok(client.available(), 'dist/worker.js is built');
    await assert.rejects(client.compute({ bytes: manyChecks() }, 'csv', OPTIONS), (e: Error) => {
      assert.strictEqual(e.message, 'not enough memory: the worker needs more than its 16 MB heap for this file');
      return true;
    });
    // The client restarts the worker: the same small request as a fresh client gives.
    const after = await client.compute({ bytes: utf8('# bptt: w=0.5\nx,y\n1,0.3\n0.5,0.2\n') }, 'csv', OPTIONS);
    assert.deepStrictEqual(after.parsed.errors, []);
    assert.strictEqual(after.parsed.T, 2);
    const fresh = new WorkerClient(nodeWorkerHost(WORKER));
    try {
      const ref = await fresh.compute({ bytes: utf8('# bptt: w=0.5\nx,y\n1,0.3\n0.5,0.2\n') }, 'csv', OPTIONS);
      assert.strictEqual(after.trace?.loss, ref.trace?.loss);
      assert.ok(Number.isFinite(ref.trace?.loss));
    } finally {
      fresh.dispose();
    }
  });

  it('the same file within the default limit is computed', async () => {
    client = new WorkerClient(nodeWorkerHost(WORKER));
    const r = await client.compute({ bytes: manyChecks() }, 'csv', OPTIONS);
    assert.strictEqual(r.parsed.T, 1);
    assert.ok(!r.parsed.errors.some((e) => /memory/.test(e.message)), JSON.stringify(r.parsed.errors.slice(0, 2)));
  });
});
