/**
 * A large document's result stays in the worker (resident.ts, workerBody.ts, remoteResult.ts): the
 * host gets the scalars and no per-step array, and every read it makes — a step by index or by
 * offset, the timeline's series and windows, the flow, the export, the truncated gradients — is
 * the inline path's answer, bit for bit. Through the worker body's handler, then through the real
 * dist/worker.js in a worker thread, including its death.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runBptt, stepValues, type Trace } from '../../src/core';
import { compute, type ComputeOptions } from '../../src/extension/compute';
import { lightComputed, stepRead } from '../../src/extension/resident';
import { truncatedGrads } from '../../src/extension/summary';
import { TraceSeries } from '../../src/extension/timeline/data';
import { computeFlow, flowStep, flowView, truncationOf } from '../../src/extension/timeline/flowData';
import { traceBytes } from '../../src/extension/traceText';
import { handleRequest } from '../../src/extension/workerBody';
import { WorkerClient } from '../../src/extension/workerClient';
import { nodeWorkerHost } from '../../src/extension/workerNode';
import type { WorkerRequest, WorkerResponse } from '../../src/extension/workerProtocol';
import { parseSequence, stepAtOffset, type ParsedSequence, type SequenceFormat } from '../../src/parse';

const WORKER = path.resolve(__dirname, '../../..', 'dist', 'worker.js');
const SAMPLES = path.resolve(__dirname, '../../..', 'samples');
const OPTIONS: ComputeOptions = {
  defaults: {},
  problems: { gradientWarnings: true, vanishingThreshold: 1e-6, explodingThreshold: 1e6 },
  check: { rtol: 1e-8, atol: 0 },
  truncation: { truncate: 0, horizon: 0 },
};
const FLOW = { horizonRatio: 1e-3, lagK: 50, truncate: 0, horizon: 0 };
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A CSV with a y on every third row, some NaN-free saturation, and a directive. */
function csv(T: number, directive = '# bptt: phi=tanh w=1.7 v=2 loss=squared\n'): string {
  let out = `${directive}x,y\n`;
  for (let k = 0; k < T; k++) out += k % 3 === 2 ? `${Math.sin(k * 0.37).toFixed(4)},${Math.cos(k * 0.11).toFixed(3)}\n` : `${Math.sin(k * 0.37).toFixed(4)},\n`;
  return out;
}

/** The worker body's answers to `requests`, in order. */
async function ask(...requests: WorkerRequest[]): Promise<WorkerResponse[]> {
  const out: WorkerResponse[] = [];
  for (const r of requests) await handleRequest(r, (response) => out.push(response));
  return out;
}

function inline(text: string, format: SequenceFormat = 'csv'): { parsed: ParsedSequence; trace: Trace } {
  const parsed = parseSequence(text, format);
  assert.deepStrictEqual(parsed.errors, []);
  return { parsed, trace: runBptt(parsed.model, parsed) };
}

const sameBits = (a: unknown, b: unknown): boolean => JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

