/**
 * Parse + BPTT on a text: the one computation, run inline for small documents and in the worker
 * thread for large ones. Pure (no `vscode`, no Node-only modules).
 */
import { runChecks, type CheckOptions, type CheckReport } from '../check';
import { runBptt, type Trace } from '../core';
import { parseSequence, type CallerDefaults, type ParsedSequence, type SequenceFormat } from '../parse';
import { checkProblems } from './checkProblems';
import { problemsOf, type Problem, type ProblemSettings } from './problems';
import type { RemoteResult } from './remoteResult';
import type { TruncatedGrads } from './summary';
import type { VectorAnalysis } from './vector/analyze';

export interface Computed {
  parsed: ParsedSequence;
  /** Absent when the text has parse errors. */
  trace: Trace | undefined;
  /** What the Problems panel shows; O(T) scans, so done here (in the worker for large files). */
  problems: Problem[];
  /** The file's claims (`# check:` lines, claim columns) against exact BPTT; undefined when it has none. */
  checks: CheckReport | undefined;
  durationMs: number;
  /**
   * Set by the host's WorkerClient for a result the worker computed and keeps (resident.ts): then
   * `parsed` and `trace` hold no per-step array, and steps, series, flow and export come from it.
   */
  remote?: RemoteResult;
  /** With a worker's result: the truncated gradients (truncate=/horizon=), or null when there are none or they are too long to compute. */
  truncated?: TruncatedGrads | null;
  /** A vector-model document (issue 11): then `parsed` is empty and `trace` absent. */
  vector?: VectorAnalysis;
  /** Set by the worker: where its time went, as epoch ms (timeOrigin + now(), comparable across threads) and durations. */
  workerTiming?: WorkerTiming;
}

export interface WorkerTiming {
  receivedAt: number;
  parseMs: number;
  keepMs: number;
  repliedAt: number;
}

/** Now as epoch ms: a time another thread can compare with its own. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Significant digits of the numbers in a check's Problems message (compact, as in the CodeLens). */
const PROBLEM_DIGITS = 4;

export interface ComputeOptions {
  defaults: CallerDefaults;
  problems: ProblemSettings;
  check: CheckOptions;
  /** The settings' truncate=/horizon= (the file's directive wins): the worker computes those gradients with its result. */
  truncation?: { truncate: number; horizon: number };
}

/** `input`: a text, or a sequence the caller parsed already (the worker, from bytes). */
export function compute(input: string | ParsedSequence, format: SequenceFormat, options: ComputeOptions): Computed {
  const t0 = performance.now();
  const parsed = typeof input === 'string' ? parseSequence(input, format, options.defaults) : input;
  const trace = parsed.errors.length === 0 ? runBptt(parsed.model, parsed) : undefined;
  const checks = trace ? checksOf(parsed, trace, options.check) : undefined;
  const problems = [...problemsOf(parsed, trace, options.problems), ...checkProblems(checks, PROBLEM_DIGITS)];
  return { parsed, trace, problems, checks, durationMs: performance.now() - t0 };
}

/** The file's claims against the exact trace; undefined when it makes none. */
function checksOf(parsed: ParsedSequence, trace: Trace, options: CheckOptions): CheckReport | undefined {
  if (parsed.checks.length === 0 && parsed.claimColumns.length === 0) return undefined;
  return runChecks(parsed, trace, options);
}
