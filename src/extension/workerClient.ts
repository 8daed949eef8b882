/**
 * The host side of the worker: one lazily started worker, requests answered in order. If the
 * worker dies, pending requests fail and the next request starts a fresh one.
 *
 * The one small interface both hosts share is `ComputeWorker`; what differs is only how a worker
 * starts and carries messages (`WorkerHost`): worker_threads in Node (workerNode.ts), a Web Worker
 * in the browser (workerWeb.ts). The messages are workerProtocol.ts's in both.
 */
import type { CallerDefaults, SequenceFormat } from '../parse';
import { assertNever } from '../shared/protocol';
import { epochNow, type ComputeOptions, type Computed } from './compute';
import { Disposable, toDisposable } from './dispose';
import { recordPhase, timed } from './hostTiming';
import type { SeriesData } from './timeline/data';
import type { FlowResult } from './timeline/flowData';
import {
  inputTransferables, type ComputeVectorRequest, type FlowRequest, type GradcheckResult, type VectorResult, type WorkerInput, type WorkerRequest, type WorkerResponse,
} from './workerProtocol';

/** Parse + BPTT off the extension host's event loop; a result's `series()` asks for its timeline series. */
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

interface Pending<T> {
  resolve(value: T): void;
  reject(e: Error): void;
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

export class WorkerClient extends Disposable implements ComputeWorker {
  private worker: WorkerTransport | undefined;
  private nextId = 1;
  /** Requests awaiting their result; results whose series were asked for (same id). */
  private readonly pending = new Map<number, Pending<Computed>>();
  private readonly pendingSeries = new Map<number, Pending<SeriesData>>();
  private readonly pendingGradcheck = new Map<number, Pending<GradcheckResult>>();
  private readonly pendingFlow = new Map<number, Pending<FlowResult | null> & { progress(fraction: number): void }>();
  private readonly pendingVector = new Map<number, Pending<VectorResult | null>>();