describe('a worker result stays in the worker (the host reads it step by step)', () => {
  let nextId = 1000;

  it('the host gets every scalar and no per-step array', async () => {
    const text = csv(500);
    const id = nextId++;
    const [r] = await ask({ type: 'compute', id, format: 'csv', options: OPTIONS, input: { bytes: utf8(text) } });
    assert.strictEqual(r.type, 'didCompute');
    if (r.type !== 'didCompute') return;
    const { parsed, trace } = inline(text);
    const c = r.result;
    assert.strictEqual(c.parsed.T, 500);
    assert.deepStrictEqual(c.parsed.model, parsed.model);
    for (const key of ['x', 'y', 'hasY', 'line', 'xStart', 'xEnd', 'yStart', 'yEnd', 'rowStart', 'rowEnd'] as const) assert.strictEqual(c.parsed[key].length, 0, key);
    for (const key of ['x', 'y', 'hasY', 's', 'h', 'dL_ds'] as const) assert.strictEqual(c.trace![key].length, 0, key);
    assert.strictEqual(c.trace!.loss, trace.loss);
    assert.deepStrictEqual(c.trace!.grads, trace.grads);
    assert.strictEqual(c.trace!.T, 500);
    assert.strictEqual(c.truncated, null, 'no truncate= anywhere');
    await ask({ type: 'forget', result: id });
  });

  it('steps by index and by offset are stepRead of the inline parse and pass, bit for bit; off the steps, null', async () => {
    for (const [format, text] of [
      ['csv', csv(300)],
      ['json', `{"bptt": {"phi": "relu", "loss": "bce", "theta": "sigmoid"},\n "x": ${JSON.stringify(Array.from({ length: 120 }, (_, k) => Math.sin(k)))},\n "y": ${JSON.stringify(Array.from({ length: 120 }, (_, k) => (k % 4 === 0 ? null : k % 2)))}}`],
    ] as const) {
      const id = nextId++;
      await ask({ type: 'compute', id, format, options: OPTIONS, input: { bytes: utf8(text) } });
      const { parsed, trace } = inline(text, format);
      for (const i of [0, 1, Math.floor(trace.T / 2), trace.T - 2, trace.T - 1]) {
        const [byIndex] = await ask({ type: 'readStep', id: 1, result: id, at: { index: i } });
        assert.ok(byIndex.type === 'didReadStep' && byIndex.step, JSON.stringify(byIndex));
        assert.ok(sameBits(byIndex.step, stepRead(parsed, trace, i)), `${format} step ${i}`);
        assert.ok(sameBits(byIndex.step.values, stepValues(trace, i)));
        // Every offset of the row (or the y element) finds the step stepAtOffset finds.
        for (const offset of [parsed.rowStart[i], parsed.rowEnd[i], parsed.yStart[i] >= 0 ? parsed.yStart[i] : parsed.xStart[i]]) {
          const [byOffset] = await ask({ type: 'readStep', id: 2, result: id, at: { offset } });
          assert.ok(byOffset.type === 'didReadStep');
          assert.strictEqual(byOffset.step?.i ?? -1, stepAtOffset(parsed, offset), `${format} offset ${offset}`);
        }
      }
      for (const at of [{ index: -1 }, { index: trace.T }, { index: 1.5 }, { offset: -3 }, { offset: 0 }]) {
        const [none] = await ask({ type: 'readStep', id: 3, result: id, at });
        assert.ok(none.type === 'didReadStep' && none.step === null, `${format} ${JSON.stringify(at)}: ${JSON.stringify(none)}`);
      }
      await ask({ type: 'forget', result: id });
    }
  });

  it('the series and every window are the inline TraceSeries\', reduced in the worker', async () => {
    const text = csv(4000);
    const id = nextId++;
    await ask({ type: 'compute', id, format: 'csv', options: OPTIONS, input: { bytes: utf8(text) } });
    const { trace } = inline(text);
    const local = await TraceSeries.prepare(trace, undefined, undefined, OPTIONS.check);
    const [prepared] = await ask({ type: 'prepareSeries', id: 4, result: id });
    assert.ok(prepared.type === 'didPrepareSeries');
    assert.deepStrictEqual(prepared.stats, { logFloor: local.logFloor, maxAbs_dL_ds: local.maxAbs_dL_ds, minAbs_dL_ds: local.minAbs_dL_ds });
    for (const [start, end, width] of [[0, 4000, 300], [10, 60, 300], [3990, 5000, 7], [0, 4000, 1]]) {
      const [w] = await ask({ type: 'readWindow', id: 5, result: id, start, end, width });
      assert.ok(w.type === 'didReadWindow', JSON.stringify(w));
      assert.ok(sameBits(w.window, await local.window(start, end, width)), `window ${start}..${end} at ${width} px`);
    }
    await ask({ type: 'forget', result: id });
  });

  it('the export, the flow and the truncated gradients are the inline ones', async () => {
    const text = fs.readFileSync(path.join(SAMPLES, 'truncation.csv'), 'utf8').replace('reduction=mean', 'reduction=mean truncate=5');
    const id = nextId++;
    // The settings say truncate=2; the file's truncate=5 wins.
    const [r] = await ask({ type: 'compute', id, format: 'csv', options: { ...OPTIONS, truncation: { truncate: 2, horizon: 0 } }, input: { slices: [utf8(text)] } });
    const { parsed, trace } = inline(text);
    const which = truncationOf(parsed.truncation, { truncate: 2, horizon: 0 });
    assert.deepStrictEqual(which, { kind: 'truncate', k: 5 });
    assert.ok(r.type === 'didCompute');
    assert.deepStrictEqual(r.result.truncated, truncatedGrads(trace, which));
    for (const format of ['csv', 'json'] as const) {
      const [e] = await ask({ type: 'exportTrace', id: 6, result: id, format });
      assert.ok(e.type === 'didExportTrace');
      assert.deepStrictEqual(e.bytes, traceBytes(trace, parsed.line, format), format);
    }
    // The flow worker gets a copy of the kept sequence, and computes what the inline flow does.
    const [seq] = await ask({ type: 'readSequence', id: 6, result: id });
    assert.ok(seq.type === 'didReadSequence');
    assert.ok(sameBits([...seq.data.x], [...trace.x]) && sameBits([...seq.data.y], [...trace.y]) && sameBits([...seq.data.hasY], [...trace.hasY]), 'the sequence, copied');
    const [byId] = await ask({ type: 'flow', id: 7, model: { ...trace.model }, data: seq.data, file: parsed.truncation, settings: FLOW, width: 300, cancel: undefined });
    const [byData] = await ask({ type: 'flow', id: 8, model: { ...trace.model }, data: { x: trace.x, y: trace.y, hasY: trace.hasY }, file: parsed.truncation, settings: FLOW, width: 300, cancel: undefined });
    assert.ok(byId.type === 'didComputeFlow' && byData.type === 'didComputeFlow');
    const local = computeFlow(trace, parsed.truncation, FLOW)!;
    assert.ok(sameBits(byId.view, byData.view));
    assert.ok(sameBits(byId.view, flowView(local, 300)), 'the view at the chart\'s width');
    // The flow stays in the worker: steps and other widths are the inline flowStep and flowView.
    for (const t of [1, 40, trace.T]) {
      const [st] = await ask({ type: 'readFlowStep', id: 20, flow: 7, t });
      assert.ok(st.type === 'didReadFlowStep' && sameBits(st.step, flowStep(local, t)), `flow step ${t}`);
    }
    const [outside] = await ask({ type: 'readFlowStep', id: 21, flow: 7, t: trace.T + 1 });
    assert.ok(outside.type === 'didReadFlowStep' && outside.step === null);
    const [wide] = await ask({ type: 'readFlowView', id: 22, flow: 7, width: 1200 });
    assert.ok(wide.type === 'didReadFlowView' && sameBits(wide.view, flowView(local, 1200)));
    await ask({ type: 'forgetFlow', flow: 7 }, { type: 'forgetFlow', flow: 8 });
    const [forgotten] = await ask({ type: 'readFlowStep', id: 23, flow: 7, t: 1 });
    assert.ok(forgotten.type === 'didFailReadFlow' && forgotten.error.startsWith('Error: flow 7 is no longer kept'), JSON.stringify(forgotten));
    // The flow did not disturb what is kept: a step still reads the same.
    const [after] = await ask({ type: 'readStep', id: 9, result: id, at: { index: 7 } });
    assert.ok(after.type === 'didReadStep' && sameBits(after.step, stepRead(parsed, trace, 7)));
    await ask({ type: 'forget', result: id });
  });

  it('the settings\' truncate= applies when the file has none', async () => {
    const text = csv(200);
    const id = nextId++;
    const [r] = await ask({ type: 'compute', id, format: 'csv', options: { ...OPTIONS, truncation: { truncate: 4, horizon: 0 } }, input: { bytes: utf8(text) } });
    const { trace } = inline(text);
    assert.ok(r.type === 'didCompute');
    assert.deepStrictEqual(r.result.truncated, truncatedGrads(trace, { kind: 'truncate', k: 4 }));
    assert.notDeepStrictEqual(r.result.truncated?.grads, trace.grads);
    await ask({ type: 'forget', result: id });
  });

  it('after forget, or beyond the eight kept, reads fail with a reason', async () => {
    const text = csv(20);
    const first = nextId;
    for (let k = 0; k < 9; k++) await ask({ type: 'compute', id: nextId++, format: 'csv', options: OPTIONS, input: { bytes: utf8(text) } });
    const [evicted] = await ask({ type: 'readStep', id: 10, result: first, at: { index: 0 } });
    assert.ok(evicted.type === 'didFailReadStep' && evicted.error.startsWith(`Error: result ${first} is no longer kept`), JSON.stringify(evicted));
    const [kept] = await ask({ type: 'readStep', id: 11, result: first + 1, at: { index: 0 } });
    assert.ok(kept.type === 'didReadStep' && kept.step);
    await ask({ type: 'forget', result: first + 1 });
    const [gone] = await ask({ type: 'prepareSeries', id: 12, result: first + 1 });
    assert.strictEqual(gone.type, 'didFailPrepareSeries');
    const [noSeries] = await ask({ type: 'readWindow', id: 13, result: first + 2, start: 0, end: 20, width: 10 });
    assert.ok(noSeries.type === 'didFailReadWindow' && noSeries.error.startsWith(`Error: the series of result ${first + 2} were not prepared`), JSON.stringify(noSeries));
    for (let id = first + 2; id < nextId; id++) await ask({ type: 'forget', result: id });
  });

  it('lightComputed leaves a result without a trace as it is, but for its arrays', () => {
    const c = compute('x,y\n1,oops\n', 'csv', OPTIONS);
    assert.ok(c.parsed.errors.length > 0);
    const light = lightComputed(c);
    assert.strictEqual(light.trace, undefined);
    assert.deepStrictEqual(light.parsed.errors, c.parsed.errors);
    assert.strictEqual(light.parsed.x.length, 0);
  });
});

