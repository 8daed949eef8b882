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
import type { CheckOptions, CheckReport } from '../check';
import { runBptt, type Trace } from '../core';
import { parseSequenceBytesSync } from '../parse';
import { assertNever } from '../shared/protocol';
import { compute, epochNow, transferables } from './compute';
import { errorText } from './errorText';
import { runGradcheck } from './gradcheckRun';
import { drawnKey } from './timeline/checks';
import { seriesData, seriesTransferables } from './timeline/data';
import { computeFlow } from './timeline/flowData';
import { computeVectorResult, sentWeights, vectorResultTransferables } from './vector/offThread';
import { decodeInput, inputChunks, inputSize, type ComputeRequest, type ComputeVectorRequest, type FlowRequest, type WorkerRequest, type WorkerResponse } from './workerProtocol';

/** How a transport sends a response back to the host. */
export type Reply = (response: WorkerResponse, transfer: ArrayBuffer[]) => void;

/** What the series read of the last result's trace and checks, copied (the result's own arrays moved to the host). */
let kept: { id: number; trace: Trace; checks: CheckReport | undefined; options: CheckOptions } | undefined;

function keep(id: number, trace: Trace, checks: CheckReport | undefined, options: CheckOptions): void {
  // Of the checks, only the values of claims drawn on a chart (timeline/checks.ts).
  const drawn = checks && { ...checks, claims: checks.claims.map((c) => (drawnKey(c.quantity) ? { ...c, user: c.user?.slice() ?? null, exact: c.exact?.slice() ?? null } : c)) };
  kept = { id, trace: { ...trace, x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice(), h: trace.h.slice(), dL_ds: trace.dL_ds.slice() }, checks: drawn, options };
}

function computeRequest(reply: Reply, req: ComputeRequest): void {
  kept = undefined;
  try {
    // Parsed from the bytes in chunks: no string of the whole file (V8's string limit), same offsets as the text's.
    const { input } = req;
    const receivedAt = epochNow();
    const parsed = parseSequenceBytesSync(inputChunks(input), req.format, req.options.defaults, inputSize(input));
    const parseMs = epochNow() - receivedAt;
    const result = compute(parsed, req.format, req.options);
    const t0 = performance.now();
    if (result.trace) keep(req.id, result.trace, result.checks, req.options.check);
    result.workerTiming = { receivedAt, parseMs, keepMs: performance.now() - t0, repliedAt: epochNow() };
    reply({ type: 'didCompute', id: req.id, result }, transferables(result));
  } catch (e) {
    reply({ type: 'didFailCompute', id: req.id, error: errorText(e) }, []);
  }
}

/** A vector-model document: the inline path's analysis, reading weights only from the bytes the host sent. */
async function computeVectorRequest(reply: Reply, req: ComputeVectorRequest): Promise<void> {
  kept = undefined;
  try {
    const io = sentWeights(req.sequencePath, req.roots, req.weights);
    const result = await computeVectorResult(decodeInput(req.input), req.format, req.defaults, io);
    reply({ type: 'didComputeVector', id: req.id, result }, result ? vectorResultTransferables(result) : []);
  } catch (e) {
    reply({ type: 'didFailComputeVector', id: req.id, error: errorText(e) }, []);
  }
}

function prepareSeriesRequest(reply: Reply, id: number): void {
  try {
    if (kept?.id !== id) throw new Error(`the trace of request ${id} is no longer kept`);
    const series = seriesData(kept.trace, kept.checks, kept.options);
    kept = undefined;
    reply({ type: 'didPrepareSeries', id, series }, seriesTransferables(series));
  } catch (e) {
    reply({ type: 'didFailPrepareSeries', id, error: errorText(e) }, []);
  }
}

/** Flow of a sequence, with progress about every 100 ms and a cancel flag the host sets (where it can share one). */
function flowRequest(reply: Reply, req: FlowRequest): void {
  try {
    const cancel = req.cancel ? new Int32Array(req.cancel) : undefined;
    const trace = runBptt(req.model, req.data);
    let last = performance.now();
    const result = computeFlow(trace, req.file, req.settings, (done, total) => {
      if (cancel && Atomics.load(cancel, 0) !== 0) return false;
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        reply({ type: 'didProgressFlow', id: req.id, fraction: total > 0 ? done / total : 1 }, []);
      }
      return true;
    });
    reply({ type: 'didComputeFlow', id: req.id, result }, result ? [result.factor, result.phiPrime, result.seed, result.horizonAt].map((a) => a.buffer as ArrayBuffer) : []);
  } catch (e) {
    reply({ type: 'didFailFlow', id: req.id, error: errorText(e) }, []);
  }
}

/** Answers one request from the host; the promise (a vector document's weights are decoded asynchronously) settles once it has replied. */
export function handleRequest(msg: WorkerRequest, reply: Reply): Promise<void> | void {
  switch (msg.type) {
    case 'compute':
      computeRequest(reply, msg);
      return;
    case 'prepareSeries':
      prepareSeriesRequest(reply, msg.id);
      return;
    case 'gradcheck':
      try {
        reply({ type: 'didGradcheck', id: msg.id, result: runGradcheck(msg.input, msg) }, []);
      } catch (e) {
        reply({ type: 'didFailGradcheck', id: msg.id, error: errorText(e) }, []);
      }
      return;
    case 'flow':
      flowRequest(reply, msg);
      return;
    case 'computeVector':
      return computeVectorRequest(reply, msg);
    default:
      assertNever(msg);
  }
}
