import type { Model, ModelKey } from '../core/model';

/** Where a model key's value came from, in precedence order. */
export type ValueSource = 'file' | 'caller' | 'builtin';

/** A problem in the input. Lines and columns are 0-based here; the CLI prints them 1-based. */
export interface ParseError {
  message: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export type SequenceFormat = 'csv' | 'tsv' | 'json';

/**
 * The per-step typed arrays of a ParsedSequence, each of length T. src/parse/steps.ts lists their
 * element types once (STEP_ARRAY_TYPES) to allocate, grow and trim them.
 */
export interface StepData {
  x: Float64Array;
  /** y_t; meaningful only where hasY[t] = 1 (it is NaN elsewhere). */
  y: Float64Array;
  hasY: Uint8Array;
  /** 0-based line of step t (the row in CSV/TSV, the x[t] element in JSON). */
  line: Int32Array;
  /** Offsets of the x_t cell/element: [xStart, xEnd). For CSV/TSV, the whole row is [rowStart, rowEnd). */
  xStart: Int32Array;
  xEnd: Int32Array;
  /** Offsets of the y_t cell/element, or -1 where the file has no y for that step. */
  yStart: Int32Array;
  yEnd: Int32Array;
  /** Offsets of the whole row (CSV/TSV); equal to the x element's range for JSON. */
  rowStart: Int32Array;
  rowEnd: Int32Array;
}

/**
 * A sequence read from a file, with every step's source position.
 * Per-step data lives in typed arrays (no per-step objects) so 10⁶-row files stay small.
 * Offsets are UTF-16 code-unit offsets into the text given to the parser, the same units
 * as `TextDocument.offsetAt`.
 */
export interface ParsedSequence extends StepData {
  format: SequenceFormat;
  /** Resolved model: file directive, then caller defaults, then built-in defaults. */
  model: Model;
  /** For each model key, which layer supplied its value. */
  modelSource: Record<ModelKey, ValueSource>;
  /** True when the file carries a `# bptt:` directive line or a `"bptt"` key. */
  hasDirective: boolean;
  /**
   * Where a new directive goes when the file has none: the start of the file for CSV/TSV
   * (before the header, after a BOM), just after the top-level `{` for JSON.
   * `directiveEdit()` in this module builds the text to insert there.
   */
  directiveOffset: number;
  /** The number of steps: the length of every StepData array. */
  T: number;
  /** Header names of the CSV/TSV columns, including unused ones (kept for later features). */
  columns: string[];
  /** The `# check:` lines (CSV/TSV) or the entries of the "check" object (JSON), in file order. */
  checks: CheckClaimSource[];
  /** The per-step claim columns (CSV/TSV) or top-level arrays (JSON) named like CLI fields, in column order. */
  claimColumns: ClaimColumn[];
  /** Every problem found; the sequence should not be computed when this is non-empty. */
  errors: ParseError[];
  /**
   * Added by the parser: the file's layout as `directiveEdit()` needs it (that function has no text).
   * Replace [start, end) with `before + directive + after`. Optional: hand-built sequences may omit it.
   */
  directiveLayout?: DirectiveLayout;
  /** The directive's `truncate=k` / `horizon=k` (truncated BPTT, src/flow), when the file sets them. */
  truncation?: TruncationKeys;
}

/** The truncated-BPTT keys a directive may carry besides the model: each a whole number ≥ 1. */
export interface TruncationKeys {
  truncate?: number;
  horizon?: number;
}

export const TRUNCATION_KEYS = ['truncate', 'horizon'] as const;

export function isTruncationKey(key: string): key is keyof TruncationKeys {
  return key === 'truncate' || key === 'horizon';
}

/** One `# check:` directive line (CSV/TSV) or one entry of the JSON "check" object. */
export interface CheckClaimSource {
  /** Left side as written, e.g. "dL_dh" (validated by the check engine, not the parser). */
  quantity: string;
  /** Right side as written: a formula text, or a number literal's text ("1.0234"). */
  expr: string;
  /** 0-based position of `expr`'s first character in the file text, and its length in code units. */
  line: number;
  col: number;
  offset: number;
  length: number;
  /** 0-based position of the quantity (left side), for diagnostics on the whole claim. */
  quantityLine: number;
  quantityCol: number;
}

/** The names a per-step claim column may have (exact, case-sensitive); other columns are ignored. */
export const CLAIM_NAMES = ['s', 'h', 'yhat', 'loss', 'dL_dyhat', 'dL_dh', 'dL_ds'] as const;

/** A per-step column (CSV/TSV) or top-level array (JSON) named like a CLI field. */
export interface ClaimColumn {
  /** One of CLAIM_NAMES. */
  name: string;
  /** Length T. NaN where the cell is empty / JSON null (no claim: then digits = 255); a written NaN is a claim of NaN. */
  values: Float64Array;
  /** Significant digits the number was written with ("0.40" → 2, "1.2e-3" → 2), 0..17; 255 = no claim at this step. */
  digits: Uint8Array;
  /** Offsets of each cell: [start, end) in the text, -1 where there is no cell. */
  start: Int32Array;
  end: Int32Array;
}

/** See ParsedSequence.directiveLayout. */
export interface DirectiveLayout {
  start: number;
  end: number;
  before: string;
  after: string;
}

/** Model values a caller (the extension's settings, CLI flags) supplies beneath the file's directive. */
export type CallerDefaults = Partial<Model>;