describe('RemoteResult through the real worker thread (dist/worker.js)', function () {
  this.timeout(60_000);

  it('a file with claim columns: the timeline\'s claim series (reduced in the worker) are the inline ones, and the host\'s checks hold the claims', async () => {
    // A pasted dL_ds column that drifts from the exact one (the user forgot w in the recurrence).
    const base = csv(2000, '# bptt: phi=tanh w=0.6 v=0.8 loss=squared\n');
    const { trace } = inline(base);
    const lines = base.split('\n');
    const header = lines.findIndex((l) => l.startsWith('x,y'));
    for (let i = 0; i < trace.T; i++) lines[header + 1 + i] += `,${(trace.dL_ds[i] * (1 + (i % 7) * 1e-3)).toPrecision(12)}`;
    lines[header] = 'x,y,dL_ds';
    const text = lines.join('\n');
    const client = new WorkerClient(nodeWorkerHost(WORKER));
    try {
      const c = await client.compute({ slices: [utf8(text)] }, 'csv', OPTIONS);
      const local = compute(text, 'csv', OPTIONS);
      assert.ok(local.checks && c.checks, 'the file makes claims');
      assert.ok(sameBits(c.checks, local.checks), 'the host\'s checks are the inline ones, claim values included');
      const series = await c.remote!.seriesOf(c.trace!, c.checks);
      const want = await TraceSeries.prepare(local.trace!, undefined, local.checks, OPTIONS.check);
      const got = await series.window(0, 2000, 150);
      assert.ok(got.claims.length > 0, 'a drawn claim');
      assert.ok(sameBits(got, await want.window(0, 2000, 150)));
      assert.ok(sameBits(await series.window(500, 560, 150), await want.window(500, 560, 150)));
    } finally {
      client.dispose();
    }
  });

  it('stop() ends a long flow at once: its request rejects, nobody hears of a loss, and the next request starts a fresh worker', async () => {
    const client = new WorkerClient(nodeWorkerHost(WORKER), 'flow');
    let lost = 0;
    client.onDidLoseResults(() => lost++);
    try {
      const { parsed, trace } = inline(csv(200_000));
      const data = { x: parsed.x.slice(), y: parsed.y.slice(), hasY: parsed.hasY.slice() };
      const flow = client.flow({ model: { ...trace.model }, data, file: undefined, settings: { ...FLOW, lagK: 10_000 }, width: 100 }, () => undefined);
      await new Promise((r) => setTimeout(r, 100));
      client.stop('flow cancelled');
      await assert.rejects(flow.result, /worker: flow cancelled/);
      assert.strictEqual(lost, 0);
      const c = await client.compute({ slices: [utf8(csv(50))] }, 'csv', OPTIONS);
      assert.ok(sameBits(await c.remote!.at({ index: 3 }), stepRead(inline(csv(50)).parsed, inline(csv(50)).trace, 3)));
    } finally {
      client.dispose();
    }
  });

  it('reads steps, series, windows and the export from the worker; a dead worker fails them and says so once', async () => {
    const text = csv(3000);
    const client = new WorkerClient(nodeWorkerHost(WORKER));
    let lost = 0;
    client.onDidLoseResults(() => lost++);
    try {
      const c = await client.compute({ slices: [utf8(text)] }, 'csv', OPTIONS);
      const remote = c.remote!;
      assert.ok(remote, 'a result with a trace has its handle');
      const { parsed, trace } = inline(text);
      assert.ok(sameBits(await remote.at({ index: 1234 }), stepRead(parsed, trace, 1234)));
      assert.strictEqual((await remote.at({ offset: parsed.rowStart[2999] }))?.i, 2999);
      assert.strictEqual((await remote.at({ line: parsed.line[2999] }))?.i, 2999);
      assert.strictEqual(await remote.at({ line: 0 }), null, 'the directive line holds no step');
      assert.strictEqual(await remote.at({ index: 3000 }), null);
      const series = await remote.seriesOf(c.trace!, c.checks);
      const local = await TraceSeries.prepare(trace);
      const meta = { uri: 'u', fileName: 'f', version: 1, durationMs: 0 };
      assert.ok(sameBits(series.summary(meta), local.summary(meta)));
      assert.ok(sameBits(await series.window(100, 2900, 250), await local.window(100, 2900, 250)));
      assert.deepStrictEqual(await remote.exportBytes('csv'), traceBytes(trace, parsed.line, 'csv'));
      // The worker dies (as on an out-of-memory exit): reads fail, the store hears of it.
      (client as unknown as { worker: { terminate(): void } }).worker.terminate();
      await assert.rejects(remote.at({ index: 5 }), /worker/);
      await assert.rejects(remote.at({ index: 6 }), /restarted since the result/);
      assert.strictEqual(lost, 1);
      // The next compute starts a fresh worker.
      const again = await client.compute({ slices: [utf8(text)] }, 'csv', OPTIONS);
      assert.ok(sameBits(await again.remote!.at({ index: 10 }), stepRead(parsed, trace, 10)));
    } finally {
      client.dispose();
    }
  });
});
