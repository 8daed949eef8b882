/**
 * Check my gradients on a vector-model document (issue 11): the file's `grads=PATH` names the
 * user's gradients (.npz / .safetensors / JSON), read like the weights (relative to the sequence
 * file, never outside the workspace) and checked against the exact trace with runVectorChecks.
 * The Problems panel gets the verdict and the diagnosis at the grads= text, and an error on the
 * row of the step where the error enters. Pure (no `vscode`); nothing throws.
 */
import type { CheckOptions } from '../../check';
import { runVectorChecks, type VectorCheckReport, type VectorMismatch } from '../../check/vector';
import type { VectorTrace } from '../../core/vector/model';
import type { ParsedVectorSequence, SourceLoc } from '../../parse/vector/types';
import type { TensorEntry, TensorFileResult } from '../../parse/weights';
import { formatNumber } from '../../shared/format';
import { UNKNOWN_MISTAKE } from '../checkProblems';
import type { Problem, ProblemRange } from '../problems';
import { resolveWeightsPath } from './weightsPath';

/** Diagnostic codes: a grads file that cannot be read or holds no gradient, and a check that passes. */
export const BAD_GRADS = 'check_bad_grads';
export const GRADS_OK = 'check_ok';

/** Significant digits in the messages (as the scalar checks' Problems). */
const DIGITS = 4;

export interface GradsCheck {
  /** The file as written after grads=. */
  path: string;
  /** Absent when the file could not be read or holds no gradient this check knows. */
  report: VectorCheckReport | undefined;
  problems: Problem[];
}

/** What the check needs from the editor: the sequence's URI path, the workspace roots, a reader. */
export interface GradsAccess {
  sequencePath: string;
  roots: readonly string[];
  read(path: string): Promise<Uint8Array>;
}

const SYMBOL: Record<string, string> = { dL_dh: '∂L/∂h', dL_ds: '∂L/∂s', W: '∂L/∂W', V: '∂L/∂V', b: '∂L/∂b', U: '∂L/∂U', c: '∂L/∂c', h0: '∂L/∂h0' };
const f = (n: number): string => formatNumber(n, DIGITS);

/** "∂L/∂h_11, t = 11 (line 17), unit 0 (dL_dh[10, 0])" or "∂L/∂W (dWh[3, 1], unit 1)". */
export function mismatchWhere(m: VectorMismatch, parsed: ParsedVectorSequence): string {
  const at = `${m.name}[${m.index.join(', ')}]`;
  if (m.t === null) return `${SYMBOL[m.quantity]} (${at}${m.unit === null ? '' : `, unit ${m.unit}`})`;
  const line = parsed.line[m.t - 1];
  return `${SYMBOL[m.quantity]}_${m.t}, t = ${m.t}${line >= 0 ? ` (line ${line + 1})` : ''}, unit ${m.unit} (${at})`;
}

function diagnosisText(report: VectorCheckReport): string {
  if (report.diagnosis.length === 0) return 'no known mistake reproduces these values';
  return report.diagnosis.map((d) => `${d.code}: ${d.message}`).join(' Or ');
}

/** The verdict at grads=: what failed, the mistake that reproduces it, where the error enters. */
export function gradsMessage(path: string, report: VectorCheckReport, parsed: ParsedVectorSequence): string {
  const total = report.tensors.length;
  const bad = report.tensors.filter((t) => !t.ok);
  const skipped = report.ignored.length > 0 ? ` (not compared: ${report.ignored.map((i) => i.message).join('; ')})` : '';
  if (report.ok) return `grads ${path}: ✓ all ${total} gradients (${report.tensors.map((t) => t.name).join(' ')}) are exact BPTT's${skipped}`;
  const head = `grads ${path}: ✗ ${bad.length} of ${total} gradients differ from exact BPTT`;
  const m = report.firstMismatch;
  const shapes = bad.filter((t) => t.shapeError).map((t) => t.shapeError!.message);
  const enters = m ? ` — enters at ${mismatchWhere(m, parsed)}: yours ${f(m.user)}, exact ${f(m.exact)}` : '';
  const shapeText = shapes.length > 0 ? ` ${shapes.join('. ')}.` : '';
  return `${head}. ${diagnosisText(report)}${enters}.${shapeText}${skipped}`;
}

