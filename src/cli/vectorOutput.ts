/**
 * A vector trace as the CLI prints it: --json (every per-step field an array, the gradients as
 * nested arrays in the layout the weights were given in) and the readable summary.
 * Field names are a public interface, as for the scalar trace.
 */
import { jsonNumber } from '../core/serialize';
import { VECTOR_PARAM_NAMES, paramShape, type VectorParamName, type VectorTrace } from '../core/vector/model';
import { norm2, vectorStepValues } from '../core/vector/step';
import type { WeightsLayout } from '../parse/weights';

/** The per-step fields of --json, in order ("class" and "probs" for cross_entropy, "y" otherwise). */
export const VECTOR_STEP_FIELDS = [
  't', 'line', 'x', 'y', 'class', 's', 'h', 'yhat', 'probs', 'loss',
  'dL_dyhat', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds',
] as const;

function vec(a: ArrayLike<number>): string {
  let out = '[';
  for (let j = 0; j < a.length; j++) out += (j > 0 ? ',' : '') + JSON.stringify(jsonNumber(a[j]));
  return out + ']';
}

const VECTORS: readonly VectorParamName[] = ['b', 'c', 'h0'];

/** Parameter p's gradient: a matrix as rows (read transposed for layout=row, as the user's matrices are), a vector flat. */
export function gradRows(trace: VectorTrace, p: VectorParamName, layout: WeightsLayout): number[] | number[][] {
  const g = trace.grads[p];
  const [rows, cols] = paramShape(p, trace.model);
  if (VECTORS.includes(p)) return Array.from(g);
  const out: number[][] = [];
  if (layout === 'row') for (let j = 0; j < cols; j++) out.push(Array.from({ length: rows }, (_, i) => g[i * cols + j]));
  else for (let i = 0; i < rows; i++) out.push(Array.from(g.subarray(i * cols, (i + 1) * cols)));
  return out;
}

function gradsJson(trace: VectorTrace, layout: WeightsLayout): string {
  const parts = VECTOR_PARAM_NAMES.map((p) => {
    const rows = gradRows(trace, p, layout);
    const text = VECTORS.includes(p) ? vec(rows as number[]) : `[${(rows as number[][]).map(vec).join(',')}]`;
    return `"${p}":${text}`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * The JSON document piece by piece (a long trace never exists as one string).
 * @param lines 0-based source line of each step
 */
export function* vectorJsonChunks(trace: VectorTrace, lines: Int32Array, layout: WeightsLayout, withSteps: boolean): Generator<string> {
  const { model } = trace;
  const crossEntropy = model.loss === 'cross_entropy';
  const head = { n: model.n, m: model.m, k: model.k, phi: model.phi, theta: model.theta, loss: model.loss, reduction: model.reduction, layout };
  yield `{"model":${JSON.stringify(head)},"T":${trace.T},"loss":${JSON.stringify(jsonNumber(trace.loss))},` +
    `"grads":${gradsJson(trace, layout)},"firstNonFinite":${trace.firstNonFinite ?? 'null'}`;
  if (!withSteps) {
    yield '}\n';
    return;
  }
  yield ',"steps":[';
  const BATCH = 1024;
  let out = '';
  for (let i = 0; i < trace.T; i++) {
    const v = vectorStepValues(trace, i);
    out += `${i > 0 ? ',' : ''}{"t":${v.t},"line":${lines[i] + 1},"x":${vec(v.x)},` +
      (crossEntropy ? `"class":${v.cls === null ? 'null' : JSON.stringify(jsonNumber(v.cls))},` : `"y":${v.y === null ? 'null' : vec(v.y)},`) +
      `"s":${vec(v.s)},"h":${vec(v.h)},"yhat":${vec(v.yhat)},` +
      (v.probs ? `"probs":${vec(v.probs)},` : '') +
      `"loss":${v.loss === null ? 'null' : JSON.stringify(jsonNumber(v.loss))},"dL_dyhat":${vec(v.dL_dyhat)},` +
      `"dL_dh":${vec(v.dL_dh)},"dL_dh_local":${vec(v.dL_dh_local)},"dL_dh_recurrent":${vec(v.dL_dh_recurrent)},"dL_ds":${vec(v.dL_ds)}}`;
    if ((i + 1) % BATCH === 0) {
      yield out;
      out = '';
    }
  }
  yield out + ']}\n';
}

/** A number as the table prints it: 6 significant digits. */
function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : ' '.repeat(w - s.length) + s;
}

/** At most this many rows and columns of a gradient are printed. */
const SHOWN = 8;

function matrixText(rows: number[] | number[][]): string {
  const list = typeof rows[0] === 'number' || rows.length === 0 ? [rows as number[]] : (rows as number[][]);
  const lines = list.slice(0, SHOWN).map((r) => '    [' + r.slice(0, SHOWN).map((v) => pad(num(v), 12)).join(' ') + (r.length > SHOWN ? '  …' : '') + ' ]');
  if (list.length > SHOWN) lines.push(`    … ${list.length - SHOWN} more rows`);
  return lines.join('\n');
}

/** The readable output: the model, L, the per-step norms (first and last `rows` steps, 0: all) and every gradient. */
export function* vectorSummaryChunks(trace: VectorTrace, lines: Int32Array, layout: WeightsLayout, file: string, rows: number): Generator<string> {
  const { model, T } = trace;
  yield `${file}: vector RNN, n = ${model.n} hidden units, m = ${model.m} input${model.m === 1 ? '' : 's'}, k = ${model.k} output${model.k === 1 ? '' : 's'}; ` +
    `phi=${model.phi} theta=${model.theta} loss=${model.loss} reduction=${model.reduction} layout=${layout}\n` +
    `T = ${T} steps, ${trace.nTargets} with a target\n\n`;
  const cols = ['t', 'line', '‖h_t‖', 'loss', '‖∂L/∂h_t‖', '‖local‖', '‖recurrent‖', '‖∂L/∂s_t‖'];
  let out = cols.map((c) => pad(c, 12)).join(' ') + '\n';
  const show = (i: number) => {
    const v = vectorStepValues(trace, i);
    const cells = [String(v.t), String(lines[i] + 1), num(v.norms.h), v.loss === null ? '' : num(v.loss), num(v.norms.dL_dh), num(v.norms.dL_dh_local), num(v.norms.dL_dh_recurrent), num(v.norms.dL_ds)];
    out += cells.map((c) => pad(c, 12)).join(' ') + '\n';
  };
  const all = rows === 0 || T <= 2 * rows;
  for (let i = 0; i < (all ? T : rows); i++) show(i);
  if (!all) {
    out += `${pad('…', 12)} (${T - 2 * rows} steps not shown; --rows 0 shows all)\n`;
    for (let i = T - rows; i < T; i++) show(i);
  }
  yield out;
  let grads = `\nL = ${num(trace.loss)}${trace.firstNonFinite !== null ? `   (first non-finite value at t = ${trace.firstNonFinite})` : ''}\n`;
  for (const p of VECTOR_PARAM_NAMES) {
    const [r, c] = paramShape(p, model);
    const shape = layout === 'row' && !VECTORS.includes(p) ? `${c}×${r}, row layout` : `${r}×${c}`;
    grads += `∂L/∂${p} (${shape}), norm ${num(norm2(trace.grads[p]))}\n${matrixText(gradRows(trace, p, layout))}\n`;
  }
  yield grads;
}
