/**
 * runVectorChecks: the user's gradient tensors (a .npz / .safetensors / JSON of dW dV db dU dc dh0
 * and per-step dL_dh, dL_ds) against exact BPTT on the vector RNN, with where the error enters
 * (step and unit) and the known mistake that reproduces the user's numbers.
 */
import type { VectorShape, VectorTrace } from '../../core/vector/model';
import type { TensorEntry, WeightsLayout } from '../../parse/weights/types';
import { truncationCandidates } from '../catalogue';
import { close, relErr, tolFor, type Tol } from '../tolerance';
import type { Diagnosis } from '../types';
import { VECTOR_CATALOGUE, transposedShapeMessage, vectorTruncatedMessage, type VectorForm } from './catalogue';
import { KNOWN_NAMES, VECTOR_QUANTITIES, asMatrix, claimedQuantities, isMatrix, ourShape, toOurLayout, userShape, type VectorQuantity } from './names';
import type { VectorCheckOptions, VectorCheckReport, VectorMismatch, VectorTensorResult } from './types';
import { allocVariant, exactOf, runVariant, type VectorVariant } from './variant';

/** A float32 tensor cannot be closer than float32 rounding; its sums over steps add a little more. */
const F32_RTOL = 1e-5;
const F32_FLOOR = 1e-6;
const F64_FLOOR = 1e-9;

function isFloat32(dtype: string): boolean {
  return /^(F32|[<>=|]?f4|float32)$/i.test(dtype);
}

/** One tensor that fits, in our layout, with its exact values and its tolerance. */
interface Compared {
  result: VectorTensorResult;
  data: Float64Array;
  tol: Tol;
  /** Columns in our layout, for the user's index of a mismatch. */
  cols: number;
}

function exactValues(q: VectorQuantity, exact: VectorVariant): Float64Array {
  return q === 'dL_dh' ? exact.dL_dh : q === 'dL_ds' ? exact.dL_ds : exact.grads[q];
}

/** The position of our element o (row-major, `cols` columns) in the user's array. */
function userIndex(q: VectorQuantity, o: number, cols: number, shape: readonly number[], layout: WeightsLayout): number[] {
  const r = Math.floor(o / cols), c = o % cols;
  if (shape.length <= 1) return [o];
  if (layout === 'row' && isMatrix(q)) return [c, r];
  return shape[0] === 1 && cols === 1 ? [0, r] : [r, c];
}

function fits(found: readonly number[], expected: readonly number[]): boolean {
  const f = asMatrix(found), e = asMatrix(expected);
  if (!f || !e) return false;
  if (f[0] === e[0] && f[1] === e[1]) return true;
  // A vector may come as [r], [r, 1] or [1, r].
  return e[1] === 1 && f[0] === 1 && f[1] === e[0];
}

function dims(q: VectorQuantity, layout: WeightsLayout): string {
  const ours: Record<VectorQuantity, string> = { dL_dh: 'T×n', dL_ds: 'T×n', W: 'n×n', V: 'n×m', U: 'k×n', b: 'n', c: 'k', h0: 'n' };
  if (layout === 'row' && isMatrix(q)) return ours[q].split('×').reverse().join('×');
  return ours[q];
}

function emptyResult(t: TensorEntry, quantity: VectorQuantity): VectorTensorResult {
  return { name: t.name, quantity, shape: [...t.shape], dtype: t.dtype, ok: true, shapeError: null, compared: 0, mismatches: 0, maxRelErr: 0, firstMismatch: null, diagnosis: [] };
}

