/** The worker in Node (dist/worker.js): worker_threads around workerBody.ts. */
import { parentPort } from 'node:worker_threads';
import { handleRequest } from './workerBody';
import type { WorkerRequest } from './workerProtocol';

const port = parentPort;
port?.on('message', (msg: WorkerRequest) => handleRequest(msg, (response, transfer) => port.postMessage(response, transfer)));
