/**
 * The host side of the worker thread: one lazily started worker, requests answered in order.
 * If the worker dies, pending requests fail and the next request starts a fresh one.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { SequenceFormat } from '../parse';
import type { ComputeOptions, Computed } from './compute';
import { inputTransferables, type WorkerInput, type WorkerRequest, type WorkerResponse } from './workerProtocol';

interface Pending {
  resolve(c: Computed): void;
  reject(e: Error): void;
}

export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly scriptPath: string) {}

  /** False when the bundle has no worker script (then callers compute inline). */
  available(): boolean {
    return existsSync(this.scriptPath);
  }

  compute(input: WorkerInput, format: SequenceFormat, options: ComputeOptions): Promise<Computed> {
    const worker = this.ensure();
    const id = this.nextId++;
    const req: WorkerRequest = { id, format, options, ...input };
    return new Promise<Computed>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(req, inputTransferables(input));
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath);
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if ('error' in msg) p.reject(new Error(`worker: ${msg.error}`));
      else p.resolve(msg.result);
    });
    const fail = (e: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}
