/**
 * The host side of the worker: one lazily started worker, requests answered in order. If the
 * worker dies, pending requests fail and the next request starts a fresh one.
 *
 * The one small interface both hosts share is `ComputeWorker`; what differs is only how a worker
 * starts and carries messages (`WorkerHost`): worker_threads in Node (workerNode.ts), a Web Worker
 * in the browser (workerWeb.ts). The messages are workerProtocol.ts's in both.
 */
import type { CallerDefaults, SequenceFormat } from '../parse';
import { assertNever, type ExportFormat, type FlowStep, type FlowView, type SeriesWindow } from '../shared/protocol';
import { epochNow, type ComputeOptions, type Computed } from './compute';
import { Disposable, toDisposable } from './dispose';
import { recordPhase, timed } from './hostTiming';
import { RemoteResult, type ResultChannel } from './remoteResult';
import type { StepAt, StepRead } from './resident';
import type { SeriesStats } from './timeline/data';
import {
  inputTransferables, type ComputeVectorRequest, type FlowRequest, type FlowSequence, type GradcheckResult, type VectorResult, type WorkerInput, type WorkerRequest, type WorkerResponse,
} from './workerProtocol';

/** Parse + BPTT off the extension host's event loop; a result's `remote` reads what the worker keeps of it. */
export interface ComputeWorker {
  /** False when this build or host has no worker (then callers compute inline). */
  available(): boolean;
  compute(input: WorkerInput, format: SequenceFormat, options: ComputeOptions): Promise<Computed>;
  dispose(): void;
}

/** A started worker, as the client sees it. */
export interface WorkerTransport {
  post(request: WorkerRequest, transfer: ArrayBuffer[]): void;
  terminate(): void;
}

/** How a host starts its worker: `message` for each response, `fail` once if it dies. */
export interface WorkerHost {
  available(): boolean;
  start(events: { message(msg: WorkerResponse): void; fail(e: Error): void }): WorkerTransport;
}

/** A request awaiting its answer; `progress` for the flow's. */
interface Waiter {
  resolve(value: unknown): void;
  reject(e: Error): void;
  progress?(fraction: number): void;
}

/** A compute request's way through the worker, for the measurement command: message latencies and the worker's phases. */
function recordWorkerTiming(postedAt: number, c: Computed): void {
  const now = epochNow();
  recordPhase('worker:roundTrip', now - postedAt);
  const w = c.workerTiming;
  if (!w) return;
  recordPhase('worker:toWorker', w.receivedAt - postedAt);
  recordPhase('worker:parse', w.parseMs);
  recordPhase('worker:compute', c.durationMs);
  recordPhase('worker:keep', w.keepMs);
  recordPhase('worker:toHost', now - w.repliedAt);
}

export class WorkerClient extends Disposable implements ComputeWorker, ResultChannel {
  private worker: WorkerTransport | undefined;
  private nextId = 1;
  /** Every request awaiting its answer, by id. */
  private readonly waiting = new Map<number, Waiter>();
  private readonly lostListeners = new Set<() => void>();
  /** Workers terminated on purpose (stop): their exit is no failure. */
  private readonly stopped = new WeakSet<WorkerTransport>();

  /** `name`: how its log lines call it ("flow" for the timeline's flow worker). */
  constructor(
    private readonly host: WorkerHost,
    private readonly name = '',
  ) {
    super();
    this._register(
      toDisposable(() => {
        const w = this.worker;
        this.worker = undefined;
        w?.terminate();
      }),
    );
  }

  available(): boolean {
    return this.host.available();
  }

  /** `listener` runs when a worker dies: the results it kept (RemoteResult) are gone. */
  onDidLoseResults(listener: () => void): { dispose(): void } {
    this.lostListeners.add(listener);
    return { dispose: () => this.lostListeners.delete(listener) };
  }

  /**
   * Starts the worker now if it is not running, so that its start (in the web host: fetching and
   * evaluating its script) overlaps the host's reading of a large document instead of following it.
   */
  warm(): void {
    if (this.host.available()) timed('workerStart', () => this.ensure());
  }

