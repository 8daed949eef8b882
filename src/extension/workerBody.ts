/**
 * The worker's logic, one module for both transports (worker.ts: Node's worker_threads;
 * worker.web.ts: a Web Worker): parses and computes large sequences off the extension host's
 * event loop.
 *
 * A result stays here (resident.ts): the host gets its scalars, Problems and checks, and asks by
 * the request's id for a step (hover, step table, reveal), the timeline's series, the flow or the
 * export, until it sends `forget`. So the host never receives the 70 MB of a 10⁶-step pass, nor
 * pays for it in garbage collection.
 */
import type { CheckOptions, CheckReport } from '../check';
import { runBptt, type Trace } from '../core';
import { parseSequenceBytesSync, type ParsedSequence } from '../parse';
import { assertNever } from '../shared/protocol';
import { compute, epochNow } from './compute';
import { errorText } from './errorText';
import { runGradcheck } from './gradcheckRun';
import { lightComputed, stepIndexOf, stepRead } from './resident';
import { truncatedGrads } from './summary';
import { seriesData, TraceSeries } from './timeline/data';
import { computeFlow, flowStep, flowView, truncationOf, type FlowResult } from './timeline/flowData';
import { traceBytes } from './traceText';
import { computeVectorResult, sentWeights, vectorResultTransferables } from './vector/offThread';
import {
  decodeInput, inputChunks, inputSize, type ComputeRequest, type ComputeVectorRequest, type ExportTraceRequest, type FlowRequest, type PrepareSeriesRequest, type ReadFlowRequest, type ReadSequenceRequest, type ReadStepRequest, type ReadWindowRequest, type WorkerRequest, type WorkerResponse,
} from './workerProtocol';

/** How a transport sends a response back to the host. */
export type Reply = (response: WorkerResponse, transfer: ArrayBuffer[]) => void;

interface Resident {
  parsed: ParsedSequence;
  trace: Trace;
  checks: CheckReport | undefined;
  options: CheckOptions;
  /** The timeline's series, once asked for. */
  series?: TraceSeries;
}

/** The results the host may still ask about, by compute request id. */
const resident = new Map<number, Resident>();
/**
 * A bound on what the worker holds should the host not forget (it does, when an analysis is
 * replaced or its document closes): beyond it, the oldest result goes, and asking about it fails.
 */
const MAX_RESIDENT = 8;

/** Keeps `value` as `id`, dropping the oldest entries beyond MAX_RESIDENT. */
function keepBounded<T>(map: Map<number, T>, id: number, value: T): void {
  map.set(id, value);
  for (const old of map.keys()) if (map.size > MAX_RESIDENT) map.delete(old);
}

function residentOf(id: number): Resident {
  const r = resident.get(id);
  if (!r) throw new Error(`result ${id} is no longer kept`);
  return r;
}

function computeRequest(reply: Reply, req: ComputeRequest): void {
  try {
    // Parsed from the bytes in chunks: no string of the whole file (V8's string limit), same offsets as the text's.
    const { input } = req;
    const receivedAt = epochNow();
    const parsed = parseSequenceBytesSync(inputChunks(input), req.format, req.options.defaults, inputSize(input));
    const parseMs = epochNow() - receivedAt;
    const result = compute(parsed, req.format, req.options);
    const t0 = performance.now();
    if (result.trace) {
      keepBounded(resident, req.id, { parsed: result.parsed, trace: result.trace, checks: result.checks, options: req.options.check });
      // The truncated gradients of the CodeLens and status bar, which the host can no longer compute.
      const which = truncationOf(parsed.truncation, req.options.truncation ?? { truncate: 0, horizon: 0 });
      result.truncated = which ? truncatedGrads(result.trace, which) : null;
    }
    const light = lightComputed(result);
    light.workerTiming = { receivedAt, parseMs, keepMs: performance.now() - t0, repliedAt: epochNow() };
    // The checks' claim columns are the only arrays that still go (the hover reads them): copied,
    // not moved, since the series the worker prepares from its result read them too.
    reply({ type: 'didCompute', id: req.id, result: light }, []);
  } catch (e) {
    reply({ type: 'didFailCompute', id: req.id, error: errorText(e) }, []);
  }
}

function readStepRequest(reply: Reply, req: ReadStepRequest): void {
  try {
    const { parsed, trace } = residentOf(req.result);
    const i = stepIndexOf(parsed, req.at);
    reply({ type: 'didReadStep', id: req.id, step: i >= 0 ? stepRead(parsed, trace, i) : null }, []);
  } catch (e) {
    reply({ type: 'didFailReadStep', id: req.id, error: errorText(e) }, []);
  }
}

