/**
 * Parse + BPTT on a text: the one computation, run inline for small documents and in the worker
 * thread for large ones. Pure (no `vscode`, no Node-only modules).
 */
import { runBptt, type Trace } from '../core';
import { parseSequence, type CallerDefaults, type ParsedSequence, type SequenceFormat } from '../parse';

export interface Computed {
  parsed: ParsedSequence;
  /** Absent when the text has parse errors. */
  trace: Trace | undefined;
  durationMs: number;
}

export function compute(text: string, format: SequenceFormat, defaults: CallerDefaults): Computed {
  const t0 = performance.now();
  const parsed = parseSequence(text, format, defaults);
  const trace = parsed.errors.length === 0 ? runBptt(parsed.model, parsed) : undefined;
  return { parsed, trace, durationMs: performance.now() - t0 };
}

/** Every distinct ArrayBuffer under the result, to transfer rather than copy it across threads. */
export function transferables(c: Computed): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (o: object | undefined): void => {
    if (!o) return;
    for (const value of Object.values(o)) {
      if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) seen.add(value.buffer);
    }
  };
  add(c.parsed);
  add(c.trace);
  return [...seen];
}
