/**
 * A vector-model sequence file: one whose directive (CSV/TSV `# bptt: weights=…`) or "bptt"
 * object / top-level "weights" key (JSON) names weights. Such a file is a vector-model file even
 * at n = 1; a file without weights stays a scalar file (ParsedSequence) exactly as before.
 */
import type { PhiName, ReductionName, ThetaName } from '../../core/model';
import type { VectorLossName } from '../../core/vector/model';
import type { ParseError, SequenceFormat } from '../types';
import type { TensorEntry, WeightsLayout } from '../weights/types';

export interface VectorSettings {
  phi: PhiName;
  theta: ThetaName;
  loss: VectorLossName;
  reduction: ReductionName;
  layout: WeightsLayout;
  /** The file's own h0 (directive `h0=` or "bptt" "h0"): one value for every unit, or n values. Wins over the weights' h0. */
  h0?: Float64Array;
}

/** A range of the sequence file: [start, end) offsets and the same as 0-based lines and columns. */
export interface GradsSource {
  path: string;
  start: number;
  end: number;
  at?: SourceLoc;
}

export interface SourceLoc {
  start: number;
  end: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** Where the weights come from, with the source range of what named them (for located errors). */
export type WeightsSource =
  | { kind: 'inline'; tensors: TensorEntry[]; start: number; end: number; at?: SourceLoc }
  | { kind: 'file'; path: string; start: number; end: number; at?: SourceLoc };

export interface ParsedVectorSequence {
  kind: 'vector';
  format: SequenceFormat;
  settings: VectorSettings;
  /** null only when the file has errors. */
  weights: WeightsSource | null;
  T: number;
  /** Inputs per step (m), and values per target (k, or 1 for cross_entropy's class). */
  xWidth: number;
  yWidth: number;
  /** Row-major by step: x[i·xWidth + j], y[i·yWidth + q]; y meaningful only where hasY[i] = 1. */
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
  /** 0-based line of each step, and the [start, end) offsets of its row (CSV/TSV) or x element (JSON). */
  line: Int32Array;
  rowStart: Int32Array;
  rowEnd: Int32Array;
  /** Header names (CSV/TSV), or the top-level keys read (JSON). */
  columns: string[];
  hasDirective: boolean;
  errors: ParseError[];
  /** Where each step's target is (its first y cell, its label cell, or its y element): 0-based line and column, -1 where none. */
  yLine?: Int32Array;
  yCol?: Int32Array;
  /** What fixes m and k in the file (the x / y header cells, the "x" / "y" arrays), and the file's h0: for located errors. */
  xAt?: SourceLoc;
  yAt?: SourceLoc;
  h0At?: SourceLoc;
  /** `grads=PATH` (CSV/TSV directive) or "grads": "PATH" (JSON "bptt"): your gradients to check against these, relative to the sequence file. */
  grads?: GradsSource;
}
