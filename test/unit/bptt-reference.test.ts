/**
 * BPTT (src/core) against an independent reverse-mode AD tape (test/unit/reference/tape.ts) and
 * against central finite differences, on many seeded random models and on hand-built edge cases.
 *
 * How values are compared
 * -----------------------
 * Finite values pass when |a − b| ≤ TOL·max(|a|, |b|, S), TOL = 1e-9, with
 *     S = (16·u/TOL)·mag,
 * where mag is the tape's first-order rounding-error magnitude of that quantity (units of
 * u = 2⁻⁵³): the "sum of |terms|" of every rounding along the computation (subtraction a − b
 * contributes |a| + |b|, a saturated tanh' = 1 − a² contributes 1 + a², and so on; see tape.ts).
 * So a comparison passes if the two agree to 1e-9 relative, OR if their difference is within 16×
 * the rounding error that any evaluation of the same mathematics in double precision can have
 * (2 implementations × ≤ 2u per transcendental rounding × a further 4× margin). The second
 * branch only matters under catastrophic cancellation (∂L/∂h = local + recurrent of opposite
 * signs, ŷ ≈ y, saturated derivatives computed from the activation's output); on a benign model
 * 16·u·mag is ~1e-13·|value| (tape.test.ts checks this), so it does not make the test vacuous.
 * Non-finite values must agree with Object.is semantics (NaN with NaN, +∞ with +∞).
 *
 * Finite differences
 * ------------------
 * D(h) = (L(p+h) − L(p−h))/(2h), h = 1e-6·|p| (relative), checked as
 *     |g − D(h)| ≤ 1e-5·max(|g|, |D(h)|) + 8u·mag(L)/(2h) + |D(h) − D(2h)|:
 * the relative tolerance, the rounding error of the two loss evaluations, and 3× the truncation
 * error estimated by Richardson (D(2h) − D(h) = 3·c·h² + O(h⁴)). FD is skipped when a kink
 * (relu/leaky argument s_t or z_t crossing 0, abs at ŷ = y, huber at |ŷ − y| = δ) is crossed
 * anywhere in [p − 2h, p + 2h]: the central difference there averages the two one-sided slopes
 * and is not the derivative under the PyTorch convention. Skips are counted and reported.
 */
import * as assert from 'assert';
import { runBptt, stepValues, PHI_NAMES, THETA_NAMES, LOSS_NAMES, REDUCTION_NAMES } from '../../src/core';
import type { Model, SequenceData, StepValues, Trace, NumericKey } from '../../src/core';
import { forwardRnn, rnnReference, UNIT_ROUNDOFF as U, type Ref, type Reference } from './reference/tape';
import { mulberry32 } from './reference/rng';

const TOL = 1e-9;
const ROUND_FACTOR = 16;
const SCALE_PER_MAG = (ROUND_FACTOR * U) / TOL;
const KEYS: NumericKey[] = ['w', 'v', 'b', 'u', 'c', 'h0'];

// ---------------------------------------------------------------------------------------------
// Seeded PRNG and case generation
// ---------------------------------------------------------------------------------------------

type TargetMode = 'all' | 'random' | 'none' | 'last' | 'sparse';

interface Case {
  seed: number;
  model: Model;
  data: SequenceData;
  mode: TargetMode;
}

const BOUNDED_PHI = new Set(['tanh', 'sigmoid', 'softsign']);

function makeCase(seed: number, phi: Model['phi'], theta: Model['theta'], lossName: Model['loss'], reduction: Model['reduction'], T: number): Case {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const sgn = () => (r() < 0.5 ? -1 : 1);
  const wMax = BOUNDED_PHI.has(phi) ? 3 : T > 100 ? 0.95 : 1.4;
  const wMag = r() < 0.5 || wMax < 1.05 ? uni(0.05, Math.min(0.95, wMax)) : uni(1.05, wMax); // |w| < 1 and > 1
  const model: Model = {
    w: sgn() * wMag,
    v: uni(-2, 2),
    b: uni(-1, 1),
    u: uni(-2, 2),
    c: uni(-1, 1),
    h0: uni(-1, 1),
    phi,
    theta,
    loss: lossName,
    reduction,
  };
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  const m = r();
  const mode: TargetMode = m < 0.25 ? 'all' : m < 0.6 ? 'random' : m < 0.7 ? 'none' : m < 0.85 ? 'last' : 'sparse';
  for (let i = 0; i < T; i++) {
    x[i] = uni(-2, 2);
    if (lossName === 'bce') {
      const q = r();
      y[i] = q < 0.1 ? 0 : q < 0.2 ? 1 : r();
    } else {
      y[i] = uni(-2, 2);
    }
    hasY[i] = mode === 'all' ? 1 : mode === 'random' ? (r() < 0.6 ? 1 : 0) : mode === 'sparse' ? (r() < 0.1 ? 1 : 0) : 0;
  }
  if (mode === 'last') hasY[T - 1] = 1;

  if (lossName === 'bce') {
    // Keep ŷ inside (0, 1). h does not depend on u or c, so one forward pass gives its range.
    const hs = forwardRnn(model, x, y, hasY).h;
    const hMax = Math.max(1e-300, ...hs.map(Math.abs), Math.abs(model.h0));
    const uMax = (lim: number) => lim / hMax;
    switch (theta) {
      case 'sigmoid': // any z works, but stay away from z where σ rounds to exactly 0 or 1
        model.u = sgn() * Math.min(Math.abs(model.u), uMax(20));
        model.c = uni(-3, 3);
        break;
      case 'identity':
      case 'relu': // z ∈ (0.05, 0.95)
        model.c = uni(0.4, 0.6);
        model.u = sgn() * uni(0, 1) * uMax(0.35);
        break;
      case 'tanh': // z ∈ (0.1, 1.4): tanh(z) ∈ (0.09, 0.89)
        model.c = uni(0.5, 1.0);
        model.u = sgn() * uni(0, 1) * uMax(0.4);
        break;
      case 'softplus': // z ∈ (−2, −0.6): softplus(z) ∈ (0.12, 0.44)
        model.c = uni(-1.5, -1.0);
        model.u = sgn() * uni(0, 1) * uMax(0.4);
        break;
    }
  }
  return { seed, model, data: { x, y, hasY }, mode };
}

