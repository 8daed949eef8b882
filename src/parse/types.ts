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
  /** Every problem found; the sequence should not be computed when this is non-empty. */
  errors: ParseError[];
  /**
   * Added by the parser: the file's layout as `directiveEdit()` needs it (that function has no text).
   * Replace [start, end) with `before + directive + after`. Optional: hand-built sequences may omit it.
   */
  directiveLayout?: DirectiveLayout;
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
