/**
 * bptt-lens check FILE --grads GRADS — the user's gradient tensors (.npz / .safetensors / JSON:
 * dW dV db dU dc dh0 and per-step dL_dh, dL_ds, or PyTorch's / a NumPy assignment's names) against
 * exact BPTT on FILE's model: the first mismatch in compute order (step and unit), and the known
 * mistake that reproduces the user's numbers. A scalar file is the vector model with n = m = k = 1.
 */
import { readFile } from 'node:fs/promises';
import { jsonNumber } from '../core';
import type { Model } from '../core/model';
import type { VectorModel, VectorTrace } from '../core/vector/model';
import { runVectorChecks, type VectorCheckOptions, type VectorCheckReport, type VectorMismatch } from '../check/vector';
import { readTensorFile, type TensorEntry } from '../parse/weights';
import { formatNumber } from '../shared/format';
import { EXIT_CHECK_FAILED, EXIT_OK, InputError, readErrorMessage, shown } from './errors';
import { stdout } from './output';

/** The scalar model as the vector one at n = m = k = 1. */
export function scalarAsVector(model: Model): VectorModel {
  const one = (v: number) => Float64Array.of(v);
  return { n: 1, m: 1, k: 1, W: one(model.w), V: one(model.v), b: one(model.b), U: one(model.u), c: one(model.c), h0: one(model.h0), phi: model.phi, theta: model.theta, loss: model.loss, reduction: model.reduction };
}

/** Every tensor of the gradients file, or an InputError that names the file and what was wrong. */
export async function readGrads(path: string): Promise<TensorEntry[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new InputError(readErrorMessage(path, e));
  }
  const r = await readTensorFile(bytes, path);
  if (!r.ok) throw new InputError(r.problems.map((p) => `${shown(path)}: ${p.tensor && !p.message.includes(p.tensor) ? `${p.tensor}: ` : ''}${p.message}`).join('\n'));
  return r.tensors;
}

function mismatchJson(m: VectorMismatch | null): unknown {
  return m && { name: m.name, quantity: m.quantity, t: m.t, unit: m.unit, index: m.index, user: jsonNumber(m.user), exact: jsonNumber(m.exact) };
}

/** The --json document. t is 1-based (null for totals); unit and index are 0-based, as the user's arrays index. */
export function vectorCheckJson(report: VectorCheckReport, grads: string): unknown {
  return {
    ok: report.ok,
    grads,
    firstMismatch: mismatchJson(report.firstMismatch),
    diagnosis: report.diagnosis.map(({ code, message }) => ({ code, message })),
    tensors: report.tensors.map((t) => ({
      name: t.name, quantity: t.quantity, shape: t.shape, ok: t.ok,
      shapeError: t.shapeError && { found: t.shapeError.found, expected: t.shapeError.expected, message: t.shapeError.message },
      compared: t.compared, mismatches: t.mismatches, maxRelErr: jsonNumber(t.maxRelErr),
      firstMismatch: mismatchJson(t.firstMismatch),
      diagnosis: t.diagnosis.map(({ code, message }) => ({ code, message })),
    })),
    ignored: report.ignored,
  };
}

const f = (n: number) => formatNumber(n, 6);
const SYMBOL: Record<string, string> = { dL_dh: '∂L/∂h', dL_ds: '∂L/∂s', W: '∂L/∂W', V: '∂L/∂V', b: '∂L/∂b', U: '∂L/∂U', c: '∂L/∂c', h0: '∂L/∂h0' };

function where(m: VectorMismatch): string {
  const at = `${m.name}[${m.index.join(', ')}]`;
  if (m.t !== null) return `${SYMBOL[m.quantity]}_${m.t} at t = ${m.t}, unit ${m.unit} (${at})`;
  return `${SYMBOL[m.quantity]} (${at}${m.unit === null ? '' : `, unit ${m.unit}`})`;
}

/** The readable report: where the error enters, the diagnosis, then one line per tensor. */
export function vectorCheckText(file: string, grads: string, report: VectorCheckReport): string[] {
  const lines: string[] = [];
  const m = report.firstMismatch;
  const shapes = report.tensors.filter((t) => t.shapeError);
  if (report.ok) lines.push(`${file}: ✓ the gradients in ${grads} are exact BPTT's`);
  else if (m) lines.push(`${file}: ✗ ${grads}: the error enters at ${where(m)}: yours ${f(m.user)}, exact ${f(m.exact)}`);
  else lines.push(`${file}: ✗ ${grads}: ${shapes.length} tensor${shapes.length === 1 ? '' : 's'} of the wrong shape`);
  if (!report.ok) {
    if (report.diagnosis.length === 0) lines.push('    no known mistake reproduces these values');
    for (const d of report.diagnosis) lines.push(`    ${d.code}: ${d.message}`);
  }
  for (const t of report.tensors) {
    const head = `  ${t.ok ? '✓' : '✗'} ${t.name} (${SYMBOL[t.quantity]})`;
    if (t.shapeError) lines.push(`${head}: ${t.shapeError.message}`);
    else if (t.ok) lines.push(`${head}: all ${t.compared} values hold`);
    else lines.push(`${head}: ${t.mismatches} of ${t.compared} values differ, largest relative error ${f(t.maxRelErr)}; first at ${where(t.firstMismatch!)}${t.diagnosis.length > 0 ? `; reproduced by ${t.diagnosis.map((d) => d.code).join(', ')}` : ''}`);
  }
  for (const i of report.ignored) lines.push(`  · ${i.message}`);
  const bad = report.tensors.filter((t) => !t.ok).length;
  lines.push(`checks: ${report.tensors.length - bad} ✓ ${bad} ✗`);
  return lines;
}

/** Reads GRADS, checks it against the trace, prints; exit 0 when every tensor holds, 1 otherwise. */
export async function checkGrads(file: string, gradsPath: string, trace: VectorTrace, options: VectorCheckOptions, json: boolean): Promise<number> {
  const tensors = await readGrads(gradsPath);
  const report = runVectorChecks(trace, tensors, options);
  if (report.tensors.length === 0) {
    throw new InputError(`${shown(gradsPath)}: no gradient this check knows: ${report.ignored.map((i) => `"${shown(i.name)}"`).join(', ') || 'the file is empty'}; expected dW dV db dU dc dh0 dL_dh dL_ds, PyTorch's state-dict names or dWh dWx`);
  }
  if (json) await stdout().write(JSON.stringify(vectorCheckJson(report, gradsPath)) + '\n');
  else await stdout().write(vectorCheckText(shown(file), shown(gradsPath), report).join('\n') + '\n');
  return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}