const describeCase = (c: Case) =>
  `seed=0x${c.seed.toString(16)} φ=${c.model.phi} θ=${c.model.theta} ${c.model.loss}/${c.model.reduction} T=${c.data.x.length} targets=${c.mode}`;

// ---------------------------------------------------------------------------------------------
// Comparison against the tape
// ---------------------------------------------------------------------------------------------

const stats = {
  cases: 0,
  compared: 0,
  worstNormalized: 0,
  worstNormalizedAt: '',
  worstPlainRel: 0, // |a − b|/max(|a|, |b|) where there is no cancellation (S ≤ max(|a|, |b|))
  worstPlainRelAt: '',
  worstUlps: 0, // |a − b|/(u·mag)
  fdChecked: 0,
  fdTight: 0,
  fdSkippedKink: 0,
  /** Worst normalized error per quantity (L, the six parameters, and each per-step value). */
  byQuantity: {} as Record<string, number>,
};

/** False only inside the hand-built ±∞/NaN cases (see cmp). */
let strictMagnitudes = true;

function cmp(ctx: string, qty: string, got: number, ref: Ref): void {
  stats.compared++;
  if (!Number.isFinite(got) || !Number.isFinite(ref.v)) {
    if (!Object.is(got, ref.v)) assert.fail(`${ctx}: ${qty} = ${got}, tape ${ref.v}`);
    return;
  }
  let mag = ref.mag;
  if (!(mag >= 0 && mag < Infinity)) {
    // The first-order error model breaks down once an intermediate is ±∞ (0·∞ in a magnitude, or
    // a magnitude that overflows while the value does not). Random cases never get there; the
    // hand-built non-finite cases then compare to the plain 1e-9 relative tolerance.
    if (strictMagnitudes) assert.fail(`${ctx}: ${qty}: tape error magnitude is ${ref.mag}`);
    mag = 0;
  }
  const diff = Math.abs(got - ref.v);
  const big = Math.max(Math.abs(got), Math.abs(ref.v));
  const S = SCALE_PER_MAG * mag;
  const scale = Math.max(big, S);
  if (diff === 0) return;
  const normalized = diff / scale;
  const key = qty.startsWith('∂L/∂') && qty.length <= 6 ? 'params' : qty;
  if (!(normalized <= (stats.byQuantity[key] ?? 0))) stats.byQuantity[key] = normalized;
  if (normalized > stats.worstNormalized) {
    stats.worstNormalized = normalized;
    stats.worstNormalizedAt = `${ctx} ${qty}`;
  }
  if (S <= big && diff / big > stats.worstPlainRel) {
    stats.worstPlainRel = diff / big;
    stats.worstPlainRelAt = `${ctx} ${qty}`;
  }
  if (mag > 0 && diff / (U * mag) > stats.worstUlps) stats.worstUlps = diff / (U * mag);
  if (!(diff <= TOL * scale)) {
    assert.fail(`${ctx}: ${qty} = ${got}, tape ${ref.v} (|diff| ${diff}, allowed ${TOL * scale}, error magnitude ${ref.mag}u)`);
  }
}

/** Same (Object.is, except +0 and −0 count as equal). */
function same(a: number, b: number): boolean {
  return a === b || Object.is(a, b);
}

