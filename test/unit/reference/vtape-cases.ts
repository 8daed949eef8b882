/**
 * Seeded random vector models and sequences for the vector tests, and the comparison with the
 * vector tape (test/unit/reference/vtape.ts), with the tolerance of bptt-reference.test.ts:
 * finite values pass when |a − b| ≤ TOL·max(|a|, |b|, (16·u/TOL)·mag), mag being the tape's
 * first-order rounding-error magnitude (units of u); non-finite values must agree by Object.is.
 */
import * as assert from 'assert';
import { referenceVectorBptt } from '../../../src/core/vector/reference';
import type { VectorLossName, VectorModel, VectorSequenceData } from '../../../src/core/vector/model';
import type { PhiName, ReductionName, ThetaName } from '../../../src/core/model';
import { UNIT_ROUNDOFF as U, type Ref } from './tape';
import type { VSpec } from './vtape';
import { mulberry32 } from './rng';

export const TOL = 1e-9;
const SCALE_PER_MAG = (16 * U) / TOL;

export type TargetMode = 'all' | 'random' | 'none' | 'last' | 'sparse';

export interface VCase {
  label: string;
  model: VectorModel;
  data: VectorSequenceData;
}

export interface CaseShape {
  n: number;
  m: number;
  k: number;
  T: number;
  phi: PhiName;
  theta: ThetaName;
  loss: VectorLossName;
  reduction: ReductionName;
  /** Spectral scale of W (default: drawn in [0.3, 1.4]). */
  gain?: number;
  /** Scale of V·x (default 1): large values saturate φ. */
  inputScale?: number;
  mode?: TargetMode;
}

/** A random model and sequence; for bce, U and c keep ŷ inside (0, 1) as the scalar tests do. */
export function makeVectorCase(seed: number, shape: CaseShape): VCase {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const { n, m, k, T } = shape;
  const fill = (len: number, lo: number, hi: number) => Float64Array.from({ length: len }, () => uni(lo, hi));
  const gain = shape.gain ?? uni(0.3, 1.4);
  const inScale = shape.inputScale ?? 1;
  // Entries of W uniform in ±√3·gain/√n: rows of norm ≈ gain, so ‖W‖₂ is of the order of gain.
  const wa = (Math.sqrt(3) * gain) / Math.sqrt(n);
  const model: VectorModel = {
    n, m, k,
    W: fill(n * n, -wa, wa),
    V: fill(n * m, -inScale / Math.sqrt(m), inScale / Math.sqrt(m)),
    b: fill(n, -0.5, 0.5),
    U: fill(k * n, -1.5 / Math.sqrt(n), 1.5 / Math.sqrt(n)),
    c: fill(k, -0.5, 0.5),
    h0: fill(n, -1, 1),
    phi: shape.phi,
    theta: shape.loss === 'cross_entropy' ? 'identity' : shape.theta,
    loss: shape.loss,
    reduction: shape.reduction,
  };
  const yw = shape.loss === 'cross_entropy' ? 1 : k;
  const x = fill(T * m, -2, 2);
  const y = new Float64Array(T * yw);
  const hasY = new Uint8Array(T);
  const q = r();
  const mode: TargetMode = shape.mode ?? (q < 0.3 ? 'all' : q < 0.65 ? 'random' : q < 0.72 ? 'none' : q < 0.86 ? 'last' : 'sparse');
  for (let i = 0; i < T; i++) {
    hasY[i] = mode === 'all' ? 1 : mode === 'random' ? (r() < 0.6 ? 1 : 0) : mode === 'sparse' ? (r() < 0.1 ? 1 : 0) : 0;
    for (let j = 0; j < yw; j++) {
      if (shape.loss === 'cross_entropy') y[i] = Math.floor(r() * k);
      else if (shape.loss === 'bce') y[i * yw + j] = r() < 0.1 ? 0 : r() < 0.1 ? 1 : r();
      else y[i * yw + j] = uni(-2, 2);
    }
  }
  if (mode === 'last' && T > 0) hasY[T - 1] = 1;
  const data: VectorSequenceData = { T, x, y, hasY };
  if (shape.loss === 'bce' && T > 0) {
    // h does not depend on U or c: one pass gives its range. Keep |U·h| ≤ lim around a centre c.
    const hs = referenceVectorBptt(model, data).h;
    let hMax = 1e-300;
    for (let j = 0; j < hs.length; j++) hMax = Math.max(hMax, Math.abs(hs[j]));
    const [lim, lo, hi] =
      model.theta === 'sigmoid' ? [8, -2, 2] : model.theta === 'tanh' ? [0.4, 0.5, 1.0] : model.theta === 'softplus' ? [0.4, -1.5, -1.0] : [0.35, 0.4, 0.6];
    for (let j = 0; j < k * n; j++) model.U[j] = (uni(-1, 1) * lim) / (n * hMax);
    for (let j = 0; j < k; j++) model.c[j] = uni(lo, hi);
  }
  const label = `seed=0x${seed.toString(16)} n=${n} m=${m} k=${k} T=${T} φ=${model.phi} θ=${model.theta} ${shape.loss}/${shape.reduction} targets=${mode}`;
  return { label, model, data };
}

/** The model as the tape reads it (the same names and layout). */
export function specOf(model: VectorModel): VSpec {
  return model;
}

export const stats = { compared: 0, worstNormalized: 0, worstAt: '', infForNaN: 0 };

/** got against the tape's value, to TOL or to 16× the rounding error of the same mathematics. */
export function cmp(ctx: string, got: number, ref: Ref, strict = true): void {
  stats.compared++;
  if (!Number.isFinite(got) || !Number.isFinite(ref.v)) {
    // Outside the strict (finite) cases, a tape NaN admits ±∞: the tape's compositions can turn
    // ∞·φ'(s) into ∞ − ∞ (softsign's z/(1 + |z|) has two paths back to z) where the derivative is ∞.
    const infForNaN = !strict && Number.isNaN(ref.v) && Math.abs(got) === Infinity;
    if (infForNaN) stats.infForNaN++;
    else if (!Object.is(got, ref.v)) assert.fail(`${ctx} = ${got}, tape ${ref.v}`);
    return;
  }
  let mag = ref.mag;
  if (!(mag >= 0 && mag < Infinity)) {
    if (strict) assert.fail(`${ctx}: tape error magnitude is ${ref.mag}`);
    mag = 0;
  }
  const diff = Math.abs(got - ref.v);
  if (diff === 0) return;
  const scale = Math.max(Math.abs(got), Math.abs(ref.v), SCALE_PER_MAG * mag);
  if (diff / scale > stats.worstNormalized) {
    stats.worstNormalized = diff / scale;
    stats.worstAt = ctx;
  }
  if (!(diff <= TOL * scale)) assert.fail(`${ctx} = ${got}, tape ${ref.v} (|diff| ${diff}, allowed ${TOL * scale}, magnitude ${ref.mag}u)`);
}

/** Each component of a vector against the tape. */
export function cmpVec(ctx: string, got: ArrayLike<number>, ref: Ref[], strict = true): void {
  assert.strictEqual(got.length, ref.length, `${ctx}: length`);
  for (let j = 0; j < ref.length; j++) cmp(`${ctx}[${j}]`, got[j], ref[j], strict);
}
