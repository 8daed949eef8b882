/**
 * A vector document's analysis as the store's Computed: the scalar fields say "no scalar trace"
 * (an empty sequence, no errors), so every scalar feature leaves the document alone, and `vector`
 * carries what the vector features read. Its Problems: the located errors, and the first step
 * where a NaN or ±∞ appears.
 */
import type { CallerDefaults, ParsedSequence, SequenceFormat } from '../../parse';
import { resolveModel } from '../../parse/resolve';
import { allocStepData } from '../../parse/steps';
import type { Computed } from '../compute';
import type { Problem } from '../problems';
import type { VectorAnalysis } from './analyze';

function noScalarSequence(format: SequenceFormat, defaults: CallerDefaults): ParsedSequence {
  const { model, modelSource } = resolveModel({}, defaults);
  return { format, model, modelSource, hasDirective: false, directiveOffset: 0, T: 0, ...allocStepData(0), columns: [], checks: [], claimColumns: [], errors: [] };
}

export function vectorProblems(v: VectorAnalysis): Problem[] {
  const out: Problem[] = v.errors.map((e) => ({ severity: 'error', message: e.message, code: 'parse', range: { kind: 'lineCol', ...e } }));
  const t = v.trace?.firstNonFinite;
  if (t != null) {
    const i = t - 1;
    out.push({
      severity: 'warning',
      message: `step ${t}: s_t, h_t or ∂L/∂s_t has a NaN or ±∞ component (the first step that does)`,
      code: 'non-finite',
      range: { kind: 'offsets', start: v.parsed.rowStart[i], end: v.parsed.rowEnd[i], line: v.parsed.line[i] },
    });
  }
  return out;
}

export function vectorComputed(v: VectorAnalysis, format: SequenceFormat, defaults: CallerDefaults, durationMs: number): Computed {
  return { parsed: noScalarSequence(format, defaults), trace: undefined, problems: vectorProblems(v), checks: undefined, durationMs, vector: v };
}
