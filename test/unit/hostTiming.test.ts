/**
 * The figures `_measureRun` reports about where a run's time goes (hostTiming.ts) and when its
 * longest block was (driftMonitor.ts); and the worker's own timing, recorded by the client for a
 * real compute on the built dist/worker.js.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ComputeOptions } from '../../src/extension/compute';
import { driftMonitor } from '../../src/extension/driftMonitor';
import { recordPhase, takePhases, timed } from '../../src/extension/hostTiming';
import { WorkerClient } from '../../src/extension/workerClient';
import { nodeWorkerHost } from '../../src/extension/workerNode';

const WORKER = path.resolve(__dirname, '../../..', 'dist', 'worker.js');
const OPTIONS: ComputeOptions = {
  defaults: {},
  problems: { gradientWarnings: true, vanishingThreshold: 1e-6, explodingThreshold: 1e6 },
  check: { rtol: 1e-8, atol: 0 },
};

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: no timer can run
  }
}

describe('hostTiming', () => {
  it('sums each phase, keeps its longest piece and when it ended, and starts afresh after takePhases', () => {
    takePhases();
    recordPhase('a', 2);
    recordPhase('a', 5);
    recordPhase('a', 1);
    const v = timed('b', () => {
      blockFor(20);
      return 7;
    });
    assert.strictEqual(v, 7);
    const p = takePhases();
    assert.deepStrictEqual({ totalMs: p.a.totalMs, maxMs: p.a.maxMs, n: p.a.n }, { totalMs: 8, maxMs: 5, n: 3 });
    assert.ok(p.b.maxMs >= 20 && p.b.n === 1, JSON.stringify(p.b));
    assert.ok(p.b.maxEndedAt >= 20, 'b ended after its 20 ms');
    assert.deepStrictEqual(takePhases(), {});
  });

  it('records a phase that throws', () => {
    takePhases();
    assert.throws(() => timed('c', () => {
      throw new Error('x');
    }), /x/);
    assert.strictEqual(takePhases().c.n, 1);
  });

  it('driftMonitor: the longest block ends where the block ended', async () => {
    const drift = driftMonitor();
    await new Promise((r) => setTimeout(r, 50));
    const start = performance.now();
    blockFor(80);
    const end = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(drift.stop() >= 80);
    const at = drift.worstEndedAt();
    assert.ok(at >= end && at < end + 40 && at > start, `ended at ${at - start} ms after the block started`);
  });

  it('a worker compute records its round trip, parse, compute and message times', async function () {
    this.timeout(30_000);
    const client = new WorkerClient(nodeWorkerHost(WORKER));
    try {
      takePhases();
      client.warm();
      const r = await client.compute({ bytes: new TextEncoder().encode('# bptt: w=0.5\nx,y\n1,0.3\n0.5,0.2\n') }, 'csv', OPTIONS);
      assert.strictEqual(r.parsed.T, 2);
      const p = takePhases();
      for (const name of ['worker:roundTrip', 'worker:toWorker', 'worker:parse', 'worker:compute', 'worker:keep', 'worker:toHost', 'received:didCompute', 'post']) {
        assert.strictEqual(p[name]?.n, 1, `${name}: ${JSON.stringify(p)}`);
        assert.ok(p[name].totalMs >= 0 && p[name].totalMs <= p['worker:roundTrip'].totalMs + 1, `${name} within the round trip`);
      }
      const w = r.workerTiming!;
      assert.ok(w.repliedAt >= w.receivedAt + w.parseMs - 1, 'the reply follows the parse');
    } finally {
      client.dispose();
    }
  });
});
