/**
 * The host side of the worker thread: one lazily started worker, requests answered in order.
 * If the worker dies, pending requests fail and the next request starts a fresh one.
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CallerDefaults, SequenceFormat } from '../parse';
import { assertNever } from '../shared/protocol';
import type { ComputeOptions, Computed } from './compute';
import { Disposable, toDisposable } from './dispose';
import type { SeriesData } from './timeline/data';
import { inputTransferables, type GradcheckResult, type WorkerInput, type WorkerRequest, type WorkerResponse } from './workerProtocol';

/** The worker's V8 heap limit: a quarter of the machine's memory, between 512 MB and 4 GB. */
export const WORKER_HEAP_MB = Math.min(4096, Math.max(512, Math.floor(totalmem() / (4 * 1024 * 1024))));

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
  private readonly pendingGradcheck = new Map<number, Pending<GradcheckResult>>();

  /** `heapMb`: the worker's V8 heap limit (a test gives a tiny one to see a failure reported). */
  constructor(
    private readonly scriptPath: string,
    private readonly heapMb = WORKER_HEAP_MB,
  ) {
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

  /** The numerical gradient check of `input` (gradcheckRun.ts), off the event loop. */
  gradcheck(input: WorkerInput, format: SequenceFormat, defaults: CallerDefaults, steps: number[] | undefined): Promise<GradcheckResult> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<GradcheckResult>((resolve, reject) => {
      this.pendingGradcheck.set(id, { resolve, reject });
      this.send(worker, { type: 'gradcheck', id, format, defaults, steps, input }, inputTransferables(input));
    });
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
      case 'didGradcheck':
        this.settle(this.pendingGradcheck, msg.id)?.resolve(msg.result);
        return;
      case 'didFailGradcheck':
        this.settle(this.pendingGradcheck, msg.id)?.reject(new Error(`worker: ${msg.error}`));
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
    const worker = new Worker(this.scriptPath, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => this.received(msg));
    const fail = (e: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      for (const p of this.pendingSeries.values()) p.reject(e);
      for (const p of this.pendingGradcheck.values()) p.reject(e);
      this.pending.clear();
      this.pendingSeries.clear();
      this.pendingGradcheck.clear();
    };
    worker.on('error', (e: Error & { code?: string }) =>
      fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`not enough memory: the worker needs more than its ${this.heapMb} MB heap for this file`) : e),
    );
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
