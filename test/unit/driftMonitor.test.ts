/**
 * The heartbeat behind the event-loop figures (`_measureRun`, the hosts benchmark): a block of the
 * loop shows as its longest gap, and the p99 of the gaps stays below a single outlier.
 */
import * as assert from 'assert';
import { driftMonitor } from '../../src/extension/driftMonitor';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: no timer can run
  }
}

describe('driftMonitor', () => {
  it('reports a 120 ms block as the longest gap, and a p99 below it when the block is one gap of many', async () => {
    const drift = driftMonitor();
    await sleep(300); // a few hundred 1 ms ticks
    blockFor(120);
    await sleep(300);
    const longest = drift.stop();
    const p99 = drift.p99();
    assert.ok(longest >= 120, `longest ${longest} ms`);
    assert.ok(p99 < 120, `p99 ${p99} ms`);
    assert.ok(p99 > 0, `p99 ${p99} ms`);
  });

  it('counts a block still open at stop()', () => {
    const drift = driftMonitor();
    blockFor(60);
    assert.ok(drift.stop() >= 60);
    assert.ok(drift.p99() >= 60, 'the only gap is the open one');
  });
});