/** Compares every value in compute order (t = T down to 1 for per-step values, per unit). */
function compare(c: Compared, exact: Float64Array, T: number, layout: WeightsLayout): void {
  const r = c.result;
  const perStep = r.quantity === 'dL_dh' || r.quantity === 'dL_ds';
  const rows = perStep ? T : exact.length / c.cols;
  for (let i = perStep ? rows - 1 : 0; perStep ? i >= 0 : i < rows; perStep ? i-- : i++) {
    for (let j = 0; j < c.cols; j++) {
      const o = i * c.cols + j;
      r.compared++;
      const e = relErr(c.data[o], exact[o]);
      if (e > r.maxRelErr) r.maxRelErr = e;
      if (close(c.data[o], exact[o], 17, c.tol)) continue;
      r.mismatches++;
      if (r.firstMismatch) continue;
      const unit = perStep ? j : r.quantity === 'U' ? j : r.quantity === 'c' ? null : i;
      r.firstMismatch = {
        name: r.name, quantity: r.quantity, t: perStep ? i + 1 : null, unit,
        index: userIndex(r.quantity, o, c.cols, r.shape, layout), user: c.data[o], exact: exact[o],
      };
    }
  }
  r.ok = r.mismatches === 0;
}

/** Compute order: per-step from t = T down (∂L/∂h_t before ∂L/∂s_t, per unit), then the totals. */
function orderKey(m: VectorMismatch, T: number): number[] {
  const rank = VECTOR_QUANTITIES.indexOf(m.quantity);
  return m.t === null ? [T + 1, rank, 0] : [T - m.t, rank, m.unit ?? 0];
}

function earlier(a: VectorMismatch, b: VectorMismatch, T: number): boolean {
  const ka = orderKey(a, T), kb = orderKey(b, T);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i];
  return false;
}

/** Does the variant reproduce the tensor (from our element oLo on)? */
function reproduces(c: Compared, v: VectorVariant, oLo = 0): boolean {
  const values = exactValues(c.result.quantity, v);
  for (let o = oLo; o < values.length; o++) if (!close(c.data[o], values[o], 17, c.tol)) return false;
  return true;
}

/** Steps looked at first, from the last target back: most variants already differ there. */
const QUICK = 256;

export function runVectorChecks(trace: VectorTrace, tensors: readonly TensorEntry[], options: VectorCheckOptions = {}): VectorCheckReport {
  const layout = options.layout ?? 'column';
  const E = exactOf(trace);
  const exact = runVariant(E, {}, allocVariant(E));
  const shape: VectorShape = E;
  const ignored: VectorCheckReport['ignored'] = [];
  const results: VectorTensorResult[] = [];
  const compared: Compared[] = [];
  // Tensors whose shape is the transpose of the right one, with the transposed exact values.
  const transposed = new Set<VectorTensorResult>();

  const { claims, left, problems } = claimedQuantities(tensors);
  for (const t of left) ignored.push({ name: t.name, message: `${t.name}: not a gradient name this check knows (${KNOWN_NAMES})` });
  for (const p of problems) ignored.push({ name: p.tensor ?? '', message: p.message });
  for (const [t, q] of claims) {
    const r = emptyResult(t, q);
    results.push(r);
    const expected = userShape(q, shape, E.T, layout);
    const ex = exactValues(q, exact);
    const [rows, cols] = ourShape(q, shape, E.T);
    if (!fits(t.shape, expected) || t.data.length !== rows * cols) {
      if (shapeProblem(r, t, expected, ex, layout, options)) transposed.add(r);
      continue;
    }
    const c: Compared = { result: r, data: toOurLayout(t, q, layout), tol: toleranceOf(t.dtype, options, maxAbs(ex)), cols };
    compare(c, ex, E.T, layout);
    compared.push(c);
  }

  results.sort((a, b) => VECTOR_QUANTITIES.indexOf(a.quantity) - VECTOR_QUANTITIES.indexOf(b.quantity));
  let firstMismatch: VectorMismatch | null = null;
  for (const r of results) if (r.firstMismatch && (!firstMismatch || earlier(r.firstMismatch, firstMismatch, E.T))) firstMismatch = r.firstMismatch;
  const ok = results.every((r) => r.ok);
  const diagnosis = !ok && options.diagnose !== false ? diagnose(E, compared, results, transposed, firstMismatch) : [];
  return { ok, tensors: results, firstMismatch, diagnosis, ignored };
}

/**
 * Records what was found and what was expected. A matrix whose shape is the transpose of the right
 * one (possible only where it is not square) is named transposed_outer when its values, read the
 * other way round, are ours: returns true then.
 */
