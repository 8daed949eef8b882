/** The parts both vector readers (csv.ts, json.ts) build a ParsedVectorSequence from. */
import type { ParseError, SequenceFormat } from '../types';
import type { LineIndex } from '../lines';
import { Column } from '../steps';
import type { ParsedVectorSequence, SourceLoc, VectorSettings, WeightsSource } from './types';

/** A source range with its 0-based lines and columns. */
export function sourceLoc(lines: LineIndex, start: number, end: number): SourceLoc {
  const line = lines.lineAt(start);
  const endLine = lines.lineAt(end);
  return { start, end, line, col: start - lines.starts[line], endLine, endCol: end - lines.starts[endLine] };
}

/** The steps as they are read: x and y row-major (xWidth, yWidth values a step), with where each step is. */
export class VectorSteps {
  readonly x = new Column(Float64Array);
  readonly y = new Column(Float64Array);
  readonly hasY = new Column(Uint8Array);
  readonly line = new Column(Int32Array);
  readonly rowStart = new Column(Int32Array);
  readonly rowEnd = new Column(Int32Array);
  readonly yLine = new Column(Int32Array);
  readonly yCol = new Column(Int32Array);

  get T(): number {
    return this.line.length;
  }
}

export interface VectorParts {
  format: SequenceFormat;
  settings: VectorSettings;
  weights: WeightsSource | null;
  xWidth: number;
  yWidth: number;
  columns: string[];
  hasDirective: boolean;
  errors: ParseError[];
  xAt?: SourceLoc;
  yAt?: SourceLoc;
  h0At?: SourceLoc;
}

/** The result, every per-step array exactly T (x T·xWidth, y T·yWidth) long. */
export function finishVector(steps: VectorSteps, parts: VectorParts): ParsedVectorSequence {
  const T = steps.T;
  const failed = parts.errors.length > 0;
  return {
    kind: 'vector',
    ...parts,
    weights: failed ? null : parts.weights,
    T,
    x: steps.x.fit(T * parts.xWidth, NaN),
    y: steps.y.fit(T * parts.yWidth, NaN),
    hasY: steps.hasY.fit(T, 0),
    line: steps.line.fit(T, 0),
    rowStart: steps.rowStart.fit(T, 0),
    rowEnd: steps.rowEnd.fit(T, 0),
    yLine: steps.yLine.fit(T, -1),
    yCol: steps.yCol.fit(T, -1),
  };
}
