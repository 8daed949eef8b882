/**
 * What the timeline panel sends for a vector-model document (issue 11): the same messages as for a
 * scalar one, with the vector summary, windows (norms, σ_max, heat strip) and step vectors.
 */
import type { DidComputeTraceMessage, DidFailParseMessage, DidLoadWindowMessage, DidSelectVectorStepMessage } from '../../shared/protocol';
import type { VectorAnalysis } from '../vector/analyze';

type Meta = { uri: string; fileName: string; version: number; durationMs: number };

/** The trace (or, when the file has errors, its located errors) as the webview's first message. */
export function vectorTraceMessage(v: VectorAnalysis, meta: Meta, width: number, select: number | null): DidComputeTraceMessage | DidFailParseMessage {
  if (!v.series) {
    return { type: 'didFailParse', uri: meta.uri, fileName: meta.fileName, errors: v.errors.map((e) => ({ line: e.line + 1, col: e.col + 1, message: e.message })) };
  }
  const T = v.series.trace.T;
  return { type: 'didComputeTrace', summary: v.series.summary(meta), overview: v.series.window(0, T, width), select: select !== null && select <= T ? select : null };
}

export function vectorWindowMessage(v: VectorAnalysis, requestId: number, start: number, end: number, width: number): DidLoadWindowMessage | undefined {
  if (!v.series || start >= v.series.trace.T) return undefined;
  return { type: 'didLoadWindow', requestId, window: v.series.window(start, end, width) };
}

/** Step t (1-based), or undefined when out of range. */
export function vectorStepMessage(v: VectorAnalysis, t: number, fromEditor: boolean): DidSelectVectorStepMessage | undefined {
  if (!v.series || t < 1 || t > v.series.trace.T) return undefined;
  return { type: 'didSelectVectorStep', step: v.series.step(t - 1), fromEditor };
}
