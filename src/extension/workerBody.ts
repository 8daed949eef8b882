/**
 * The worker's logic, one module for both transports (worker.ts: Node's worker_threads;
 * worker.web.ts: a Web Worker): parses and computes large sequences off the extension host's
 * event loop. The typed arrays of the result are transferred (moved), not copied, back to the host.
 *
 * On request, the timeline's series of the last result's trace (timeline/data.ts): 10⁶ steps of
 * them cost the host's event loop ~100 ms in slices plus 56 MB of zero-filled allocation, and
 * the collections that follow; computed here and transferred, they cost it nothing. Only on
 * request, after the result, so that hovers, CodeLens and Problems never wait for them and a run
 * no timeline shows costs only a copy of five arrays (the trace's own move to the host).
 */
import type { Trace } from '../core';
import { assertNever } from '../shared/protocol';
import { compute, transferables } from './compute';
import { errorText } from './errorText';
import { seriesData, seriesTransferables } from './timeline/data';
import { decodeInput, type ComputeRequest, type WorkerRequest, type WorkerResponse } from './workerProtocol';

/** How a transport sends a response back to the host. */
export type Reply = (response: WorkerResponse, transfer: ArrayBuffer[]) => void;

/** What the series read of the last result's trace, copied (the trace's own arrays moved to the host). */
let kept: { id: number; trace: Trace } | undefined;

function keep(id: number, trace: Trace): void {
  kept = { id, trace: { ...trace, x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice(), h: trace.h.slice(), dL_ds: trace.dL_ds.slice() } };
}

function computeRequest(reply: Reply, req: ComputeRequest): void {
  kept = undefined;
  try {
    const result = compute(decodeInput(req.input), req.format, req.options);
    if (result.trace) keep(req.id, result.trace);
    reply({ type: 'didCompute', id: req.id, result }, transferables(result));
  } catch (e) {
    reply({ type: 'didFailCompute', id: req.id, error: errorText(e) }, []);
  }
}

function prepareSeriesRequest(reply: Reply, id: number): void {
  try {
    if (kept?.id !== id) throw new Error(`the trace of request ${id} is no longer kept`);
    const series = seriesData(kept.trace);
    kept = undefined;
    reply({ type: 'didPrepareSeries', id, series }, seriesTransferables(series));
  } catch (e) {
    reply({ type: 'didFailPrepareSeries', id, error: errorText(e) }, []);
  }
}

/** Answers one request from the host. */
export function handleRequest(msg: WorkerRequest, reply: Reply): void {
  switch (msg.type) {
    case 'compute':
      computeRequest(reply, msg);
      return;
    case 'prepareSeries':
      prepareSeriesRequest(reply, msg.id);
      return;
    default:
      assertNever(msg);
  }
}
