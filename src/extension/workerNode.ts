/** The worker in the Node extension host: dist/worker.js on worker_threads. */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerHost } from './workerClient';
import type { WorkerResponse } from './workerProtocol';

/** The worker's V8 heap limit: a quarter of the machine's memory, between 512 MB and 4 GB. */
const WORKER_HEAP_MB = Math.min(4096, Math.max(512, Math.floor(totalmem() / (4 * 1024 * 1024))));

export function nodeWorkerHost(scriptPath: string, heapMb = WORKER_HEAP_MB): WorkerHost {
  return {
    available: () => existsSync(scriptPath),
    start(events) {
      // A heap limit of its own: a worker that runs out is ended and reported (ERR_WORKER_OUT_OF_MEMORY), never a fatal OOM.
      const worker = new Worker(scriptPath, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
      worker.unref();
      worker.on('message', (msg: WorkerResponse) => events.message(msg));
      worker.on('error', (e: Error & { code?: string }) =>
        events.fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`not enough memory: the worker needs more than its ${heapMb} MB heap for this file`) : e),
      );
      worker.on('exit', (code) => events.fail(new Error(`worker exited with code ${code}`)));
      return {
        post: (request, transfer) => worker.postMessage(request, transfer),
        terminate: () => void worker.terminate(),
      };
    },
  };
}
