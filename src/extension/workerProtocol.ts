/** Messages between the extension host and dist/worker.js. */
import type { CallerDefaults, SequenceFormat } from '../parse';
import type { Computed } from './compute';

export interface WorkerRequest {
  id: number;
  format: SequenceFormat;
  defaults: CallerDefaults;
  /** The document text, or the raw UTF-8 bytes of a file too large to open as a document. */
  text?: string;
  bytes?: Uint8Array;
}

export type WorkerResponse = { id: number; result: Computed } | { id: number; error: string };
