/** The worker in the browser (dist/web/worker.js): a Web Worker around workerBody.ts. */
import { handleRequest } from './workerBody';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

/** The little of DedicatedWorkerGlobalScope used here (the project's lib has no DOM/WebWorker). */
interface WorkerScope {
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
  postMessage(message: WorkerResponse, transfer: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (e) => handleRequest(e.data, (response, transfer) => scope.postMessage(response, transfer));
