/**
 * Messages between the extension host and dist/worker.js: one discriminated union per direction,
 * tagged by `type`, as in the webview's protocol (src/shared/protocol.ts). Host → worker messages
 * are requests (imperative); worker → host messages are responses (past tense, `didX`), each
 * carrying the `id` of the request it answers.
 *
 * A compute request's result stays in the worker (resident.ts) under the request's id until the
 * host sends `forget`: the host holds its scalars and asks for steps (`readStep`), the timeline's
 * series, the flow and the export by that id.
 */
import type { CheckOptions } from '../check';
import type { Model } from '../core';
import type { GradcheckReport } from '../gradcheck';
import { byteChunks, type CallerDefaults, type SequenceFormat, type TruncationKeys } from '../parse';
import type { ExportFormat, FlowStep, FlowView, SeriesWindow } from '../shared/protocol';
import type { StepAt, StepRead } from './resident';
import type { FlowSettings } from './timeline/flowData';
import type { ComputeOptions, Computed } from './compute';
import type { SeriesStats } from './timeline/data';
import type { VectorFlowFacts, VectorSeriesStats } from './timeline/vectorData';
import type { VectorTrace } from '../core/vector/model';
import type { ParseError } from '../parse';
import type { ParsedVectorSequence } from '../parse/vector/types';
import type { GradsCheck } from './vector/gradsCheck';

/** What the worker computes from: UTF-8 slices of a document's text, or the bytes of a file too large to open as a document. */
export type WorkerInput = { slices: Uint8Array[] } | { bytes: Uint8Array };

/** Parse + BPTT on `input`; the result stays in the worker as result `id`. */
export interface ComputeRequest {
  type: 'compute';
  id: number;
  format: SequenceFormat;
  options: ComputeOptions;
  input: WorkerInput;
}

/** The timeline's series of result `result`, kept with it; answered with their ranges. */
export interface PrepareSeriesRequest {
  type: 'prepareSeries';
  id: number;
  result: number;
}

/** A window of the series of result `result` (prepared first), as TraceSeries.window. */
export interface ReadWindowRequest {
  type: 'readWindow';
  id: number;
  result: number;
  start: number;
  end: number;
  width: number;
}

/** Step `at.index` (0-based) of result `result`, or the step whose row holds document offset `at.offset`, or (CSV/TSV) whose row is line `at.line`. */
export interface ReadStepRequest {
  type: 'readStep';
  id: number;
  result: number;
  at: StepAt;
}

/** A copy of result `result`'s sequence (x, y, hasY), for the flow worker. */
export interface ReadSequenceRequest {
  type: 'readSequence';
  id: number;
  result: number;
}

/** The whole trace of result `result` as the export writes it (core/serialize), UTF-8. */
export interface ExportTraceRequest {
  type: 'exportTrace';
  id: number;
  result: number;
  format: ExportFormat;
}

/** Result `result` (or flow `flow`) is no longer needed (replaced, or its document closed). No answer. */
export type ForgetRequest = { type: 'forget'; result: number } | { type: 'forgetFlow'; flow: number };

/** The numerical gradient check (src/gradcheck) of `input`, parsed with `defaults`; `steps` as in GradcheckOptions. */
export interface GradcheckRequest {
  type: 'gradcheck';
  id: number;
  format: SequenceFormat;
  defaults: CallerDefaults;
  steps: number[] | undefined;
  input: WorkerInput;
}


export interface FlowSequence {
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
}

/** Where the gradient goes (timeline/flowData.ts) for a sequence; `cancel` (Int32, shared) set to 1 stops it. */
export interface FlowRequest {
  type: 'flow';
  id: number;
  model: Model;
  data: FlowSequence;
  file: TruncationKeys | undefined;
  settings: FlowSettings;
  /** The chart's width: the answer is the view at it (flowView), and the flow stays in the worker as flow `id`. */
  width: number;
  /** Int32 flag the host sets to 1 to stop; absent where the host has no SharedArrayBuffer (a browser without cross-origin isolation). */
  cancel: SharedArrayBuffer | undefined;
}

