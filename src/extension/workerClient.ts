/**
 * The host side of the worker thread: one lazily started worker, requests answered in order.
 * If the worker dies, pending requests fail and the next request starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { CallerDefaults, SequenceFormat } from '../parse';
import type { Computed } from './compute';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

interface Pending {
  resolve(c: Computed): void;
  reject(e: Error): void;
}

export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly scriptPath: string) {}

  compute(input: { text: string } | { bytes: Uint8Array }, format: SequenceFormat, defaults: CallerDefaults): Promise<Computed> {
    const worker = this.ensure();
    const id = this.nextId++;
    const req: WorkerRequest = { id, format, defaults, ...input };
    return new Promise<Computed>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Bytes that own their whole buffer are moved to the worker; anything else is copied.
      const b = 'bytes' in input ? input.bytes : undefined;
      const owns = b && b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
      const transfer = owns ? [b.buffer as ArrayBuffer] : [];
      worker.postMessage(req, transfer);
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
