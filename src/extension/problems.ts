/**
 * What the Problems panel shows for an analysis: parse errors, the first non-finite step and the
 * trace warnings (dead ReLU, loss domain, vanishing/exploding). Pure (no `vscode`): diagnostics.ts only converts ranges.
 */
import type { NonFiniteOrigin, StepValues, Trace, WarningCode } from '../core';
import type { ParsedSequence } from '../parse';
import { formatNumber } from '../shared/format';
import { stepWarnings } from './gradientWarnings';

export type ProblemSeverity = 'error' | 'warning' | 'information';

/** Either a 0-based line/col range (parse errors) or a [start, end) text offset range (steps). */
export type ProblemRange =
  | { kind: 'lineCol'; line: number; col: number; endLine: number; endCol: number }
  | { kind: 'offsets'; start: number; end: number; line: number };

export interface Problem {
  severity: ProblemSeverity;
  message: string;
  range: ProblemRange;
  /** Diagnostic code, for filtering in the Problems panel; a failing claim's is its catalogue code (checkProblems.ts). */
  code: 'parse' | 'non-finite' | WarningCode | (string & {});
}

export interface ProblemSettings {
  gradientWarnings: boolean;
  vanishingThreshold: number;
  explodingThreshold: number;
}

const LABEL: Partial<Record<keyof StepValues, string>> = {
  x: 'x',
  y: 'y',
  s: 's',
  h: 'h',
  yhat: 'ŷ',
  loss: 'ℓ',
  dL_dyhat: '∂L/∂ŷ',
  dL_dh_local: 'the local part of ∂L/∂h',
  dL_dh_recurrent: 'the recurrent part of ∂L/∂h (w·∂L/∂s_{t+1})',
  dL_dh: '∂L/∂h',
  dL_ds: '∂L/∂s',
};

const FORWARD = new Set<keyof StepValues>(['x', 'y', 's', 'h', 'yhat', 'loss']);

export function nonFiniteMessage(origin: NonFiniteOrigin, T: number): string {
  const what = LABEL[origin.quantity] ?? origin.quantity;
  const direction = FORWARD.has(origin.quantity) ? 'going forward from t = 1' : `going backward from T = ${T}`;
  return `${what} becomes ${formatNumber(origin.value)} at t = ${origin.t} (${direction}); every later value it feeds is non-finite too`;
}

/** The text range of 0-based step i: the row (CSV/TSV) or the x[t] / y[t] element (JSON). */
export function stepRange(parsed: ParsedSequence, i: number, quantity?: keyof StepValues): ProblemRange {
  if (parsed.format === 'json' && quantity === 'y' && parsed.yStart[i] >= 0) {
    return { kind: 'offsets', start: parsed.yStart[i], end: parsed.yEnd[i], line: parsed.line[i] };
  }
  if (parsed.format !== 'json') {
    // A CSV/TSV row is one whole line: its range needs no offset → position lookup, which on a
    // 10⁶-line document first builds VS Code's line-offset table (tens of ms).
    const line = parsed.line[i];
    return { kind: 'lineCol', line, col: 0, endLine: line, endCol: parsed.rowEnd[i] - parsed.rowStart[i] };
  }
  return { kind: 'offsets', start: parsed.rowStart[i], end: parsed.rowEnd[i], line: parsed.line[i] };
}

export function problemsOf(parsed: ParsedSequence, trace: Trace | undefined, settings: ProblemSettings): Problem[] {
  const out: Problem[] = parsed.errors.map((e) => ({
    severity: 'error' as const,
    message: e.message,
    range: { kind: 'lineCol' as const, line: e.line, col: e.col, endLine: e.endLine, endCol: e.endCol },
    code: 'parse' as const,
  }));
  if (!trace) return out;
  const origin = trace.nonFiniteOrigin;
  if (origin) {
    out.push({
      severity: 'warning',
      message: nonFiniteMessage(origin, trace.T),
      range: stepRange(parsed, origin.t - 1, origin.quantity),
      code: 'non-finite',
    });
  }
  for (const w of stepWarnings(trace, settings)) {
    out.push({ severity: w.severity, message: w.message, range: stepRange(parsed, w.step), code: w.code });
  }
  return out;
}
