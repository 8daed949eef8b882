import { BUILTIN_DEFAULTS, MODEL_KEYS } from '../core/model';
import type { CallerDefaults, ParsedSequence, SequenceFormat } from './types';
import { resolveModel } from './resolve';
import { allocStepData } from './steps';

/** Out of memory (an ArrayBuffer or string too large for the machine) rather than a bug. */
export function isMemoryError(e: unknown): boolean {
  return e instanceof RangeError && /allocation failed|Invalid (typed )?array length|Invalid string length|out of memory/i.test(e.message);
}

/** The result for a parse that threw: out of memory, or a bug (reported, never thrown at the caller). */
export function failedSequence(format: SequenceFormat, defaults: CallerDefaults | undefined, e: unknown): ParsedSequence {
  const { model, modelSource } = safeResolve(defaults);
  const message = isMemoryError(e)
    ? 'not enough memory to read this file: its steps do not fit in the memory available (split the file, or give Node more with --max-old-space-size)'
    : `internal parser error: ${e instanceof Error ? e.message : String(e)}`;
  return {
    format: format === 'json' || format === 'tsv' ? format : 'csv',
    model,
    modelSource,
    hasDirective: false,
    directiveOffset: 0,
    T: 0,
    ...allocStepData(0),
    columns: [],
    checks: [],
    claimColumns: [],
    errors: [{ message, line: 0, col: 0, endLine: 0, endCol: 0 }],
  };
}

function safeResolve(defaults: CallerDefaults | undefined): ReturnType<typeof resolveModel> {
  try {
    return resolveModel({}, defaults);
  } catch {
    const modelSource = Object.fromEntries(MODEL_KEYS.map((k) => [k, 'builtin'])) as ReturnType<typeof resolveModel>['modelSource'];
    return { model: { ...BUILTIN_DEFAULTS }, modelSource };
  }
}
