/**
 * A vector-model document's analysis (issue 11): parse, the weights file read through the editor's
 * file system (relative to the sequence file, never outside the workspace), the model, the pass,
 * what the timeline and hover show, and the check of a grads= file. Every problem on the way is a
 * located error; nothing throws.
 */
import type { CheckOptions } from '../../check';
import type { VectorTrace } from '../../core/vector/model';
import type { CallerDefaults, ParseError, SequenceFormat } from '../../parse';
import type { ParsedVectorSequence } from '../../parse/vector/types';
import { VectorTraceSeries } from '../timeline/vectorData';
import { checkVectorGrads, type GradsCheck } from './gradsCheck';
import { pipeline as defaultPipeline, type VectorPipeline, type Where } from './pipeline';
import { resolveWeightsPath } from './weightsPath';

export interface VectorAnalysis {
  parsed: ParsedVectorSequence;
  /** Absent when the file, its weights or the model have errors. */
  trace: VectorTrace | undefined;
  series: VectorTraceSeries | undefined;
  /** Parse, weights and model errors, located in the sequence file. */
  errors: ParseError[];
  /** The check of the file's grads= gradients against the trace; absent without grads= or a trace. */
  grads?: GradsCheck;
}

/** How the analysis reaches the weights file: the sequence's URI path, the workspace folders' paths, a reader. */
export interface WeightsAccess {
  sequencePath: string;
  roots: readonly string[];
  /** The bytes at a URI path of the sequence's file system; rejects when there is no such file. */
  read(path: string): Promise<Uint8Array>;
}

function at(where: Where, message: string): ParseError {
  return { message, ...where };
}

/** undefined for a scalar file (the scalar path takes it, exactly as before). */
export async function analyzeVector(
  text: string,
  format: SequenceFormat,
  defaults: CallerDefaults,
  io: WeightsAccess,
  check: CheckOptions = {},
  pipe: VectorPipeline = defaultPipeline,
): Promise<VectorAnalysis | undefined> {
  const parsed = pipe.parse(text, format, defaults);
  if (!parsed) return undefined;
  try {
    return await analyzeParsed(parsed, io, check, pipe);
  } catch (e) {
    // A bug in a reader or the pass is this document's error, never the extension host's crash.
    const message = `internal error while computing this vector model: ${e instanceof Error ? e.message : String(e)}`;
    return { parsed, trace: undefined, series: undefined, errors: [{ message, line: 0, col: 0, endLine: 0, endCol: 0 }] };
  }
}

async function analyzeParsed(parsed: ParsedVectorSequence, io: WeightsAccess, check: CheckOptions, pipe: VectorPipeline): Promise<VectorAnalysis> {
  const failed = (errors: ParseError[]): VectorAnalysis => ({ parsed, trace: undefined, series: undefined, errors });
  if (parsed.errors.length > 0) return failed(parsed.errors);
  // A weights file: resolved against the sequence file, inside the workspace, read and decoded.
  let tensors;
  const file = pipe.weightsFile(parsed);
  if (file) {
    const target = resolveWeightsPath(io.sequencePath, file.path, io.roots);
    if (!target.ok) return failed([at(file.where, target.message)]);
    let bytes: Uint8Array;
    try {
      bytes = await io.read(target.path);
    } catch (e) {
      return failed([at(file.where, `cannot read weights file ${file.path}: ${e instanceof Error ? e.message : String(e)}`)]);
    }
    const read = await pipe.readTensors(bytes, file.path);
    if (!read.ok) return failed(read.problems.map((p) => at(file.where, `${file.path}: ${p.tensor && !p.message.includes(p.tensor) ? `${p.tensor}: ` : ''}${p.message}`)));
    tensors = read.tensors;
  }
  const model = pipe.resolve(parsed, tensors);
  if (!model.ok) return failed(model.errors);
  const trace = pipe.run(model.model, parsed);
  // grads=: the user's gradients against this trace, with the user's tolerances (bpttLens.check.*).
  const grads = await checkVectorGrads(parsed, trace, io, pipe.readTensors, check);
  return { parsed, trace, series: new VectorTraceSeries(trace, pipe.flow(trace)), errors: [], ...(grads ? { grads } : {}) };
}

/** 0-based step whose row holds `offset`, or −1 (the vector parse's rows, as stepAtOffset for scalar files). */
export function vectorStepAtOffset(parsed: ParsedVectorSequence, offset: number): number {
  const { T, rowStart, rowEnd } = parsed;
  if (!(T > 0) || !(offset >= 0)) return -1;
  let lo = 0;
  let hi = T - 1;
  if (offset < rowStart[0]) return -1;
  // Last row starting at or before offset.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rowStart[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return offset <= rowEnd[lo] ? lo : -1;
}
