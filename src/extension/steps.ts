/**
 * A step of an analysis, wherever its arrays are: here for a small document, in the worker for a
 * large one (Analysis.remote). Every host feature that reads one step goes through these two.
 */
import { stepAtOffset } from '../parse';
import { stepRead, type StepRead } from './resident';
import type { Analysis } from './types';
import { vectorStepAtOffset } from './vector/analyze';

/** The 0-based step whose row (or JSON element) holds `offset`, else −1. */
export async function stepIndexAt(analysis: Analysis, offset: number): Promise<number> {
  if (analysis.vector) return vectorStepAtOffset(analysis.vector.parsed, offset);
  if (analysis.remote) return (await analysis.remote.at(offset))?.i ?? -1;
  return stepAtOffset(analysis.parsed, offset);
}

/** Scalar step i (0-based) with its values and source offsets; null without a trace or outside 0..T−1. */
export function readStep(analysis: Analysis, i: number): Promise<StepRead | null> | StepRead | null {
  const trace = analysis.trace;
  if (!trace || !(i >= 0 && i < trace.T)) return null;
  return analysis.remote ? analysis.remote.step(i) : stepRead(analysis.parsed, trace, i);
}