const STEP_QTYS = ['s', 'h', 'hPrev', 'yhat', 'dL_dyhat', 'thetaPrime', 'phiPrime', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds'] as const;

/** Every value of the trace against the tape, plus the exact identities the trace promises. */
function compareWithTape(ctx: string, model: Model, data: SequenceData, trace: Trace, ref: Reference): void {
  const T = data.x.length;
  assert.strictEqual(trace.T, T);
  assert.strictEqual(trace.nTargets, ref.graph.nTargets, `${ctx}: nTargets`);
  cmp(ctx, 'L', trace.loss, ref.loss);
  for (const k of KEYS) cmp(ctx, `∂L/∂${k}`, trace.grads[k], ref.grads[k]);
  for (let i = 0; i < T; i++) {
    const sv: StepValues = stepValues(trace, i);
    const rs = ref.steps[i];
    const at = `${ctx} t=${i + 1}`;
    if (sv.t !== i + 1 || !same(sv.x, data.x[i])) assert.fail(`${at}: t/x`);
    const has = data.hasY[i] === 1;
    if (has !== (sv.y !== null) || has !== (sv.loss !== null) || has !== (rs.loss !== null)) assert.fail(`${at}: target presence`);
    if (has && !same(sv.y as number, data.y[i])) assert.fail(`${at}: y`);
    for (const q of STEP_QTYS) cmp(at, q, sv[q] as number, rs[q]);
    if (sv.loss !== null && rs.loss !== null) cmp(at, 'loss', sv.loss, rs.loss);
    // Exact identities, at every step.
    if (!Object.is(sv.dL_dh, sv.dL_dh_local + sv.dL_dh_recurrent)) assert.fail(`${at}: dL_dh !== local + recurrent`);
    if (!Object.is(sv.dL_ds, sv.dL_dh * sv.phiPrime)) assert.fail(`${at}: dL_ds !== dL_dh·φ'`);
    if (!Object.is(sv.s, trace.s[i]) || !Object.is(sv.h, trace.h[i]) || !Object.is(sv.dL_ds, trace.dL_ds[i])) assert.fail(`${at}: stepValues vs trace arrays`);
    if (!has && sv.dL_dyhat !== 0) assert.fail(`${at}: ∂L/∂ŷ at a step without target`);
    if (i + 1 === T && sv.dL_dh_recurrent !== 0 && Number.isFinite(model.w)) assert.fail(`${at}: recurrent part at t = T`);
  }
  // ∂L/∂h0 = w·∂L/∂s_1, exactly.
  if (T > 0 && !Object.is(trace.grads.h0, model.w * trace.dL_ds[0])) assert.fail(`${ctx}: ∂L/∂h0 !== w·∂L/∂s_1`);
}

// ---------------------------------------------------------------------------------------------
// Finite differences
// ---------------------------------------------------------------------------------------------

/** Which side of every kink the forward pass is on (relu/leaky at s or z = 0, abs at d = 0, huber at |d| = δ). */
function kinkSignature(model: Model, data: SequenceData): string {
  const tr = runBptt(model, data);
  const parts: number[] = [];
  const reluLike = (f: string) => f === 'relu' || f === 'leaky_relu';
  for (let i = 0; i < tr.T; i++) {
    if (reluLike(model.phi)) parts.push(tr.s[i] > 0 ? 1 : tr.s[i] < 0 ? -1 : 0);
    if (model.theta === 'relu') {
      const z = model.u * tr.h[i] + model.c;
      parts.push(z > 0 ? 1 : z < 0 ? -1 : 0);
    }
    if (data.hasY[i] === 1 && (model.loss === 'abs' || model.loss === 'huber')) {
      const d = stepValues(tr, i).yhat - data.y[i];
      if (model.loss === 'abs') parts.push(d > 0 ? 1 : d < 0 ? -1 : 0);
      else parts.push(Math.abs(d) < 1 ? -1 : Math.abs(d) > 1 ? 1 : 0);
    }
  }
  return parts.join('');
}

type FdResult = { status: 'ok'; D: number; tol: number } | { status: 'kink' };

function finiteDifference(model: Model, data: SequenceData, key: NumericKey, lossMag: number): FdResult {
  const p = model[key];
  // Relative step (a floor only for a parameter at ~0): with the bce cases' tiny u (ŷ kept in
  // (0, 1) for large h_t) an absolute 1e-6 step in u would move ŷ out of the domain.
  const h = 1e-6 * Math.max(Math.abs(p), 1e-9);
  const at = (q: number): Model => ({ ...model, [key]: q });
  const sig0 = kinkSignature(model, data);
  for (const q of [p - 2 * h, p - h, p + h, p + 2 * h]) {
    if (kinkSignature(at(q), data) !== sig0) return { status: 'kink' };
  }
  const pp = p + h, pm = p - h, pp2 = p + 2 * h, pm2 = p - 2 * h;
  const L = (q: number) => runBptt(at(q), data).loss;
  const D1 = (L(pp) - L(pm)) / (pp - pm);
  const D2 = (L(pp2) - L(pm2)) / (pp2 - pm2);
  const round = (8 * U * lossMag) / (pp - pm);
  return { status: 'ok', D: D1, tol: round + Math.abs(D1 - D2) };
}

function checkFd(ctx: string, c: Case, trace: Trace, ref: Reference): void {
  for (const k of KEYS) {
    const fd = finiteDifference(c.model, c.data, k, ref.loss.mag);
    if (fd.status === 'kink') {
      stats.fdSkippedKink++;
      continue;
    }
    const g = trace.grads[k];
    const rel = 1e-5 * Math.max(Math.abs(g), Math.abs(fd.D));
    stats.fdChecked++;
    if (fd.tol <= rel) stats.fdTight++;
    if (!(Math.abs(g - fd.D) <= rel + fd.tol)) {
      assert.fail(`${ctx}: ∂L/∂${k} = ${g}, central FD = ${fd.D} (|diff| ${Math.abs(g - fd.D)}, allowed ${rel + fd.tol})`);
    }
  }
}

function runCase(c: Case, withFd = true): { trace: Trace; ref: Reference } {
  const ctx = describeCase(c);
  const trace = runBptt(c.model, c.data);
  const ref = rnnReference(c.model, c.data.x, c.data.y, c.data.hasY);
  assert.ok(Number.isFinite(trace.loss), `${ctx}: loss ${trace.loss} (case generator must keep values finite)`);
  assert.strictEqual(trace.firstNonFinite, null, `${ctx}: firstNonFinite`);
  compareWithTape(ctx, c.model, c.data, trace, ref);
  if (withFd) checkFd(ctx, c, trace, ref);
  stats.cases++;
  return { trace, ref };
}

// ---------------------------------------------------------------------------------------------

describe('BPTT vs reference tape and finite differences: random models', function () {
  this.timeout(60000);

  // Every φ × θ × loss × reduction, twice: once with T = 1 + (combination index mod 60) so
  // every length 1..60 occurs, once with a random length.
  let k = 0;
  for (const phi of PHI_NAMES) {
    for (const theta of THETA_NAMES) {
      for (const lossName of LOSS_NAMES) {
        for (const reduction of REDUCTION_NAMES) {
          for (let rep = 0; rep < 2; rep++) {
            const seed = 0x5eed0000 + 2 * k + rep;
            const lenRng = mulberry32(seed ^ 0x9e3779b9);
            const T = rep === 0 ? 1 + (k % 60) : 1 + Math.floor(lenRng() * 60);
            const c = makeCase(seed, phi, theta, lossName, reduction, T);
            it(describeCase(c), () => {
              runCase(c);
            });
          }
          k++;
        }
      }
    }
  }

  // A few long sequences (T = 2000), one per φ, with the remaining choices drawn from the seed.
  PHI_NAMES.forEach((phi, i) => {
    const seed = 0x10ce0000 + i;
    const r = mulberry32(seed ^ 0x51ed);
    const theta = THETA_NAMES[Math.floor(r() * THETA_NAMES.length)];
    const lossName = LOSS_NAMES[Math.floor(r() * LOSS_NAMES.length)];
    const reduction = REDUCTION_NAMES[i % 2];
    const c = makeCase(seed, phi, theta, lossName, reduction, 2000);
    it(`long: ${describeCase(c)}`, () => {
      runCase(c);
    });
  });

  it('finite differences were informative: most FD error bounds are below the 1e-5 relative tolerance', () => {
    // Loose ones are gradients that are ~0 (vanishing ∂L/∂h0 over a long sequence, a dead relu
    // output θ): there FD still checks |g| ≤ its absolute rounding/truncation error.
    assert.ok(stats.fdChecked >= 6 * 600, `${stats.fdChecked} FD checks`);
    assert.ok(stats.fdTight >= 0.6 * stats.fdChecked, `${stats.fdTight}/${stats.fdChecked} tight`);
    assert.ok(stats.worstNormalized <= TOL);
  });

  after(() => {
    console.log(
      `      [bptt-reference] ${stats.cases} random cases, ${stats.compared} values compared with the tape; ` +
        `worst normalized error ${stats.worstNormalized.toExponential(2)} (${stats.worstNormalizedAt}); ` +
        `worst plain relative error without cancellation ${stats.worstPlainRel.toExponential(2)} (${stats.worstPlainRelAt}); ` +
        `worst |diff|/(u·mag) ${stats.worstUlps.toFixed(3)}; FD: ${stats.fdChecked} checked ` +
        `(${stats.fdTight} with error bound ≤ 1e-5 rel), ${stats.fdSkippedKink} skipped at a kink\n      [bptt-reference] worst per quantity: ` +
        Object.entries(stats.byQuantity)
          .map(([q, e]) => `${q} ${e.toExponential(1)}`)
          .join(', '),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-built cases
// ---------------------------------------------------------------------------------------------

const BASE: Model = { w: 0.5, v: 2, b: 0.1, u: 3, c: -1, h0: 0.4, phi: 'identity', theta: 'identity', loss: 'squared', reduction: 'sum' };

function seq(x: number[], y: number[], hasY: number[]): SequenceData {
  return { x: Float64Array.from(x), y: Float64Array.from(y), hasY: Uint8Array.from(hasY) };
}

function relClose(a: number, b: number, rel: number, msg: string): void {
  if (!(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)))) assert.fail(`${msg}: ${a} vs ${b}`);
}

/** Compares the trace with the tape and returns both. */
function againstTape(label: string, model: Model, data: SequenceData): { trace: Trace; ref: Reference } {
  const trace = runBptt(model, data);
  const ref = rnnReference(model, data.x, data.y, data.hasY);
  compareWithTape(label, model, data, trace, ref);
  return { trace, ref };
}

/** 1-based first step where any per-step value of the tape (or x, y) is non-finite, or null. */
function tapeFirstNonFinite(ref: Reference, data: SequenceData, forwardOnly = false): number | null {
  for (let i = 0; i < ref.steps.length; i++) {
    const st = ref.steps[i];
    const vals = [data.x[i], st.s.v, st.h.v, st.hPrev.v, st.yhat.v];
    if (data.hasY[i] === 1) vals.push(data.y[i]);
    if (st.loss) vals.push(st.loss.v);
    if (!forwardOnly) vals.push(st.dL_dyhat.v, st.thetaPrime.v, st.phiPrime.v, st.dL_dh.v, st.dL_dh_local.v, st.dL_dh_recurrent.v, st.dL_ds.v);
    if (vals.some((v) => !Number.isFinite(v))) return i + 1;
  }
  return null;
}

describe('BPTT: closed forms by hand', () => {
  it('T = 1, identity φ and θ, squared loss: L and all six gradients', () => {
    // s = 0.5·0.4 + 2·1.5 + 0.1 = 3.3; ŷ = 3·3.3 − 1 = 8.9; e = ŷ − y = 6.9; L = ½e² = 23.805
    const tr = runBptt(BASE, seq([1.5], [2], [1]));
    relClose(tr.s[0], 3.3, 1e-15, 's');
    relClose(stepValues(tr, 0).yhat, 8.9, 1e-15, 'ŷ');
    relClose(tr.loss, 23.805, 1e-14, 'L');
    relClose(tr.grads.u, 6.9 * 3.3, 1e-14, '∂L/∂u = e·s');
    relClose(tr.grads.c, 6.9, 1e-14, '∂L/∂c = e');
    relClose(tr.grads.w, 6.9 * 3 * 0.4, 1e-14, '∂L/∂w = e·u·h0');
    relClose(tr.grads.v, 6.9 * 3 * 1.5, 1e-14, '∂L/∂v = e·u·x');
    relClose(tr.grads.b, 6.9 * 3, 1e-14, '∂L/∂b = e·u');
    relClose(tr.grads.h0, 6.9 * 3 * 0.5, 1e-14, '∂L/∂h0 = e·u·w');
    assert.strictEqual(stepValues(tr, 0).dL_dh_recurrent, 0);
  });

  it('T = 3, identity, mean over the 2 steps with targets: ∂L/∂h_t split into local and recurrent parts', () => {
    const m: Model = { ...BASE, reduction: 'mean' };
    const x = [1.5, -0.5, 0.25], y = [2, 0, 1];
    const { w, v, b, u, c, h0 } = m;
    const s1 = w * h0 + v * x[0] + b, s2 = w * s1 + v * x[1] + b, s3 = w * s2 + v * x[2] + b;
    const e1 = u * s1 + c - y[0], e3 = u * s3 + c - y[2];
    const tr = runBptt(m, seq(x, y, [1, 0, 1]));
    relClose(tr.loss, (0.5 * e1 * e1 + 0.5 * e3 * e3) / 2, 1e-14, 'L');
    const ds3 = (u * e3) / 2, ds2 = w * ds3, ds1 = (u * e1) / 2 + w * ds2;
    relClose(tr.dL_ds[2], ds3, 1e-14, '∂L/∂s3');
    relClose(tr.dL_ds[1], ds2, 1e-14, '∂L/∂s2');
    relClose(tr.dL_ds[0], ds1, 1e-14, '∂L/∂s1');
    relClose(stepValues(tr, 0).dL_dh_local, (u * e1) / 2, 1e-14, 'local₁');
    relClose(stepValues(tr, 0).dL_dh_recurrent, w * ds2, 1e-14, 'recurrent₁');
    assert.strictEqual(stepValues(tr, 1).dL_dh_local, 0);
    relClose(tr.grads.w, ds1 * h0 + ds2 * s1 + ds3 * s2, 1e-14, '∂L/∂w');
    relClose(tr.grads.h0, w * ds1, 1e-14, '∂L/∂h0 = w·∂L/∂s1');
    relClose(tr.grads.u, (e1 * s1 + e3 * s3) / 2, 1e-14, '∂L/∂u');
  });

  it('T = 0: L = 0, every gradient 0, no non-finite step', () => {
    const { trace } = againstTape('T=0', BASE, seq([], [], []));
    assert.strictEqual(trace.loss, 0);
    for (const k of KEYS) assert.strictEqual(trace.grads[k], 0);
    assert.strictEqual(trace.firstNonFinite, null);
  });
});

describe('BPTT: reductions', () => {
  it('mean = sum / (steps with a target), exactly for L and to the rounding of 1/N for every ∂L/∂ŷ_t', () => {
    let compared = 0;
    for (let i = 0; i < 200; i++) {
      const c = makeCase(0x3ea40000 + i, PHI_NAMES[i % 7], THETA_NAMES[i % 5], LOSS_NAMES[(i >> 1) % 5], 'sum', 1 + (i % 40));
      const N = c.data.hasY.reduce((a, h) => a + h, 0);
      const sum = runBptt(c.model, c.data);
      const mean = runBptt({ ...c.model, reduction: 'mean' }, c.data);
      const ctx = describeCase(c);
      assert.strictEqual(mean.nTargets, N, ctx);
      if (N === 0) {
        assert.strictEqual(mean.loss, 0, ctx);
        for (const k of KEYS) assert.ok(mean.grads[k] === 0, `${ctx} ∂L/∂${k}`); // ±0
        continue;
      }
      compared++;
      assert.strictEqual(mean.loss, sum.loss / N, `${ctx}: mean L is exactly sum L / N`);
      for (let t = 0; t < c.data.x.length; t++) {
        const a = stepValues(mean, t).dL_dyhat, b = stepValues(sum, t).dL_dyhat / N;
        assert.ok(Math.abs(a - b) <= 2 * U * Math.abs(b), `${ctx} t=${t + 1}: ∂L/∂ŷ mean ${a} vs sum/N ${b}`);
      }
      // Gradients: sum/N with the tape's error scale of the mean gradient (abs loss sums ±1/N, which can cancel).
      const ref = rnnReference({ ...c.model, reduction: 'mean' }, c.data.x, c.data.y, c.data.hasY);
      for (const k of KEYS) cmp(`${ctx} mean vs sum/N`, `∂L/∂${k}`, mean.grads[k], { v: sum.grads[k] / N, mag: ref.grads[k].mag });
    }
    assert.ok(compared > 100);
  });
});

describe('BPTT: saturation, dead units, vanishing and exploding gradients', () => {
  const xs = (T: number, seed: number, lo = -1, hi = 1) => {
    const r = mulberry32(seed);
    return Array.from({ length: T }, () => lo + (hi - lo) * r());
  };

  for (const [phi, bias, hSat] of [['tanh', 1e3, 1], ['tanh', -1e3, -1], ['sigmoid', 1e3, 1], ['sigmoid', -1e3, 0], ['tanh', 1e300, 1]] as const) {
    it(`${phi} with s ≈ ${bias}: h = ${hSat} exactly, φ' = 0, ∂L/∂s = 0 and ∂L/∂{w,v,b,h0} = 0, no NaN`, () => {
      const m: Model = { ...BASE, phi, b: bias, w: 0.9, v: 0.5 };
      const T = 20;
      const { trace } = againstTape(`${phi} b=${bias}`, m, seq(xs(T, 1), xs(T, 2), Array(T).fill(1)));
      for (let i = 0; i < T; i++) {
        const sv = stepValues(trace, i);
        assert.strictEqual(sv.h, hSat);
        assert.ok(sv.phiPrime === 0, `φ' ${sv.phiPrime}`);
        assert.ok(sv.dL_ds === 0, `∂L/∂s ${sv.dL_ds}`);
      }
      for (const k of ['w', 'v', 'b', 'h0'] as const) assert.ok(trace.grads[k] === 0, `∂L/∂${k} = ${trace.grads[k]}`);
      assert.ok(Number.isFinite(trace.grads.u) && Number.isFinite(trace.grads.c) && trace.grads.c !== 0);
      assert.strictEqual(trace.firstNonFinite, null);
    });
  }

  it('near saturation (tanh s ≈ 18, sigmoid s ≈ −30): gradients tiny but nonzero, finite, and match the tape', () => {
    const T = 30;
    const { trace: tt } = againstTape('tanh s≈18', { ...BASE, phi: 'tanh', b: 18, w: 0.3, v: 0.2 }, seq(xs(T, 3), xs(T, 4), Array(T).fill(1)));
    for (let i = 0; i < T; i++) {
      const sv = stepValues(tt, i);
      assert.ok(sv.phiPrime >= 0 && sv.phiPrime < 1e-13, `tanh' ${sv.phiPrime}`);
      assert.ok(Math.abs(sv.dL_ds) <= 1e-13 * Math.abs(sv.dL_dh));
    }
    // σ' = a(1 − a) is relatively accurate on the negative side: check to 1e-12 relative, not just to the error scale.
    const m: Model = { ...BASE, phi: 'sigmoid', b: -30, w: 0.3, v: 0.2 };
    const data = seq(xs(T, 5), xs(T, 6), Array(T).fill(1));
    const { trace: ts, ref } = againstTape('sigmoid s≈−30', m, data);
    for (let i = 0; i < T; i++) {
      const sv = stepValues(ts, i);
      assert.ok(sv.phiPrime > 1e-15 && sv.phiPrime < 1e-12, `σ' ${sv.phiPrime}`);
      relClose(sv.phiPrime, ref.steps[i].phiPrime.v, 1e-12, `σ' t=${i + 1}`);
      relClose(sv.dL_ds, ref.steps[i].dL_ds.v, 1e-12, `∂L/∂s t=${i + 1}`);
    }
    relClose(ts.grads.w, ref.grads.w.v, 1e-12, '∂L/∂w');
  });

  it('dead relu: every s_t < 0 ⇒ h = 0 and ∂L/∂s_t, ∂L/∂{w,v,b,h0,u} exactly 0; leaky_relu keeps slope 0.01', () => {
    const T = 30;
    const data = seq(xs(T, 7, -2, 2), xs(T, 8), Array(T).fill(1));
    const m: Model = { ...BASE, phi: 'relu', w: 0.8, v: 0.5, b: -3, h0: 0.5 }; // s ≤ 0.4 + 1 − 3 < 0
    const { trace } = againstTape('dead relu', m, data);
    for (let i = 0; i < T; i++) {
      assert.ok(trace.s[i] < 0 && trace.h[i] === 0);
      assert.ok(trace.dL_ds[i] === 0, `∂L/∂s_${i + 1} = ${trace.dL_ds[i]}`);
      assert.ok(stepValues(trace, i).dL_dh !== 0); // the gradient arrives, and stops at φ
    }
    for (const k of ['w', 'v', 'b', 'h0', 'u'] as const) assert.ok(trace.grads[k] === 0, `∂L/∂${k} = ${trace.grads[k]}`);
    assert.ok(trace.grads.c !== 0);
    const { trace: lk } = againstTape('leaky', { ...m, phi: 'leaky_relu' }, data);
    for (let i = 0; i < T; i++) {
      const sv = stepValues(lk, i);
      assert.strictEqual(sv.phiPrime, 0.01);
      assert.ok(sv.dL_ds !== 0);
    }
  });

  it('vanishing: tanh, w = 0.5, T = 200, one target at the end ⇒ |∂L/∂s_1| tiny but finite, nonzero, and equal to the tape', () => {
    const T = 200;
    const hasY = Array(T).fill(0);
    hasY[T - 1] = 1;
    const m: Model = { ...BASE, phi: 'tanh', w: 0.5, v: 0.5, b: 0 };
    const { trace, ref } = againstTape('vanishing', m, seq(xs(T, 9), xs(T, 10), hasY));
    const g1 = trace.dL_ds[0];
    assert.ok(Number.isFinite(g1) && g1 !== 0 && Math.abs(g1) < 1e-60, `∂L/∂s_1 = ${g1}`);
    relClose(g1, ref.steps[0].dL_ds.v, 1e-9, '∂L/∂s_1 vs tape');
    for (let t = T - 1; t > 0; t--) {
      // No local term before T: |∂L/∂s_{t−1}| = |w|·|∂L/∂s_t|·φ' ≤ |w|·|∂L/∂s_t| (up to rounding).
      assert.ok(Math.abs(trace.dL_ds[t - 1]) <= 0.5 * Math.abs(trace.dL_ds[t]) * (1 + 4 * U));
    }
  });

  it('exploding: identity φ and θ, w = 1.5, T = 200 ⇒ ∂L/∂s_t = e_T·u·w^{T−t} (closed form) and equal to the tape', () => {
    const T = 200;
    const hasY = Array(T).fill(0);
    hasY[T - 1] = 1;
    const m: Model = { ...BASE, w: 1.5, v: 0.5, b: 0.1, u: 0.7 };
    const data = seq(xs(T, 11), xs(T, 12), hasY);
    const { trace } = againstTape('exploding', m, data);
    const eT = stepValues(trace, T - 1).yhat - data.y[T - 1];
    for (let t = 1; t <= T; t++) relClose(trace.dL_ds[t - 1], eT * m.u * Math.pow(m.w, T - t), 1e-12, `∂L/∂s_${t}`);
    assert.ok(Math.abs(trace.dL_ds[0]) > 1e30 && Number.isFinite(trace.grads.w));
  });
});

describe('BPTT: NaN and ±∞', () => {
  before(() => {
    strictMagnitudes = false;
  });
  after(() => {
    strictMagnitudes = true;
  });
  const r = mulberry32(0xbad);
  const X = Array.from({ length: 40 }, () => -1 + 2 * r());
  const Y = Array.from({ length: 40 }, () => -1 + 2 * r());

  it('x_k = NaN: s_k is NaN, s_{<k} finite, origin at (k, x); firstNonFinite is the first non-finite step of the tape', () => {
    const k = 12, T = 30;
    const x = X.slice(0, T);
    x[k - 1] = NaN;
    const data = seq(x, Y.slice(0, T), Array(T).fill(1));
    const { trace, ref } = againstTape('NaN x', { ...BASE, phi: 'tanh', w: 0.8 }, data);
    assert.ok(Number.isNaN(trace.s[k - 1]));
    for (let i = 0; i < k - 1; i++) assert.ok(Number.isFinite(trace.s[i]) && Number.isFinite(trace.h[i]));
    assert.deepStrictEqual(trace.nonFiniteOrigin, { t: k, quantity: 'x', value: NaN });
    // With targets after k, the NaN also flows back through ∂L/∂h_{k−1} = … + w·∂L/∂s_k, so the
    // smallest step with a non-finite value is 1, not k.
    assert.strictEqual(tapeFirstNonFinite(ref, data), 1);
    assert.strictEqual(trace.firstNonFinite, 1);
  });

  it('x_k = NaN with no target at or after k (identity φ, θ): firstNonFinite === k', () => {
    const k = 9, T = 20;
    const x = X.slice(0, T);
    x[k - 1] = NaN;
    const hasY = Array.from({ length: T }, (_, i) => (i < k - 1 ? 1 : 0));
    const data = seq(x, Y.slice(0, T), hasY);
    const trace = runBptt({ ...BASE, w: 0.8 }, data);
    const ref = rnnReference({ ...BASE, w: 0.8 }, data.x, data.y, data.hasY);
    assert.strictEqual(tapeFirstNonFinite(ref, data), k);
    assert.strictEqual(trace.firstNonFinite, k);
    assert.strictEqual(trace.nonFiniteOrigin?.t, k);
    assert.ok(Number.isNaN(trace.s[k - 1]));
    // Steps ≥ k never reach L, so, as in autodiff, their NaN stays out of L and every gradient.
    cmp('NaN x, early targets', 'L', trace.loss, ref.loss);
    for (const key of KEYS) cmp('NaN x, early targets', `∂L/∂${key}`, trace.grads[key], ref.grads[key]);
    for (let i = 0; i < k - 1; i++) {
      const sv = stepValues(trace, i), rs = ref.steps[i];
      for (const q of STEP_QTYS) cmp(`NaN x, early targets t=${i + 1}`, q, sv[q] as number, rs[q]);
    }
  });

  it('x_k = +∞ with tanh: s_k = ∞ but h_k = 1 (finite); firstNonFinite = k; everything matches the tape (Object.is)', () => {
    const k = 7, T = 15;
    const x = X.slice(0, T);
    x[k - 1] = Infinity;
    const data = seq(x, Y.slice(0, T), Array(T).fill(1));
    const m: Model = { ...BASE, phi: 'tanh', v: 0.6, w: 0.9 };
    const { trace, ref } = againstTape('Inf x tanh', m, data);
    assert.strictEqual(trace.s[k - 1], Infinity);
    assert.strictEqual(trace.h[k - 1], 1);
    for (let i = k; i < T; i++) assert.ok(Number.isFinite(trace.h[i]) && Number.isFinite(stepValues(trace, i).dL_ds));
    assert.strictEqual(trace.firstNonFinite, k);
    assert.strictEqual(tapeFirstNonFinite(ref, data), k);
    assert.deepStrictEqual(trace.nonFiniteOrigin, { t: k, quantity: 'x', value: Infinity });
    assert.ok(Number.isFinite(trace.loss));
  });

  it('overflow: identity φ, w = 10, T = 400 reaches ±∞; every value matches the tape, non-finite ones by Object.is', () => {
    for (const [w, label] of [[10, 'w=10'], [-10, 'w=−10']] as const) {
      const T = 400;
      const rr = mulberry32(0x0f10 + (w > 0 ? 1 : 0));
      const x = Array.from({ length: T }, () => -1 + 2 * rr());
      const y = Array.from({ length: T }, () => -1 + 2 * rr());
      const data = seq(x, y, Array(T).fill(1));
      const m: Model = { ...BASE, w, v: 1, b: 0.1, h0: 0.3 };
      const { trace, ref } = againstTape(`overflow ${label}`, m, data);
      assert.ok(trace.s.some((s) => !Number.isFinite(s)), 'the forward pass must overflow');
      const first = tapeFirstNonFinite(ref, data);
      assert.strictEqual(typeof trace.firstNonFinite, 'number');
      assert.strictEqual(trace.firstNonFinite, first);
      const fwd = tapeFirstNonFinite(ref, data, true) as number;
      const origin = trace.nonFiniteOrigin;
      assert.ok(origin !== null);
      assert.strictEqual(origin.t, fwd, 'origin is the first step with a non-finite forward value');
      const rs = ref.steps[fwd - 1];
      const tapeVal: Record<string, number | undefined> = { x: x[fwd - 1], y: y[fwd - 1], s: rs.s.v, h: rs.h.v, yhat: rs.yhat.v, loss: rs.loss?.v };
      assert.ok(origin.quantity in tapeVal, `origin quantity ${origin.quantity}`);
      assert.ok(Object.is(origin.value, tapeVal[origin.quantity]) && !Number.isFinite(origin.value));
    }
  });

  it('bce with ŷ exactly 1 and y = 0 ⇒ loss +∞ (sigmoid saturated at z = 40, and identity θ with ŷ = 1)', () => {
    const T = 5;
    const hasY = [0, 0, 1, 0, 0];
    const data = seq(X.slice(0, T), [0, 0, 0, 0, 0], hasY);
    const m: Model = { ...BASE, phi: 'tanh', theta: 'sigmoid', loss: 'bce', u: 0.1, c: 40 };
    const tr = runBptt(m, data);
    assert.strictEqual(stepValues(tr, 2).yhat, 1);
    assert.strictEqual(stepValues(tr, 2).loss, Infinity);
    assert.strictEqual(tr.loss, Infinity);
    assert.deepStrictEqual(tr.nonFiniteOrigin, { t: 3, quantity: 'loss', value: Infinity });
    assert.strictEqual(rnnReference(m, data.x, data.y, data.hasY).loss.v, Infinity);
    const mi: Model = { ...m, theta: 'identity', u: 0, c: 1 };
    assert.strictEqual(runBptt(mi, data).loss, Infinity);
    assert.strictEqual(runBptt({ ...mi, reduction: 'mean' }, data).loss, Infinity);
    // y = 1 at ŷ = 1 is a perfect prediction: ℓ = 0 and ∂ℓ/∂ŷ = −1, no NaN.
    const ok = runBptt(mi, seq(X.slice(0, T), [1, 1, 1, 1, 1], hasY));
    assert.ok(ok.loss === 0 && ok.firstNonFinite === null);
    assert.strictEqual(stepValues(ok, 2).dL_dyhat, -1);
  });
});

describe('BPTT: the checks themselves can fail', () => {
  const c = makeCase(0xc0ffee, 'tanh', 'sigmoid', 'squared', 'sum', 25);

  it('a 1e-7 relative error in any gradient or in L is caught by the tape comparison', () => {
    const trace = runBptt(c.model, c.data);
    const ref = rnnReference(c.model, c.data.x, c.data.y, c.data.hasY);
    compareWithTape('clean', c.model, c.data, trace, ref); // passes
    for (const k of KEYS) {
      const bad: Trace = { ...trace, grads: { ...trace.grads, [k]: trace.grads[k] * (1 + 1e-7) } };
      assert.throws(() => compareWithTape('corrupt', c.model, c.data, bad, ref), new RegExp(`∂L/∂${k}`));
    }
    assert.throws(() => compareWithTape('corrupt', c.model, c.data, { ...trace, loss: trace.loss * (1 + 1e-7) }, ref), /: L = /);
    // A wrong per-step gradient (and everything derived from it) is caught too.
    const dL_ds = Float64Array.from(trace.dL_ds);
    dL_ds[10] *= 1 + 1e-7;
    assert.throws(() => compareWithTape('corrupt', c.model, c.data, { ...trace, dL_ds }, ref), /t=\d+/);
  });

  it('a 1e-4 relative error in a gradient is caught by the finite differences', () => {
    const trace = runBptt(c.model, c.data);
    const ref = rnnReference(c.model, c.data.x, c.data.y, c.data.hasY);
    checkFd('clean', c, trace, ref);
    const bad: Trace = { ...trace, grads: { ...trace.grads, b: trace.grads.b * (1 + 1e-4) } };
    assert.throws(() => checkFd('corrupt', c, bad, ref), /∂L\/∂b/);
  });

  it('kinks are detected: relu at s = 0 exactly (FD would average the slopes 0 and 1), abs at ŷ = y, huber at |ŷ − y| = 1', () => {
    // relu φ, s_1 = 0·h0 + 1·0 + 0 = 0: the core uses relu'(0) = 0, so ∂L/∂b = 0, while the central
    // difference gives the mean of the one-sided slopes, u·(c − y)·½ ≠ 0.
    const m: Model = { ...BASE, phi: 'relu', w: 0, v: 1, b: 0, u: 1.5, c: 0.5 };
    const data = seq([0], [2], [1]);
    const tr = runBptt(m, data);
    assert.strictEqual(tr.s[0], 0);
    assert.ok(tr.grads.b === 0);
    assert.strictEqual(finiteDifference(m, data, 'b', 1).status, 'kink');
    const fdAcross = (runBptt({ ...m, b: 1e-6 }, data).loss - runBptt({ ...m, b: -1e-6 }, data).loss) / 2e-6;
    relClose(fdAcross, (1.5 * (0.5 - 2)) / 2, 1e-5, 'central FD across the kink = mean of one-sided slopes');
    assert.strictEqual(finiteDifference(m, data, 'c', 1).status, 'ok'); // c moves no kink argument
    // abs at ŷ = y exactly; huber at |ŷ − y| = δ exactly (identity φ, θ: ŷ = 3·(0.5·0.4 + 2·0.4 + 0.1) − 1 = 2.3 ± rounding).
    const mi: Model = { ...BASE, loss: 'abs' };
    const yhat = stepValues(runBptt(mi, seq([0.4], [0], [1])), 0).yhat;
    assert.strictEqual(finiteDifference(mi, seq([0.4], [yhat], [1]), 'c', 1).status, 'kink');
    assert.strictEqual(finiteDifference({ ...mi, loss: 'huber' }, seq([0.4], [yhat - 1], [1]), 'u', 1).status, 'kink');
    assert.strictEqual(finiteDifference({ ...mi, loss: 'huber' }, seq([0.4], [yhat - 3], [1]), 'u', 1).status, 'ok');
  });
});
