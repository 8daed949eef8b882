/** The worker in the Node extension host: dist/worker.js on worker_threads. */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { WorkerHost } from './workerClient';
import type { WorkerResponse } from './workerProtocol';

export function nodeWorkerHost(scriptPath: string): WorkerHost {
  return {
    available: () => existsSync(scriptPath),
    start(events) {
      const worker = new Worker(scriptPath);
      worker.unref();
      worker.on('message', (msg: WorkerResponse) => events.message(msg));
      worker.on('error', (e) => events.fail(e));
      worker.on('exit', (code) => events.fail(new Error(`worker exited with code ${code}`)));
      return {
        post: (request, transfer) => worker.postMessage(request, transfer),
        terminate: () => void worker.terminate(),
      };
    },
  };
}
