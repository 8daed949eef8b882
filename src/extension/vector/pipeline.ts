/**
 * The other parts of issue 11 the extension calls for a vector-model document, in one place:
 * the vector sequence parser and model resolution (src/parse/vector), the weights readers
 * (src/parse/weights) and the flow analysis (src/flow/vector).
 *
 * MERGE NOTE (wip-vext): until those parts are on main, `parse` says every file is scalar, so the
 * extension behaves exactly as before. At merge, `parse` becomes `isVectorText(text, format) ?
 * parseVectorSequence(text, format, defaults) : undefined` (a scalar file is not parsed twice),
 * `resolve` resolveVectorModel and `weightsFile` reads WeightsSource's location.
 */
import { referenceVectorBptt } from '../../core/vector/reference';
import type { VectorModel, VectorTrace } from '../../core/vector/model';
import type { CallerDefaults, ParseError, SequenceFormat } from '../../parse';
import type { ParsedVectorSequence } from '../../parse/vector/types';
import { readTensorFile, type TensorEntry, type TensorFileResult } from '../../parse/weights';
import { pascanuBound, spectralNormW, stepSigmas, vectorPhiPrimes } from '../../flow/vector';
import type { VectorFlowFacts } from '../timeline/vectorData';

/** A location in the sequence file (0-based), for errors about what named the weights. */
export type Where = Omit<ParseError, 'message'>;

export interface VectorPipeline {
  /** The parse of a vector-model file; undefined for a scalar file, which takes the scalar path unchanged. */
  parse(text: string, format: SequenceFormat, defaults: CallerDefaults): ParsedVectorSequence | undefined;
  /** The weights file the sequence names (path as written) and where it is named; undefined for inline weights. */
  weightsFile(parsed: ParsedVectorSequence, text: string): { path: string; where: Where } | undefined;
  readTensors(bytes: Uint8Array, fileName: string): Promise<TensorFileResult>;
  /** The model from the parse and the weights file's tensors, or located errors. */
  resolve(parsed: ParsedVectorSequence, tensors?: TensorEntry[]): { ok: true; model: VectorModel } | { ok: false; errors: ParseError[] };
  run(model: VectorModel, parsed: ParsedVectorSequence): VectorTrace;
  flow(trace: VectorTrace): VectorFlowFacts;
}

/** 0-based line and column of `offset` in `text`. */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart };
}

export const pipeline: VectorPipeline = {
  parse: () => undefined,
  weightsFile(parsed, text) {
    const w = parsed.weights;
    if (w?.kind !== 'file') return undefined;
    const a = lineColAt(text, w.start);
    const b = lineColAt(text, w.end);
    return { path: w.path, where: { line: a.line, col: a.col, endLine: b.line, endCol: b.col } };
  },
  readTensors: readTensorFile,
  resolve: () => ({ ok: false, errors: [{ message: 'vector models are not supported yet', line: 0, col: 0, endLine: 0, endCol: 0 }] }),
  run: (model, parsed) => referenceVectorBptt(model, { T: parsed.T, x: parsed.x, y: parsed.y, hasY: parsed.hasY }),
  // σ_max(W·diag(φ'(s_t))) per step (exact for n ≤ 64, power iteration above), ‖W‖₂ and max φ'.
  flow(trace) {
    const { W, n, phi } = trace.model;
    const normW = spectralNormW(W, n);
    return { sigma: stepSigmas(W, vectorPhiPrimes(trace), n).sigma, normW, maxPhiPrime: pascanuBound(normW, phi).maxPhiPrime };
  },
};
