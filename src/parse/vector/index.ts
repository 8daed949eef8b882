/**
 * Vector-model sequence files (issue 11): detection, the CSV/TSV and JSON readers, and the model
 * from the parsed file and its weights. Runs anywhere (no vscode, no DOM, no Node-only modules).
 */
import type { CallerDefaults, SequenceFormat } from '../types';
import { failedSequence } from '../failed';
import { parseVectorDelimited } from './csv';
import { parseVectorJson } from './json';
import { resolveVectorSettings } from './settings';
import type { ParsedVectorSequence } from './types';

export * from './types';
export { isVectorText } from './detect';
export { resolveVectorModel, type VectorModelResult } from './resolve';
export { VECTOR_KEYS } from './settings';

/** Parses a vector-model file's text (one isVectorText says names weights). Never throws. */
export function parseVectorSequence(text: string, format: SequenceFormat, defaults?: CallerDefaults): ParsedVectorSequence {
  try {
    return format === 'json' ? parseVectorJson(text, defaults) : parseVectorDelimited(text, format, defaults);
  } catch (e) {
    // Defensive, as parseSequence: a bug in the parser must not take down the extension host or the CLI.
    const failed = failedSequence(format, defaults, e);
    return {
      kind: 'vector', format: failed.format, settings: resolveVectorSettings({}, defaults), weights: null, T: 0, xWidth: 1, yWidth: 1,
      x: new Float64Array(0), y: new Float64Array(0), hasY: new Uint8Array(0), line: new Int32Array(0),
      rowStart: new Int32Array(0), rowEnd: new Int32Array(0), columns: [], hasDirective: false, errors: failed.errors,
    };
  }
}
