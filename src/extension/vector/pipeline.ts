/**
 * The parts the extension calls for a vector-model document, in one place (the tests inject fakes
 * through this interface): the vector sequence parser and model resolution (src/parse/vector), the
 * weights readers (src/parse/weights), the tuned pass (src/core/vector/kernel) and the flow
 * analysis (src/flow/vector).
 */
import { runVectorBptt } from '../../core/vector/kernel';
import type { VectorModel, VectorTrace } from '../../core/vector/model';
import type { CallerDefaults, ParseError, SequenceFormat } from '../../parse';
import { isVectorText, parseVectorSequence, resolveVectorModel } from '../../parse/vector';
import type { ParsedVectorSequence } from '../../parse/vector/types';
import { readTensorFile, type TensorEntry, type TensorFileResult } from '../../parse/weights';
import { computeHorizons, FactorProducts } from '../../flow';
import { pascanuBound, spectralNormW, stepSigmas, vectorPhiPrimes } from '../../flow/vector';
import type { VectorFlowFacts } from '../timeline/vectorData';

/** A location in the sequence file (0-based), for errors about what named the weights. */
export type Where = Omit<ParseError, 'message'>;

export interface VectorPipeline {
  /** The parse of a vector-model file; undefined for a scalar file, which takes the scalar path unchanged. */
  parse(text: string, format: SequenceFormat, defaults: CallerDefaults): ParsedVectorSequence | undefined;
  /** The weights file the sequence names (path as written) and where it is named; undefined for inline weights. */
  weightsFile(parsed: ParsedVectorSequence): { path: string; where: Where } | undefined;
  readTensors(bytes: Uint8Array, fileName: string): Promise<TensorFileResult>;
  /** The model from the parse and the weights file's tensors, or located errors. */
  resolve(parsed: ParsedVectorSequence, tensors?: TensorEntry[]): { ok: true; model: VectorModel } | { ok: false; errors: ParseError[] };
  run(model: VectorModel, parsed: ParsedVectorSequence): VectorTrace;
  flow(trace: VectorTrace): VectorFlowFacts;
}

export const pipeline: VectorPipeline = {
  // A scalar file is not parsed twice: isVectorText looks only at the directive / the "weights" key.
  parse: (text, format, defaults) => (isVectorText(text, format) ? parseVectorSequence(text, format, defaults) : undefined),
  weightsFile(parsed) {
    const w = parsed.weights;
    if (w?.kind !== 'file' || !w.at) return undefined;
    return { path: w.path, where: { line: w.at.line, col: w.at.col, endLine: w.at.endLine, endCol: w.at.endCol } };
  },
  readTensors: readTensorFile,
  resolve: resolveVectorModel,
  run: (model, parsed) => runVectorBptt(model, { T: parsed.T, x: parsed.x, y: parsed.y, hasY: parsed.hasY }),
  // σ_max(W·diag(φ'(s_t))) per step (exact for n ≤ 64, power iteration above), ‖W‖₂ and max φ'.
  flow(trace) {
    const { W, n, phi } = trace.model;
    const normW = spectralNormW(W, n);
    const sigma = stepSigmas(W, vectorPhiPrimes(trace), n).sigma;
    // The running product of σ_max bounds ‖∂s_τ/∂s_t‖: its horizons, O(T), bound the exact ones.
    const hz = computeHorizons(new FactorProducts(sigma), trace.hasY);
    return { sigma, normW, maxPhiPrime: pascanuBound(normW, phi).maxPhiPrime, horizonMedian: hz.median, horizonMax: hz.max };
  },
};
