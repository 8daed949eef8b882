/**
 * Worker thread: parses and computes large sequences off the extension host's event loop. The
 * typed arrays of the result are transferred (moved), not copied, back to the host.
 *
 * On request, the timeline's series of the last result's trace (timeline/data.ts): 10⁶ steps of
 * them cost the host's event loop ~100 ms in slices plus 56 MB of zero-filled allocation, and
 * the collections that follow; computed here and transferred, they cost it nothing. Only on
 * request, after the result, so that hovers, CodeLens and Problems never wait for them and a run
 * no timeline shows costs only a copy of five arrays (the trace's own move to the host).
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { runBptt, type Trace } from '../core';
import { byteChunks, parseSequenceBytesSync } from '../parse';
import { assertNever } from '../shared/protocol';
import { compute, transferables } from './compute';
import { errorText } from './errorText';
import { seriesData, seriesTransferables } from './timeline/data';
import { computeFlow } from './timeline/flowData';
import { type FlowRequest, type ComputeRequest, type WorkerRequest, type WorkerResponse } from './workerProtocol';

/** What the series read of the last result's trace, copied (the trace's own arrays moved to the host). */
let kept: { id: number; trace: Trace } | undefined;

function keep(id: number, trace: Trace): void {
  kept = { id, trace: { ...trace, x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice(), h: trace.h.slice(), dL_ds: trace.dL_ds.slice() } };
}

function reply(port: MessagePort, response: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port.postMessage(response, transfer);
}

function computeRequest(port: MessagePort, req: ComputeRequest): void {
  kept = undefined;
  try {
    // Parsed from the bytes in chunks: no string of the whole file (V8's string limit), same offsets as the text's.
    const { input } = req;
    const chunks = 'slices' in input ? input.slices : byteChunks(input.bytes);
    const size = 'slices' in input ? input.slices.reduce((n, b) => n + b.length, 0) : input.bytes.length;
    const result = compute(parseSequenceBytesSync(chunks, req.format, req.options.defaults, size), req.format, req.options);
    if (result.trace) keep(req.id, result.trace);
    reply(port, { type: 'didCompute', id: req.id, result }, transferables(result));
  } catch (e) {
    reply(port, { type: 'didFailCompute', id: req.id, error: errorText(e) });
  }
}

function prepareSeriesRequest(port: MessagePort, id: number): void {
  try {
    if (kept?.id !== id) throw new Error(`the trace of request ${id} is no longer kept`);
    const series = seriesData(kept.trace);
    kept = undefined;
    reply(port, { type: 'didPrepareSeries', id, series }, seriesTransferables(series));
  } catch (e) {
    reply(port, { type: 'didFailPrepareSeries', id, error: errorText(e) });
  }
}

/** Flow of a sequence, with progress about every 100 ms and a cancel flag the host sets. */
function flowRequest(port: MessagePort, req: FlowRequest): void {
  try {
    const cancel = new Int32Array(req.cancel);
    const trace = runBptt(req.model, req.data);
    let last = performance.now();
    const result = computeFlow(trace, req.file, req.settings, (done, total) => {
      if (Atomics.load(cancel, 0) !== 0) return false;
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        reply(port, { type: 'didProgressFlow', id: req.id, fraction: total > 0 ? done / total : 1 });
      }
      return true;
    });
    reply(port, { type: 'didComputeFlow', id: req.id, result }, result ? [result.factor, result.phiPrime, result.seed, result.horizonAt].map((a) => a.buffer as ArrayBuffer) : []);
  } catch (e) {
    reply(port, { type: 'didFailFlow', id: req.id, error: errorText(e) });
  }
}

const port = parentPort;
if (port) {
  port.on('message', (msg: WorkerRequest) => {
    switch (msg.type) {
      case 'compute':
        computeRequest(port, msg);
        return;
      case 'prepareSeries':
        prepareSeriesRequest(port, msg.id);
        return;
      case 'flow':
        flowRequest(port, msg);
        return;
      default:
        assertNever(msg);
    }
  });
}