  /** The result without its per-step arrays, and `remote` to read them in the worker, which keeps them. */
  compute(input: WorkerInput, format: SequenceFormat, options: ComputeOptions): Promise<Computed> {
    const postedAt = epochNow();
    return this.request<Computed>((id) => ({ type: 'compute', id, format, options, input }), inputTransferables(input)).then((c) => {
      recordWorkerTiming(postedAt, c);
      return c;
    });
  }

  /** A vector-model document (vector/offThread.ts); its text slices and weights bytes are moved to the worker, not copied. */
  computeVector(req: Omit<ComputeVectorRequest, 'type' | 'id'>): Promise<VectorResult | null> {
    const weights = req.weights.flatMap((w) => ('bytes' in w ? [w.bytes] : []));
    return this.request((id) => ({ ...req, type: 'computeVector', id }), inputTransferables(req.input, weights));
  }

  /** The numerical gradient check of `input` (gradcheckRun.ts), off the event loop. */
  gradcheck(input: WorkerInput, format: SequenceFormat, defaults: CallerDefaults, steps: number[] | undefined): Promise<GradcheckResult> {
    return this.request((id) => ({ type: 'gradcheck', id, format, defaults, steps, input }), inputTransferables(input));
  }

  /**
   * Where the gradient goes, off the host's thread. `cancel()` resolves it with null at once; where
   * the host has SharedArrayBuffer (Node) it also stops the worker's computation early.
   */
  flow(req: Omit<FlowRequest, 'type' | 'id' | 'cancel'>, progress: (fraction: number) => void): { result: Promise<{ id: number; view: FlowView } | null>; cancel(): void } {
    const cancel = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : undefined;
    let id = 0;
    // A sequence sent with the request moves to the worker (the caller's copy).
    const transfer = [req.data.x.buffer, req.data.y.buffer, req.data.hasY.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    const result = this.request<FlowView | null>((i) => ({ ...req, type: 'flow', id: (id = i), cancel }), transfer, progress).then((view) => view && { id, view });
    return {
      result,
      cancel: () => {
        if (cancel) Atomics.store(new Int32Array(cancel), 0, 1);
        this.settle(id)?.resolve(null);
      },
    };
  }

  readStep(result: number, at: StepAt): Promise<StepRead | null> {
    return this.request((id) => ({ type: 'readStep', id, result, at }), [], undefined, false);
  }

  prepareSeries(result: number): Promise<SeriesStats> {
    return this.request((id) => ({ type: 'prepareSeries', id, result }), [], undefined, false);
  }

  readWindow(result: number, start: number, end: number, width: number): Promise<SeriesWindow> {
    return this.request((id) => ({ type: 'readWindow', id, result, start, end, width }), [], undefined, false);
  }

  /** A copy of result `result`'s sequence, to send to another worker (the flow's). */
  readSequence(result: number): Promise<FlowSequence> {
    return this.request((id) => ({ type: 'readSequence', id, result }), [], undefined, false);
  }

  exportTrace(result: number, format: ExportFormat): Promise<Uint8Array> {
    return this.request((id) => ({ type: 'exportTrace', id, result, format }), [], undefined, false);
  }

  forget(result: number): void {
    this.worker?.post({ type: 'forget', result }, []);
  }

  /** Step t (1-based) of flow `flow`, which the worker keeps; null outside 1..T. */
  readFlowStep(flow: number, t: number): Promise<FlowStep | null> {
    return this.request((id) => ({ type: 'readFlowStep', id, flow, t }), [], undefined, false);
  }

  readFlowView(flow: number, width: number): Promise<FlowView> {
    return this.request((id) => ({ type: 'readFlowView', id, flow, width }), [], undefined, false);
  }

  forgetFlow(flow: number): void {
    this.worker?.post({ type: 'forgetFlow', flow }, []);
  }

  /**
   * Posts the request `build` makes with a fresh id. `start`: start a worker if none runs; false
   * for reads of a result, which only the worker that computed it has (they fail at once then).
   */
  private request<T>(build: (id: number) => WorkerRequest, transfer: ArrayBuffer[], progress?: (fraction: number) => void, start = true): Promise<T> {
    const worker = start ? timed('workerStart', () => this.ensure()) : this.worker;
    if (!worker) return Promise.reject(new Error('worker: restarted since the result'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      timed('post', () => worker.post(build(id), transfer));
    });
  }

  private received(msg: WorkerResponse): void {
    timed(`received:${msg.type}`, () => this.handle(msg));
  }

  private handle(msg: WorkerResponse): void {
    switch (msg.type) {
      case 'didCompute': {
        const result = msg.result;
        // One line per large run; the UI tests read it to know the worker computed.
        console.info(`[bptt-lens] worker computed ${result.parsed.T} steps in ${result.durationMs.toFixed(0)} ms`);
        if (result.trace) result.remote = new RemoteResult(this, msg.id);
        this.settle(msg.id)?.resolve(result);
        return;
      }
      case 'didComputeVector':
        if (msg.result) console.info(`[bptt-lens] worker computed ${msg.result.parsed.T} vector steps in ${msg.result.durationMs.toFixed(0)} ms`);
        this.settle(msg.id)?.resolve(msg.result);
        return;
      case 'didPrepareSeries':
        this.settle(msg.id)?.resolve(msg.stats);
        return;
      case 'didReadWindow':
        this.settle(msg.id)?.resolve(msg.window);
        return;
      case 'didReadStep':
        this.settle(msg.id)?.resolve(msg.step);
        return;
      case 'didExportTrace':
        this.settle(msg.id)?.resolve(msg.bytes);
        return;
      case 'didReadSequence':
        this.settle(msg.id)?.resolve(msg.data);
        return;
      case 'didGradcheck':
        this.settle(msg.id)?.resolve(msg.result);
        return;
      case 'didProgressFlow':
        this.waiting.get(msg.id)?.progress?.(msg.fraction);
        return;
      case 'didComputeFlow':
        this.settle(msg.id)?.resolve(msg.view);
        return;
      case 'didReadFlowStep':
        this.settle(msg.id)?.resolve(msg.step);
        return;
      case 'didReadFlowView':
        this.settle(msg.id)?.resolve(msg.view);
        return;
      case 'didFailCompute':
      case 'didFailComputeVector':
      case 'didFailPrepareSeries':
      case 'didFailReadWindow':
      case 'didFailReadStep':
      case 'didFailExportTrace':
      case 'didFailReadSequence':
      case 'didFailGradcheck':
      case 'didFailFlow':
      case 'didFailReadFlow':
        this.settle(msg.id)?.reject(new Error(`worker: ${msg.error}`));
        return;
      default:
        assertNever(msg);
    }
  }

  /**
   * Terminates the worker now, whatever it is computing: the only way to stop a computation where
   * there is no SharedArrayBuffer for a cancel flag (a browser without cross-origin isolation).
   * Its requests reject with `why`; the next request starts a fresh worker. Not a loss of results
   * for the listeners: the caller chose it.
   */
  stop(why: string): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.stopped.add(worker);
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    worker.terminate();
    for (const w of waiting) w.reject(new Error(`worker: ${why}`));
  }

  /** Takes request `id` out of `waiting`: it is answered now. */
  private settle(id: number): Waiter | undefined {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    return w;
  }

  private ensure(): WorkerTransport {
    if (this.worker) return this.worker;
    // One line per start; the UI tests read it to know the worker started before the first run.
    console.info(`[bptt-lens] ${this.name ? `${this.name} ` : ''}worker started`);
    const worker: WorkerTransport = this.host.start({
      message: (msg) => this.received(msg),
      fail: (e) => {
        // A worker replaced since, stopped, or terminated by dispose no longer owns the pending requests.
        if (this.stopped.has(worker) || (this.worker !== worker && this.worker !== undefined)) return;
        this.worker = undefined;
        const waiting = [...this.waiting.values()];
        this.waiting.clear();
        for (const w of waiting) w.reject(e);
        if (!this.isDisposed) for (const listener of this.lostListeners) listener();
      },
    });
    this.worker = worker;
    return worker;
  }
}
