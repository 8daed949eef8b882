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
import { parentPort } from 'node:worker_threads';
import type { Trace } from '../core';
import { byteChunks, parseSequenceBytesSync } from '../parse';
import { compute, transferables } from './compute';
import { seriesData, seriesTransferables } from './timeline/data';
import { type WorkerRequest, type WorkerResponse } from './workerProtocol';

/** What the series read of the last result's trace, copied (the trace's own arrays moved to the host). */
let kept: { id: number; trace: Trace } | undefined;

function keep(id: number, trace: Trace): void {
  kept = { id, trace: { ...trace, x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice(), h: trace.h.slice(), dL_ds: trace.dL_ds.slice() } };
}

const errorText = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));

function computeRequest(port: NonNullable<typeof parentPort>, req: WorkerRequest): void {
  kept = undefined;
  let reply: WorkerResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    // parsed from the bytes in chunks: no string of the whole file (V8's string limit), same offsets as the text's
    const size = req.slices ? req.slices.reduce((n, b) => n + b.length, 0) : (req.bytes?.length ?? 0);
    const chunks = req.slices ?? byteChunks(req.bytes ?? new Uint8Array(0));
    const result = compute(parseSequenceBytesSync(chunks, req.format, req.options.defaults, size), req.format, req.options);
    if (result.trace) keep(req.id, result.trace);
    reply = { id: req.id, result };
    transfer = transferables(result);
  } catch (e) {
    reply = { id: req.id, error: errorText(e) };
  }
  port.postMessage(reply, transfer);
}

function seriesRequest(port: NonNullable<typeof parentPort>, id: number): void {
  try {
    if (kept?.id !== id) throw new Error(`the trace of request ${id} is no longer kept`);
    const series = seriesData(kept.trace);
    kept = undefined;
    port.postMessage({ id, series } satisfies WorkerResponse, seriesTransferables(series));
  } catch (e) {
    port.postMessage({ id, seriesError: errorText(e) } satisfies WorkerResponse);
  }
}

const port = parentPort;
if (port) {
  port.on('message', (msg: WorkerRequest | { seriesOf: number }) => {
    if ('seriesOf' in msg) seriesRequest(port, msg.seriesOf);
    else computeRequest(port, msg);
  });
}