function readSequenceRequest(reply: Reply, req: ReadSequenceRequest): void {
  try {
    const { trace } = residentOf(req.result);
    const data = { x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice() };
    reply({ type: 'didReadSequence', id: req.id, data }, [data.x.buffer, data.y.buffer, data.hasY.buffer]);
  } catch (e) {
    reply({ type: 'didFailReadSequence', id: req.id, error: errorText(e) }, []);
  }
}

function exportTraceRequest(reply: Reply, req: ExportTraceRequest): void {
  try {
    const { parsed, trace } = residentOf(req.result);
    const bytes = traceBytes(trace, parsed.line, req.format);
    reply({ type: 'didExportTrace', id: req.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    reply({ type: 'didFailExportTrace', id: req.id, error: errorText(e) }, []);
  }
}

/** A vector-model document: the inline path's analysis, reading weights only from the bytes the host sent. */
async function computeVectorRequest(reply: Reply, req: ComputeVectorRequest): Promise<void> {
  try {
    const io = sentWeights(req.sequencePath, req.roots, req.weights);
    const result = await computeVectorResult(decodeInput(req.input), req.format, req.defaults, io, req.check);
    reply({ type: 'didComputeVector', id: req.id, result }, result ? vectorResultTransferables(result) : []);
  } catch (e) {
    reply({ type: 'didFailComputeVector', id: req.id, error: errorText(e) }, []);
  }
}

function prepareSeriesRequest(reply: Reply, req: PrepareSeriesRequest): void {
  try {
    const r = residentOf(req.result);
    r.series ??= TraceSeries.of(r.trace, seriesData(r.trace, r.checks, r.options), r.checks);
    const { logFloor, maxAbs_dL_ds, minAbs_dL_ds } = r.series;
    reply({ type: 'didPrepareSeries', id: req.id, stats: { logFloor, maxAbs_dL_ds, minAbs_dL_ds } }, []);
  } catch (e) {
    reply({ type: 'didFailPrepareSeries', id: req.id, error: errorText(e) }, []);
  }
}

async function readWindowRequest(reply: Reply, req: ReadWindowRequest): Promise<void> {
  try {
    const series = residentOf(req.result).series;
    if (!series) throw new Error(`the series of result ${req.result} were not prepared`);
    reply({ type: 'didReadWindow', id: req.id, window: await series.window(req.start, req.end, req.width) }, []);
  } catch (e) {
    reply({ type: 'didFailReadWindow', id: req.id, error: errorText(e) }, []);
  }
}

/** The flows the host may still ask about (a step, the view at a new width), by flow request id; the same bound. */
const flows = new Map<number, FlowResult>();

/**
 * Flow of a sequence, with progress about every 100 ms and a cancel flag the host sets (where it
 * can share one). The flow stays here; the host gets its view at the chart's width (the factor
 * series reduced to it: 32 MB of per-step arrays at 10⁶ steps never cross).
 */
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
    if (result) keepBounded(flows, req.id, result);
    reply({ type: 'didComputeFlow', id: req.id, view: result && flowView(result, req.width) }, []);
  } catch (e) {
    reply({ type: 'didFailFlow', id: req.id, error: errorText(e) }, []);
  }
}

function readFlowRequest(reply: Reply, req: ReadFlowRequest): void {
  try {
    const flow = flows.get(req.flow);
    if (!flow) throw new Error(`flow ${req.flow} is no longer kept`);
    if (req.type === 'readFlowView') reply({ type: 'didReadFlowView', id: req.id, view: flowView(flow, req.width) }, []);
    else reply({ type: 'didReadFlowStep', id: req.id, step: flowStep(flow, req.t) }, []);
  } catch (e) {
    reply({ type: 'didFailReadFlow', id: req.id, error: errorText(e) }, []);
  }
}

/** Answers one request from the host; the promise (a vector document's weights are decoded asynchronously) settles once it has replied. */
export function handleRequest(msg: WorkerRequest, reply: Reply): Promise<void> | void {
  switch (msg.type) {
    case 'compute':
      computeRequest(reply, msg);
      return;
    case 'prepareSeries':
      prepareSeriesRequest(reply, msg);
      return;
    case 'readWindow':
      return readWindowRequest(reply, msg);
    case 'readStep':
      readStepRequest(reply, msg);
      return;
    case 'exportTrace':
      exportTraceRequest(reply, msg);
      return;
    case 'readSequence':
      readSequenceRequest(reply, msg);
      return;
    case 'forget':
      resident.delete(msg.result);
      return;
    case 'forgetFlow':
      flows.delete(msg.flow);
      return;
    case 'readFlowStep':
    case 'readFlowView':
      readFlowRequest(reply, msg);
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
