/**
 * Worker thread: parses and computes large sequences off the extension host's event loop. The
 * typed arrays of the result are transferred (moved), not copied, back to the host.
 */
import { parentPort } from 'node:worker_threads';
import { compute, transferables } from './compute';
import { decodeInput, type WorkerRequest, type WorkerResponse } from './workerProtocol';

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    let reply: WorkerResponse;
    let transfer: ArrayBuffer[] = [];
    try {
      const text = decodeInput(req.slices ? { slices: req.slices } : { bytes: req.bytes ?? new Uint8Array(0) });
      const result = compute(text, req.format, req.options);
      reply = { id: req.id, result };
      transfer = transferables(result);
    } catch (e) {
      reply = { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(reply, transfer);
  });
}
