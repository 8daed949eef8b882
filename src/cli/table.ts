/**
 * The readable table: the first and last rows, then L and the gradients. Written in chunks, and
 * column widths come from a loop, not Math.max(...rows), which overflows the call stack at ~10⁵ rows.
 */
import { MODEL_KEYS, NUMERIC_KEYS, stepValues, type ModelKey, type Trace } from '../core';
import { formatNumber } from '../shared/format';
import type { ParsedSequence } from '../parse';
import { shown } from './errors';

const TABLE_COLUMNS = ['t', 'line', 'x', 'y', 's', 'h', 'ŷ', 'ℓ', '∂L/∂ŷ', '∂L/∂h', 'local', 'recurrent', '∂L/∂s'];
const BATCH = 4096;

function tableRow(trace: Trace, parsed: ParsedSequence, i: number): string[] {
  const v = stepValues(trace, i);
  const f = (n: number | null) => (n === null ? '—' : formatNumber(n, 6));
  return [
    String(v.t), String(parsed.line[i] + 1), f(v.x), f(v.y), f(v.s), f(v.h), f(v.yhat), f(v.loss),
    f(v.dL_dyhat), f(v.dL_dh), f(v.dL_dh_local), f(v.dL_dh_recurrent), f(v.dL_ds),
  ];
}

/** The rows shown: all, or the first and last `rows` with the middle elided (0 shows all). */
function shownRanges(T: number, rows: number): [number, number][] {
  if (rows > 0 && T > 2 * rows) return [[0, rows], [T - rows, T]];
  return [[0, T]];
}

export function* renderTableChunks(trace: Trace, parsed: ParsedSequence, file: string, rows: number): Generator<string> {
  const T = trace.T;
  const ranges = shownRanges(T, rows);
  // Column widths: a first pass over the rows shown (formatting twice is cheaper than holding 10⁶ rows).
  const widths = TABLE_COLUMNS.map((c) => c.length);
  for (const [a, b] of ranges) {
    for (let i = a; i < b; i++) {
      const r = tableRow(trace, parsed, i);
      for (let k = 0; k < r.length; k++) if (r[k].length > widths[k]) widths[k] = r[k].length;
    }
  }
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k])).join('  ').trimEnd() + '\n';

  const m = trace.model;
  let head = `${shown(file)}: T = ${T}, ${trace.nTargets} with a target\n`;
  head += `model: w=${m.w} v=${m.v} b=${m.b} u=${m.u} c=${m.c} h0=${m.h0} phi=${m.phi} theta=${m.theta} loss=${m.loss} reduction=${m.reduction}\n`;
  const from = MODEL_KEYS.filter((k) => parsed.modelSource[k] !== 'file');
  if (from.length > 0) head += `        (not set by the file: ${from.map((k: ModelKey) => `${k} from ${parsed.modelSource[k] === 'caller' ? 'options' : 'built-in default'}`).join(', ')})\n`;
  yield head + '\n' + line(TABLE_COLUMNS);

  for (let r = 0; r < ranges.length; r++) {
    if (r > 0) yield line(TABLE_COLUMNS.map((_, k) => (k === 0 ? '⋮' : ''))).trimEnd() + `   (${T - 2 * rows} rows not shown; --rows 0 shows all)\n`;
    const [a, b] = ranges[r];
    let out = '';
    for (let i = a; i < b; i++) {
      out += line(tableRow(trace, parsed, i));
      if ((i - a + 1) % BATCH === 0) {
        yield out;
        out = '';
      }
    }
    yield out;
  }

  let tail = `\nL = ${formatNumber(trace.loss, 10)}\n`;
  for (const k of NUMERIC_KEYS) tail += `∂L/∂${k.padEnd(2)} = ${formatNumber(trace.grads[k], 10)}\n`;
  if (trace.firstNonFinite !== null) {
    const o = trace.nonFiniteOrigin;
    tail += `first non-finite value at t = ${trace.firstNonFinite}` + (o ? ` (${o.quantity} = ${o.value} at t = ${o.t})` : '') + '\n';
  }
  yield tail;
}
