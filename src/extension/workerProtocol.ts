/**
 * Messages between the extension host and dist/worker.js: one discriminated union per direction,
 * tagged by `type`, as in the webview's protocol (src/shared/protocol.ts). Host → worker messages
 * are requests (imperative); worker → host messages are responses (past tense, `didX`), each
 * carrying the `id` of the compute request it answers.
 */
import type { Model } from '../core';
import type { GradcheckReport } from '../gradcheck';
import { byteChunks, type CallerDefaults, type SequenceFormat, type TruncationKeys } from '../parse';
import type { FlowResult, FlowSettings } from './timeline/flowData';
import type { ComputeOptions, Computed } from './compute';
import type { SeriesData } from './timeline/data';

/** What the worker computes from: UTF-8 slices of a document's text, or the bytes of a file too large to open as a document. */
export type WorkerInput = { slices: Uint8Array[] } | { bytes: Uint8Array };

/** Parse + BPTT on `input`. The worker keeps the trace's series inputs until its next request. */
export interface ComputeRequest {
  type: 'compute';
  id: number;
  format: SequenceFormat;
  options: ComputeOptions;
  input: WorkerInput;
}

/** The timeline's series of the trace of compute request `id`, which the worker kept. */
export interface PrepareSeriesRequest {
  type: 'prepareSeries';
  id: number;
}

/** The numerical gradient check (src/gradcheck) of `input`, parsed with `defaults`; `steps` as in GradcheckOptions. */
export interface GradcheckRequest {
  type: 'gradcheck';
  id: number;
  format: SequenceFormat;
  defaults: CallerDefaults;
  steps: number[] | undefined;
  input: WorkerInput;
}


/** Where the gradient goes (timeline/flowData.ts) for a sequence; `cancel` (Int32, shared) set to 1 stops it. */
export interface FlowRequest {
  type: 'flow';
  id: number;
  model: Model;
  data: { x: Float64Array; y: Float64Array; hasY: Uint8Array };
  file: TruncationKeys | undefined;
  settings: FlowSettings;
  /** Int32 flag the host sets to 1 to stop; absent where the host has no SharedArrayBuffer (a browser without cross-origin isolation). */
  cancel: SharedArrayBuffer | undefined;
}

export type WorkerRequest = ComputeRequest | PrepareSeriesRequest | GradcheckRequest | FlowRequest;

export type WorkerResponse =
  | { type: 'didCompute'; id: number; result: Computed }
  | { type: 'didFailCompute'; id: number; error: string }
  | { type: 'didPrepareSeries'; id: number; series: SeriesData }
  | { type: 'didFailPrepareSeries'; id: number; error: string }
  | { type: 'didGradcheck'; id: number; result: GradcheckResult }
  | { type: 'didFailGradcheck'; id: number; error: string }
  | { type: 'didProgressFlow'; id: number; fraction: number }
  | { type: 'didComputeFlow'; id: number; result: FlowResult | null }
  | { type: 'didFailFlow'; id: number; error: string };

/** The gradcheck report, or the file's first parse error (then there is nothing to check). */
export type GradcheckResult = { report: GradcheckReport } | { parseError: string };

/** Decodes slices or bytes to the text the parser reads. */
export function decodeInput(input: WorkerInput): string {
  const decoder = new TextDecoder('utf-8');
  return 'slices' in input ? input.slices.map((b) => decoder.decode(b)).join('') : decoder.decode(input.bytes);
}

/** The input as the byte parser reads it: chunks, never one string of the whole file. */
export function inputChunks(input: WorkerInput): Iterable<Uint8Array> {
  return 'slices' in input ? input.slices : byteChunks(input.bytes);
}

export function inputSize(input: WorkerInput): number {
  return 'slices' in input ? input.slices.reduce((n, b) => n + b.length, 0) : input.bytes.length;
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
