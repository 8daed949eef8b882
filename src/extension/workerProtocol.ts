/** Messages between the extension host and dist/worker.js. */
import type { SequenceFormat } from '../parse';
import type { ComputeOptions, Computed } from './compute';
import type { SeriesData } from './timeline/data';

export interface WorkerRequest {
  id: number;
  format: SequenceFormat;
  options: ComputeOptions;
  /** UTF-8 slices of a document's text, or the bytes of a file too large to open as a document. */
  slices?: Uint8Array[];
  bytes?: Uint8Array;
}

/** The result (or error) of a WorkerRequest; the series of a result's trace (or why not) when asked with `{ seriesOf: id }`. */
export type WorkerResponse =
  | { id: number; result: Computed }
  | { id: number; error: string }
  | { id: number; series: SeriesData }
  | { id: number; seriesError: string };

/** What the worker computes from: text slices of a document, or a file's bytes. */
export type WorkerInput = { slices: Uint8Array[] } | { bytes: Uint8Array };

/** Decodes slices or bytes to the text the parser reads. */
export function decodeInput(input: WorkerInput): string {
  const decoder = new TextDecoder('utf-8');
  return 'slices' in input ? input.slices.map((b) => decoder.decode(b)).join('') : decoder.decode(input.bytes);
}

/** Buffers that can move to the worker: those a typed array fully owns. */
export function inputTransferables(input: WorkerInput): ArrayBuffer[] {
  const arrays = 'slices' in input ? input.slices : [input.bytes];
  const out: ArrayBuffer[] = [];
  for (const b of arrays) {
    if (b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) out.push(b.buffer);
  }
  return out;
}
