/**
 * The trace as the CLI and "Export Trace…" write it. Field names are a public interface:
 * tools outside the project read them.
 */
import { stepValues, type Trace } from './trace';
import { MODEL_KEYS } from './model';

export const STEP_FIELDS = [
  't', 'line', 'x', 'y', 's', 'h', 'yhat', 'loss',
  'dL_dyhat', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds',
] as const;

/** JSON has no NaN or Infinity; they are written as the strings "NaN", "Infinity", "-Infinity". */
export function jsonNumber(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}

/** One step's row, in STEP_FIELDS order. `line` is 1-based, or null when unknown. */
function stepRow(trace: Trace, i: number, line: number | null): (number | null)[] {
  const v = stepValues(trace, i);
  return [
    v.t, line, v.x, v.y, v.s, v.h, v.yhat, v.loss,
    v.dL_dyhat, v.dL_dh, v.dL_dh_local, v.dL_dh_recurrent, v.dL_ds,
  ];
}

function lineOf(lines: Int32Array | undefined, i: number): number | null {
  return lines ? lines[i] + 1 : null;
}

/**
 * Writes the JSON document piece by piece, so a 10⁶-step trace never exists as one object tree.
 * @param lines 0-based source line of each step
 * @param extra more top-level fields (the CLI's "warnings"), written before "steps"
 */
export function* traceJsonChunks(trace: Trace, lines?: Int32Array, extra?: Record<string, unknown>): Generator<string> {
  const model: Record<string, number | string> = {};
  for (const k of MODEL_KEYS) {
    const value = trace.model[k];
    model[k] = typeof value === 'number' ? jsonNumber(value) : value;
  }
  const grads: Record<string, number | string> = {};
  for (const [k, value] of Object.entries(trace.grads)) grads[k] = jsonNumber(value);
  let more = '';
  for (const [k, value] of Object.entries(extra ?? {})) more += `${JSON.stringify(k)}:${JSON.stringify(value)},`;
  yield `{"model":${JSON.stringify(model)},"T":${trace.T},"loss":${JSON.stringify(jsonNumber(trace.loss))},` +
    `"grads":${JSON.stringify(grads)},"firstNonFinite":${trace.firstNonFinite ?? 'null'},${more}"steps":[`;
  const BATCH = 4096;
  let out = '';
  for (let i = 0; i < trace.T; i++) {
    const row = stepRow(trace, i, lineOf(lines, i));
    let obj = i > 0 ? ',{' : '{';
    for (let f = 0; f < STEP_FIELDS.length; f++) {
      const value = row[f];
      obj += `${f > 0 ? ',' : ''}"${STEP_FIELDS[f]}":${value === null ? 'null' : JSON.stringify(jsonNumber(value))}`;
    }
    out += obj + '}';
    if ((i + 1) % BATCH === 0) {
      yield out;
      out = '';
    }
  }
  yield out + ']}\n';
}

export function traceJson(trace: Trace, lines?: Int32Array): string {
  return Array.from(traceJsonChunks(trace, lines)).join('');
}

/** CSV cell: numbers as JavaScript prints them (round-trip exact), empty for null. */
function csvCell(value: number | null): string {
  return value === null ? '' : String(value);
}

export function* traceCsvChunks(trace: Trace, lines?: Int32Array): Generator<string> {
  yield STEP_FIELDS.join(',') + '\n';
  const BATCH = 4096;
  let out = '';
  for (let i = 0; i < trace.T; i++) {
    out += stepRow(trace, i, lineOf(lines, i)).map(csvCell).join(',') + '\n';
    if ((i + 1) % BATCH === 0) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

export function traceCsv(trace: Trace, lines?: Int32Array): string {
  return Array.from(traceCsvChunks(trace, lines)).join('');
}
