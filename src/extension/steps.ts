/**
 * A step of an analysis, wherever its arrays are: here for a small document, in the worker for a
 * large one (Analysis.remote). Every host feature that reads one step goes through these.
 *
 * A CSV/TSV row is one line, so its step is found by the position's line: no document offsets, and
 * so VS Code never builds its line-offset table of a 10⁶-line document (10–70 ms in one call). A
 * JSON step is found by offset.
 */
import type * as vscode from 'vscode';
import { stepIndexOf, stepRead, type StepAt, type StepRead } from './resident';
import type { Analysis } from './types';
import { vectorStepAtOffset } from './vector/analyze';

/** How the step at `position` is looked up: its line (CSV/TSV) or its offset (JSON). */
export function stepWhere(analysis: Analysis, document: vscode.TextDocument, position: vscode.Position): { line: number } | { offset: number } {
  return analysis.parsed.format !== 'json' ? { line: position.line } : { offset: document.offsetAt(position) };
}

/** Scalar step `at` with its values and source offsets; null without a trace or without a step there. Synchronous for a small document. */
export function readStep(analysis: Analysis, at: StepAt): Promise<StepRead | null> | StepRead | null {
  const trace = analysis.trace;
  if (!trace) return null;
  if (analysis.remote) return analysis.remote.at(at);
  const i = stepIndexOf(analysis.parsed, at);
  return i >= 0 ? stepRead(analysis.parsed, trace, i) : null;
}

/** The 0-based step at `position` of `document` (this analysis's document), else −1. */
export async function stepIndexAt(analysis: Analysis, document: vscode.TextDocument, position: vscode.Position): Promise<number> {
  if (analysis.vector) return vectorStepAtOffset(analysis.vector.parsed, document.offsetAt(position));
  return (await readStep(analysis, stepWhere(analysis, document, position)))?.i ?? -1;
}