/** Flow `flow`'s selected step t (1-based), or its view at another width. */
export type ReadFlowRequest = { type: 'readFlowStep'; id: number; flow: number; t: number } | { type: 'readFlowView'; id: number; flow: number; width: number };

/** A weights file the host read for a vector document (workspace.fs, after the path rules): its URI path and bytes, or why it could not be read. */
export type WeightsBytes = { path: string; bytes: Uint8Array } | { path: string; error: string };

/**
 * A vector-model document (vector/offThread.ts): its text, and the weights files its head names,
 * read by the host. The worker resolves the path again and reads only from `weights`.
 */
export interface ComputeVectorRequest {
  type: 'computeVector';
  id: number;
  format: SequenceFormat;
  defaults: CallerDefaults;
  input: WorkerInput;
  /** The sequence file's URI path and the workspace folders' (weightsPath.ts). */
  sequencePath: string;
  roots: string[];
  /** The files the head names (weights= and grads=), as the host read them. */
  weights: WeightsBytes[];
  /** The tolerances of the grads= check (bpttLens.check.*). */
  check: CheckOptions;
}

/** What the host's VectorAnalysis is made from: the inline analysis's parts, with the timeline's norms. */
export interface VectorResult {
  parsed: ParsedVectorSequence;
  trace: VectorTrace | undefined;
  flow: VectorFlowFacts | undefined;
  stats: VectorSeriesStats | undefined;
  errors: ParseError[];
  /** The check of the grads= gradients, when the file names them. */
  grads?: GradsCheck;
  durationMs: number;
}

export type WorkerRequest =
  | ComputeRequest | PrepareSeriesRequest | ReadWindowRequest | ReadStepRequest | ReadSequenceRequest | ExportTraceRequest | ForgetRequest | GradcheckRequest | FlowRequest | ReadFlowRequest | ComputeVectorRequest;

export type WorkerResponse =
  | { type: 'didCompute'; id: number; result: Computed }
  | { type: 'didFailCompute'; id: number; error: string }
  | { type: 'didPrepareSeries'; id: number; stats: SeriesStats }
  | { type: 'didFailPrepareSeries'; id: number; error: string }
  /** step null: no step at that offset or index. */
  | { type: 'didReadStep'; id: number; step: StepRead | null }
  | { type: 'didFailReadStep'; id: number; error: string }
  | { type: 'didReadWindow'; id: number; window: SeriesWindow }
  | { type: 'didFailReadWindow'; id: number; error: string }
  | { type: 'didReadSequence'; id: number; data: FlowSequence }
  | { type: 'didFailReadSequence'; id: number; error: string }
  | { type: 'didExportTrace'; id: number; bytes: Uint8Array }
  | { type: 'didFailExportTrace'; id: number; error: string }
  | { type: 'didGradcheck'; id: number; result: GradcheckResult }
  | { type: 'didFailGradcheck'; id: number; error: string }
  | { type: 'didProgressFlow'; id: number; fraction: number }
  /** view null: cancelled. */
  | { type: 'didComputeFlow'; id: number; view: FlowView | null }
  | { type: 'didReadFlowStep'; id: number; step: FlowStep | null }
  | { type: 'didReadFlowView'; id: number; view: FlowView }
  | { type: 'didFailReadFlow'; id: number; error: string }
  | { type: 'didFailFlow'; id: number; error: string }
  /** result null: not a vector-model file after all (the host computes it as a scalar one). */
  | { type: 'didComputeVector'; id: number; result: VectorResult | null }
  | { type: 'didFailComputeVector'; id: number; error: string };

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
export function inputTransferables(input: WorkerInput, more: readonly Uint8Array[] = []): ArrayBuffer[] {
  const arrays = 'slices' in input ? input.slices : [input.bytes];
  const out: ArrayBuffer[] = [];
  for (const b of [...arrays, ...more]) {
    if (b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !out.includes(b.buffer)) out.push(b.buffer);
  }
  return out;
}
