/**
 * The host side of the worker thread: one lazily started worker, requests answered in order.
 * If the worker dies, pending requests fail and the next request starts a fresh one.
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SequenceFormat } from '../parse';
import { assertNever } from '../shared/protocol';
import type { ComputeOptions, Computed } from './compute';
import { Disposable, toDisposable } from './dispose';
import type { SeriesData } from './timeline/data';
import type { FlowResult } from './timeline/flowData';
import { type FlowRequest, inputTransferables, type WorkerInput, type WorkerRequest, type WorkerResponse } from './workerProtocol';

/** The worker's V8 heap limit: a quarter of the machine's memory, between 512 MB and 4 GB. */
const WORKER_HEAP_MB = Math.min(4096, Math.max(512, Math.floor(totalmem() / (4 * 1024 * 1024))));

interface Pending<T> {
  resolve(value: T): void;
  reject(e: Error): void;
}

export class WorkerClient extends Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Requests awaiting their result; results whose series were asked for (same id). */
  private readonly pending = new Map<number, Pending<Computed>>();
  private readonly pendingSeries = new Map<number, Pending<SeriesData>>();
  private readonly pendingFlow = new Map<number, Pending<FlowResult | null> & { progress(fraction: number): void }>();

  constructor(private readonly scriptPath: string) {
    super();
    this._register(
      toDisposable(() => {
        const w = this.worker;
        this.worker = undefined;
        void w?.terminate();
      }),
    );
  }

  /** False when the bundle has no worker script (then callers compute inline). */
  available(): boolean {
    return existsSync(this.scriptPath);
  }

  /** The result, with `series()` to ask for the timeline's series of its trace later. */
  compute(input: WorkerInput, format: SequenceFormat, options: ComputeOptions): Promise<Computed> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<Computed>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send(worker, { type: 'compute', id, format, options, input }, inputTransferables(input));
    });
  }

  /** Where the gradient goes, off the host's thread; `cancel()` makes it resolve null soon. */
  flow(req: Omit<FlowRequest, 'type' | 'id' | 'cancel'>, progress: (fraction: number) => void): { result: Promise<FlowResult | null>; cancel(): void } {
    const worker = this.ensure();
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const result = new Promise<FlowResult | null>((resolve, reject) => {
      this.pendingFlow.set(id, { resolve, reject, progress });
      this.send(worker, { ...req, type: 'flow', id, cancel });
    });
    return { result, cancel: () => Atomics.store(new Int32Array(cancel), 0, 1) };
  }

  private send(worker: Worker, request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    worker.postMessage(request, transfer);
  }

  private received(msg: WorkerResponse): void {
    switch (msg.type) {
      case 'didCompute': {
        const result = msg.result;
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
      case 'didProgressFlow':
        this.pendingFlow.get(msg.id)?.progress(msg.fraction);
        return;
      case 'didComputeFlow':
        this.settle(this.pendingFlow, msg.id)?.resolve(msg.result);
        return;
      case 'didFailFlow':
        this.settle(this.pendingFlow, msg.id)?.reject(new Error(`worker: ${msg.error}`));
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
      this.send(worker, { type: 'prepareSeries', id });
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // A heap limit of its own: a worker that runs out is ended and reported (ERR_WORKER_OUT_OF_MEMORY), never a fatal OOM.
    const worker = new Worker(this.scriptPath, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => this.received(msg));
    const fail = (e: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      for (const p of this.pendingSeries.values()) p.reject(e);
      for (const p of this.pendingFlow.values()) p.reject(e);
      this.pendingFlow.clear();
      this.pending.clear();
      this.pendingSeries.clear();
    };
    worker.on('error', (e: Error & { code?: string }) =>
      fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`not enough memory: the worker needs more than its ${WORKER_HEAP_MB} MB heap for this file`) : e),
    );
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