  constructor(private readonly host: WorkerHost) {
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

  /**
   * Starts the worker now if it is not running, so that its start (in the web host: fetching and
   * evaluating its script) overlaps the host's reading of a large document instead of following it.
   */
  warm(): void {
    if (this.host.available()) timed('workerStart', () => this.ensure());
  }

  /** The result, with `series()` to ask for the timeline's series of its trace later. */
  compute(input: WorkerInput, format: SequenceFormat, options: ComputeOptions): Promise<Computed> {
    const worker = timed('workerStart', () => this.ensure());
    const id = this.nextId++;
    const postedAt = epochNow();
    return new Promise<Computed>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (c) => {
          recordWorkerTiming(postedAt, c);
          resolve(c);
        },
        reject,
      });
      timed('post', () => worker.post({ type: 'compute', id, format, options, input }, inputTransferables(input)));
    });
  }

  /** A vector-model document (vector/offThread.ts); its text slices and weights bytes are moved to the worker, not copied. */
  computeVector(req: Omit<ComputeVectorRequest, 'type' | 'id'>): Promise<VectorResult | null> {
    const worker = this.ensure();
    const id = this.nextId++;
    const weights = req.weights.flatMap((w) => ('bytes' in w ? [w.bytes] : []));
    return new Promise<VectorResult | null>((resolve, reject) => {
      this.pendingVector.set(id, { resolve, reject });
      worker.post({ ...req, type: 'computeVector', id }, inputTransferables(req.input, weights));
    });
  }

  /** The numerical gradient check of `input` (gradcheckRun.ts), off the event loop. */
  gradcheck(input: WorkerInput, format: SequenceFormat, defaults: CallerDefaults, steps: number[] | undefined): Promise<GradcheckResult> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<GradcheckResult>((resolve, reject) => {
      this.pendingGradcheck.set(id, { resolve, reject });
      worker.post({ type: 'gradcheck', id, format, defaults, steps, input }, inputTransferables(input));
    });
  }

  /**
   * Where the gradient goes, off the host's thread. `cancel()` resolves it with null at once; where
   * the host has SharedArrayBuffer (Node) it also stops the worker's computation early.
   */
  flow(req: Omit<FlowRequest, 'type' | 'id' | 'cancel'>, progress: (fraction: number) => void): { result: Promise<FlowResult | null>; cancel(): void } {
    const worker = this.ensure();
    const id = this.nextId++;
    const cancel = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : undefined;
    const result = new Promise<FlowResult | null>((resolve, reject) => {
      this.pendingFlow.set(id, { resolve, reject, progress });
      worker.post({ ...req, type: 'flow', id, cancel }, []);
    });
    return {
      result,
      cancel: () => {
        if (cancel) Atomics.store(new Int32Array(cancel), 0, 1);
        this.settle(this.pendingFlow, id)?.resolve(null);
      },
    };
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
        if (result.trace) {
          let series: Promise<SeriesData> | undefined;
          result.series = () => (series ??= this.requestSeries(msg.id));
        }
        this.settle(this.pending, msg.id)?.resolve(result);
        return;
      }
      case 'didFailCompute':
        this.settle(this.pending, msg.id)?.reject(new Error(`worker: ${msg.error}`));
        return;
      case 'didPrepareSeries':
        this.settle(this.pendingSeries, msg.id)?.resolve(msg.series);
        return;
      case 'didFailPrepareSeries':
        this.settle(this.pendingSeries, msg.id)?.reject(new Error(`worker: ${msg.error}`));
        return;
      case 'didGradcheck':
        this.settle(this.pendingGradcheck, msg.id)?.resolve(msg.result);
        return;
      case 'didFailGradcheck':
        this.settle(this.pendingGradcheck, msg.id)?.reject(new Error(`worker: ${msg.error}`));
        return;
      case 'didProgressFlow':
        this.pendingFlow.get(msg.id)?.progress(msg.fraction);
        return;
      case 'didComputeFlow':
        this.settle(this.pendingFlow, msg.id)?.resolve(msg.result);
        return;
      case 'didFailFlow':
        this.settle(this.pendingFlow, msg.id)?.reject(new Error(`worker: ${msg.error}`));
        return;
      case 'didComputeVector':
        if (msg.result) console.info(`[bptt-lens] worker computed ${msg.result.parsed.T} vector steps in ${msg.result.durationMs.toFixed(0)} ms`);
        this.settle(this.pendingVector, msg.id)?.resolve(msg.result);
        return;
      case 'didFailComputeVector':
        this.settle(this.pendingVector, msg.id)?.reject(new Error(`worker: ${msg.error}`));
        return;
      default:
        assertNever(msg);
    }
  }

  /** Takes request `id` out of `pending`: it is answered now. */
  private settle<T>(pending: Map<number, Pending<T>>, id: number): Pending<T> | undefined {
    const p = pending.get(id);
    pending.delete(id);
    return p;
  }

  /** The series of result `id`'s trace, which the worker kept until asked (or until its next request). */
  private requestSeries(id: number): Promise<SeriesData> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('worker: restarted since the result'));
    return new Promise<SeriesData>((resolve, reject) => {
      this.pendingSeries.set(id, { resolve, reject });
      worker.post({ type: 'prepareSeries', id }, []);
    });
  }

  private ensure(): WorkerTransport {
    if (this.worker) return this.worker;
    const worker: WorkerTransport = this.host.start({
      message: (msg) => this.received(msg),
      fail: (e) => {
        // A worker replaced since (or terminated by dispose) no longer owns the pending requests.
        if (this.worker !== worker && this.worker !== undefined) return;
        this.worker = undefined;
        for (const p of this.pending.values()) p.reject(e);
        for (const p of this.pendingSeries.values()) p.reject(e);
        for (const p of this.pendingGradcheck.values()) p.reject(e);
        for (const p of this.pendingFlow.values()) p.reject(e);
        for (const p of this.pendingVector.values()) p.reject(e);
        this.pendingVector.clear();
        this.pending.clear();
        this.pendingSeries.clear();
        this.pendingGradcheck.clear();
        this.pendingFlow.clear();
      },
    });
    this.worker = worker;
    return worker;
  }
}