function locRange(at: SourceLoc | undefined): ProblemRange {
  return at ? { kind: 'lineCol', line: at.line, col: at.col, endLine: at.endLine, endCol: at.endCol } : { kind: 'lineCol', line: 0, col: 0, endLine: 0, endCol: 0 };
}

/** The Problems for a finished check: at grads=, and at the row of the step where the error enters. */
export function gradsProblems(path: string, report: VectorCheckReport, parsed: ParsedVectorSequence): Problem[] {
  const range = locRange(parsed.grads?.at);
  if (report.ok) return [{ severity: 'information', message: gradsMessage(path, report, parsed), range, code: GRADS_OK }];
  const code = report.diagnosis[0]?.code ?? UNKNOWN_MISTAKE;
  const out: Problem[] = [{ severity: 'error', message: gradsMessage(path, report, parsed), range, code }];
  const m = report.firstMismatch;
  if (m && m.t !== null) {
    const i = m.t - 1;
    const why = report.diagnosis.length > 0 ? report.diagnosis.map((d) => d.code).join(' or ') : 'no known mistake reproduces it';
    out.push({
      severity: 'error',
      message: `${path}: the error in your gradients enters here, at ${mismatchWhere(m, parsed)}: yours ${f(m.user)}, exact ${f(m.exact)} — ${why}`,
      range: { kind: 'offsets', start: parsed.rowStart[i], end: parsed.rowEnd[i], line: parsed.line[i] },
      code,
    });
  }
  return out;
}

/** undefined when the file names no grads. Reads, checks and words the result; every failure is a located error. */
export async function checkVectorGrads(
  parsed: ParsedVectorSequence,
  trace: VectorTrace,
  io: GradsAccess,
  readTensors: (bytes: Uint8Array, fileName: string) => Promise<TensorFileResult>,
  check: CheckOptions = {},
): Promise<GradsCheck | undefined> {
  const grads = parsed.grads;
  if (!grads) return undefined;
  const path = grads.path.trim();
  const failed = (message: string): GradsCheck => ({ path, report: undefined, problems: [{ severity: 'error', message, range: locRange(grads.at), code: BAD_GRADS }] });
  const target = resolveWeightsPath(io.sequencePath, grads.path, io.roots, 'grads');
  if (!target.ok) return failed(target.message);
  let bytes: Uint8Array;
  try {
    bytes = await io.read(target.path);
  } catch (e) {
    return failed(`cannot read gradients file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const read = await readTensors(bytes, path);
  if (!read.ok) return failed(read.problems.map((p) => `${path}: ${p.tensor && !p.message.includes(p.tensor) ? `${p.tensor}: ` : ''}${p.message}`).join('; '));
  const tensors: TensorEntry[] = read.tensors;
  const report = runVectorChecks(trace, tensors, { rtol: check.rtol, atol: check.atol, layout: parsed.settings.layout });
  if (report.tensors.length === 0) {
    const names = report.ignored.map((i) => `"${i.name}"`).join(', ') || 'the file is empty';
    return failed(`${path}: no gradient this check knows: ${names}; expected dW dV db dU dc dh0 dL_dh dL_ds, PyTorch's state-dict names or dWh dWx`);
  }
  return { path, report, problems: gradsProblems(path, report, parsed) };
}

/** The CodeLens / status bar entry of a grads= check, as the scalar checks' "checks: 2 ✓ 1 ✗" (failing: opens Problems). */
export function gradsSummary(g: GradsCheck | undefined): { text: string; ok: boolean; tooltip: string; command: string } | undefined {
  if (!g) return undefined;
  const r = g.report;
  if (!r) return { text: `grads: ✗ ${g.path} unreadable`, ok: false, tooltip: `The gradients file ${g.path} could not be checked. Click to see why in the Problems panel.`, command: 'workbench.actions.view.problems' };
  const bad = r.tensors.filter((t) => !t.ok).length;
  const why = r.diagnosis.length > 0 ? ` — ${r.diagnosis.map((d) => d.code).join(' or ')}` : '';
  return r.ok
    ? { text: `grads: ${r.tensors.length} ✓ 0 ✗`, ok: true, tooltip: `Every gradient in ${g.path} is exact BPTT's.`, command: 'workbench.actions.view.problems' }
    : { text: `grads: ${r.tensors.length - bad} ✓ ${bad} ✗${why}`, ok: false, tooltip: `Some gradients in ${g.path} differ from exact BPTT. Click to see where and why in the Problems panel.`, command: 'workbench.actions.view.problems' };
}
