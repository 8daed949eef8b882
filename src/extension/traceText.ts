/** The export's text of a trace (core/serialize's CSV or JSON), chunk by chunk, and the bytes joined. Pure: the host and the worker both write it. */
import { traceCsvChunks, traceJsonChunks, type Trace } from '../core';
import type { ExportFormat } from '../shared/protocol';

export function traceChunks(trace: Trace, lines: Int32Array, format: ExportFormat): Iterable<string> {
  return format === 'csv' ? traceCsvChunks(trace, lines) : traceJsonChunks(trace, lines);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The whole export at once (the worker's: it has no event loop to keep free). */
export function traceBytes(trace: Trace, lines: Int32Array, format: ExportFormat): Uint8Array {
  const encoder = new TextEncoder();
  return concatBytes([...traceChunks(trace, lines, format)].map((chunk) => encoder.encode(chunk)));
}
