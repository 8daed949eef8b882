/**
 * The worker in the web extension host: dist/web/worker.js in a Web Worker started from the
 * extension's own URI. On vscode.dev and github.dev the extension is served over https and the
 * host's `Worker` loads that URL. A development extension in code-server has a vscode-remote: URI,
 * which the host's `Worker` refuses ("Creating workers from remote extensions is currently not
 * supported"), so its script is read through workspace.fs and started from a blob: URL.
 */
import * as vscode from 'vscode';
import type { WorkerHost } from './workerClient';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

/** The little of the DOM's Worker, Blob and URL used here (the project's lib has no DOM). */
interface WebWorker {
  onmessage: ((e: { data: WorkerResponse }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  postMessage(message: WorkerRequest, transfer: ArrayBuffer[]): void;
  terminate(): void;
}
interface WebGlobals {
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob: new (parts: Uint8Array[], options: { type: string }) => unknown;
  URL: { createObjectURL(blob: unknown): string };
}
const web = globalThis as unknown as WebGlobals;

async function startWorker(script: vscode.Uri): Promise<WebWorker> {
  const Worker = web.Worker;
  if (!Worker) throw new Error('this host has no Web Worker');
  if (/^(https?|file)$/.test(script.scheme)) return new Worker(script.toString(true), { name: 'bptt-lens' });
  const bytes = await vscode.workspace.fs.readFile(script);
  return new Worker(web.URL.createObjectURL(new web.Blob([bytes], { type: 'text/javascript' })), { name: 'bptt-lens' });
}

export function webWorkerHost(script: vscode.Uri): WorkerHost {
  return {
    available: () => typeof web.Worker === 'function',
    start(events) {
      let worker: WebWorker | undefined;
      let terminated = false;
      // Requests sent while the script loads wait here, in order.
      const queued: [WorkerRequest, ArrayBuffer[]][] = [];
      startWorker(script).then(
        (w) => {
          if (terminated) return w.terminate();
          worker = w;
          w.onmessage = (e) => events.message(e.data);
          w.onerror = (e) => events.fail(new Error(`worker: ${e.message ?? `could not load ${script.toString(true)}`}`));
          for (const [request, transfer] of queued) w.postMessage(request, transfer);
          queued.length = 0;
        },
        (e: unknown) => events.fail(e instanceof Error ? e : new Error(String(e))),
      );
      return {
        post: (request, transfer) => (worker ? worker.postMessage(request, transfer) : queued.push([request, transfer])),
        terminate: () => {
          terminated = true;
          worker?.terminate();
        },
      };
    },
  };
}
