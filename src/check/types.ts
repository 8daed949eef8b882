/**
 * The checks engine's inputs (the contract with the parser: /work/brief/check-inputs.md, identical
 * shapes) and its report, which carries everything the CLI and the editor show.
 */

// The parser's claim shapes, one declaration (src/parse/types.ts).
import type { CheckClaimSource, ClaimColumn } from '../parse/types';
export type { CheckClaimSource, ClaimColumn };

/** What runChecks reads from a ParsedSequence (which has all of it once the parser lands). */
export interface CheckInput {
  checks: CheckClaimSource[];
  claimColumns: ClaimColumn[];
  /** 0-based line of each step's row, length T (ParsedSequence.line). */
  line?: Int32Array;
}

export interface CheckOptions {
  /** Relative tolerance; never tighter than MIN_RTOL. */
  rtol?: number;
  /** Absolute tolerance, added to the column-scaled floor. */
  atol?: number;
  /** Run the catalogue on failing claims (default true). */
  diagnose?: boolean;
}

/** A located problem in a claim: unknown name, wrong arity, index out of range, … (0-based). */
export interface CheckError {
  message: string;
  line: number;
  col: number;
  offset: number;
  length: number;
}

export interface Diagnosis {
  code: string;
  message: string;
  /** For `truncated`: the chunk length k. */
  k?: number;
}

export interface Mismatch {
  /** 1-based step; null for totals. */
  t: number | null;
  /** 0-based line of that step's row (null for totals or when unknown). */
  line: number | null;
  user: number;
  exact: number;
  /** The cell [start, end) for a column claim, else the claim's expression. */
  offset: number;
  length: number;
}

export type ClaimSourceKind = 'formula' | 'column' | 'value';

export interface ClaimResult {
  quantity: string;
  source: ClaimSourceKind;
  /** 0-based position of the claim: the expression (formula/value) or the first claimed cell (column). */
  line: number;
  col: number;
  offset: number;
  length: number;
  ok: boolean;
  /** Set when the claim cannot be evaluated (bad formula, unknown quantity); then ok = false. */
  error: CheckError | null;
  /** Where the error enters: the first mismatch in compute order. */
  firstMismatch: Mismatch | null;
  mismatches: number;
  /** Steps (or 1 for a total) actually compared. */
  compared: number;
  /** max |user − exact| / max(|user|, |exact|) over the compared steps (0 when all equal). */
  maxRelErr: number;
  diagnosis: Diagnosis[];
  /** Per-step values, index t − 1 (length T), NaN where nothing is claimed; null for totals. */
  user: Float64Array | null;
  exact: Float64Array | null;
  /** For totals. */
  userTotal: number | null;
  exactTotal: number | null;
  /** A correct formula in the user's notation (the Quick Fix), for failing formulas; verified to pass. */
  fix: string | null;
}

/** For a formula set: the totals the user's own recursion produces, beside the exact ones. */
export interface RecursionTotal {
  quantity: string;
  user: number;
  exact: number;
}

export interface CheckReport {
  ok: boolean;
  claims: ClaimResult[];
  /** Empty unless the file has a gradient formula (dL_dyhat, dL_dh or dL_ds). */
  recursion: RecursionTotal[];
}
