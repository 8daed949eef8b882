/**
 * A large document's analysis stays in the worker (issue 12). Its per-step arrays — offsets, x/y,
 * s/h/∂L/∂s: ~70 B a step, 70 MB at 10⁶ steps — arriving in the extension host made V8 collect
 * the host's whole heap (mostly VS Code's own 10⁶-line document model) right after each run, and
 * the concurrent marking of that heap took both cores of a small machine from the host's thread
 * for up to ~150 ms (BENCHMARKS.md, "hosts"). So the host gets the analysis without its per-step
 * arrays (`lightComputed`) and asks the worker for one step at a time (`stepRead`). Pure: no
 * `vscode`, no Node-only modules (the worker imports it).
 */
import { stepValues, type StepValues, type Trace } from '../core';
import { allocStepData } from '../parse/steps';
import { stepAtLine, stepAtOffset, type ParsedSequence } from '../parse';
import type { Computed } from './compute';

/** One step as the hover, the step table and the editor's reveal read it. */
export interface StepRead {
  /** 0-based. */
  i: number;
  values: StepValues;
  /** Where its row (CSV/TSV) or x[t]/y[t] elements (JSON) are, as ParsedSequence has them. */
  line: number;
  rowStart: number;
  rowEnd: number;
  xStart: number;
  xEnd: number;
  yStart: number;
  yEnd: number;
}

/** A step by its 0-based index, by a document offset (stepAtOffset), or, for CSV/TSV, by its line (stepAtLine). */
export type StepAt = { index: number } | { offset: number } | { line: number };

/** The 0-based step `at` names, or −1 (none there, or an index outside 0..T−1). */
export function stepIndexOf(parsed: ParsedSequence, at: StepAt): number {
  if ('index' in at) return Number.isInteger(at.index) && at.index >= 0 && at.index < parsed.T ? at.index : -1;
  return 'line' in at ? stepAtLine(parsed, at.line) : stepAtOffset(parsed, at.offset);
}

export function stepRead(parsed: ParsedSequence, trace: Trace, i: number): StepRead {
  return {
    i,
    values: stepValues(trace, i),
    line: parsed.line[i],
    rowStart: parsed.rowStart[i],
    rowEnd: parsed.rowEnd[i],
    xStart: parsed.xStart[i],
    xEnd: parsed.xEnd[i],
    yStart: parsed.yStart[i],
    yEnd: parsed.yEnd[i],
  };
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);

/**
 * The result as the host holds it: every scalar (T, model, L, gradients, checks, Problems) and no
 * per-step array (each of length 0; `Analysis.remote` reads steps from the worker).
 */
export function lightComputed(c: Computed): Computed {
  const parsed: ParsedSequence = { ...c.parsed, ...allocStepData(0) };
  const trace: Trace | undefined = c.trace && { ...c.trace, x: EMPTY_F64, y: EMPTY_F64, hasY: EMPTY_U8, s: EMPTY_F64, h: EMPTY_F64, dL_ds: EMPTY_F64 };
  return { ...c, parsed, trace };
}