function shapeProblem(r: VectorTensorResult, t: TensorEntry, expected: number[], ex: Float64Array, layout: WeightsLayout, options: VectorCheckOptions): boolean {
  r.ok = false;
  const found = [...t.shape];
  const isTransposed = isMatrix(r.quantity) && found.length === 2 && found[0] === expected[1] && found[1] === expected[0] && t.data.length === ex.length;
  const message = isTransposed
    ? transposedShapeMessage(t.name, found, expected)
    : `${t.name} has shape ${found.join('×') || 'scalar'} where ${expected.join('×')} (${dims(r.quantity, layout)}) belongs`;
  r.shapeError = { found, expected, message };
  if (!isTransposed) return false;
  const data = toOurLayout(t, r.quantity, layout === 'row' ? 'column' : 'row');
  const tol = toleranceOf(t.dtype, options, maxAbs(ex));
  for (let o = 0; o < ex.length; o++) if (!close(data[o], ex[o], 17, tol)) return false;
  r.diagnosis = [{ code: 'transposed_outer', message: VECTOR_CATALOGUE.find((e) => e.code === 'transposed_outer')!.message }];
  return true;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]) > m) m = Math.abs(a[i]);
  return m;
}

/** rtol/atol as given, never tighter than the dtype allows; the floor scales with the tensor's largest exact value. */
function toleranceOf(dtype: string, options: VectorCheckOptions, scale: number): Tol {
  const f32 = isFloat32(dtype);
  const base = tolFor(Math.max(options.rtol ?? 0, f32 ? F32_RTOL : 0), options.atol, 0);
  return { rtol: base.rtol, abs: base.abs + (f32 ? F32_FLOOR : F64_FLOOR) * scale };
}

/**
 * Every catalogue variant, run through the whole recursion, against every tensor that fits. A
 * tensor's diagnosis lists the entries that reproduce it; the report's, those that reproduce all.
 */
function diagnose(E: ReturnType<typeof exactOf>, compared: Compared[], results: VectorTensorResult[], transposed: Set<VectorTensorResult>, first: VectorMismatch | null): Diagnosis[] {
  const ks = first?.t != null ? truncationCandidates(first.t, E.lastT) : Array.from({ length: Math.max(0, Math.min(E.T, 65) - 2) }, (_, i) => i + 2);
  const perTensor = compared.map(() => new Map<number, number | undefined>());
  const all = new Map<number, number | undefined>();
  const buf = allocVariant(E);
  const perStep = compared.filter((c) => c.result.quantity === 'dL_dh' || c.result.quantity === 'dL_ds');
  VECTOR_CATALOGUE.forEach((entry, e) => {
    const jobs: { form: VectorForm; k?: number }[] = entry.code === 'truncated' ? ks.map((k) => ({ form: { trunc: k }, k })) : entry.forms(E).map((form) => ({ form }));
    for (const { form, k } of jobs) {
      // A variant that misses the per-step values in the last steps explains neither them nor the totals they sum.
      const iLo = Math.max(0, E.lastT - QUICK);
      if (iLo > 0 && perStep.length > 0) {
        runVariant(E, form, buf, iLo);
        if (!perStep.every((c) => reproduces(c, buf, iLo * E.n))) continue;
      }
      runVariant(E, form, buf);
      let every = true;
      compared.forEach((c, i) => {
        const yes = reproduces(c, buf);
        every &&= yes;
        if (yes && !c.result.ok && !perTensor[i].has(e)) perTensor[i].set(e, k);
      });
      // A tensor of transposed shape is reproduced only by the transposed outer product.
      for (const r of results) if (r.shapeError) every &&= transposed.has(r) && entry.code === 'transposed_outer';
      if (every && !all.has(e)) all.set(e, k);
    }
  });
  const named = (m: Map<number, number | undefined>): Diagnosis[] =>
    [...m.entries()].sort((a, b) => a[0] - b[0]).map(([e, k]) => {
      const { code, message } = VECTOR_CATALOGUE[e];
      return k === undefined ? { code, message } : { code, message: vectorTruncatedMessage(k), k };
    });
  compared.forEach((c, i) => { if (!c.result.ok) c.result.diagnosis = named(perTensor[i]); });
  return named(all);
}
