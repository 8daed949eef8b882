/**
 * The numerical gradient check (src/gradcheck): its forward-only loss agrees with runBptt to the
 * bit; a correct BPTT passes on every sample and on generated models of every φ/θ/ℓ/reduction
 * (with steps that have no target); a planted wrong gradient fails exactly where it was planted;
 * kinks are flagged, not failed; NaN/∞ are reported, never thrown; and the numeric values agree
 * with the independent reverse-mode tape within the check's own error estimate.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, runBptt, NUMERIC_KEYS, type Model, type SequenceData } from '../../src/core';
import { gradcheck, lossOnly, prepare, MAX_ALL_STEPS, type Analytic, type Check, type GradcheckReport } from '../../src/gradcheck';
import { formatFromFileName, parseSequence } from '../../src/parse';
import { rnnReference, UNIT_ROUNDOFF, type RnnSpec } from './reference/tape';
import { mulberry32 } from './reference/rng';

const SAMPLES = join(__dirname, '..', '..', '..', 'samples');

/** Every check of a report, named for assertion messages. */
function allChecks(r: GradcheckReport): [string, Check][] {
  const out: [string, Check][] = Object.entries(r.params).map(([k, c]) => [k, c as Check]);
  for (const s of r.steps) out.push([`${s.quantity}@t=${s.t}`, s]);
  return out;
}

function failures(r: GradcheckReport): string[] {
  return allChecks(r)
    .filter(([, c]) => !c.ok)
    .map(([name, c]) => `${name}: analytic ${c.analytic} numeric ${c.numeric} (err est ${c.errEst})`);
}

/** A random model of the given kind and a T-step sequence, about one step in four without a target. */
function makeCase(seed: number, phi: Model['phi'], theta: Model['theta'], loss: Model['loss'], reduction: Model['reduction'], T: number) {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const model: Model = {
    w: uni(-1.1, 1.1), v: uni(-1.5, 1.5), b: uni(-0.3, 0.3), u: uni(0.5, 1.5) * (r() < 0.5 ? -1 : 1), c: uni(-0.3, 0.3),
    h0: uni(-0.5, 0.5), phi, theta, loss, reduction,
  };
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    x[t] = uni(-2, 2);
    hasY[t] = r() < 0.75 ? 1 : 0;
    y[t] = loss === 'bce' ? (r() < 0.5 ? 0 : uni(0, 1)) : uni(-1.5, 1.5);
  }
  if (T > 2) hasY[T - 1] = 0; // the last step has no target: its gradients must be 0 numerically too
  return { model, data: { x, y, hasY } as SequenceData };
}

/** Every φ × θ × ℓ × reduction where ℓ is defined: bce needs ŷ in (0, 1), so θ = sigmoid. */
function* everyKind(): Generator<[Model['phi'], Model['theta'], Model['loss'], Model['reduction']]> {
  for (const phi of PHI_NAMES) for (const theta of THETA_NAMES) for (const loss of LOSS_NAMES) for (const red of REDUCTION_NAMES) {
    if (loss === 'bce' && theta !== 'sigmoid') continue;
    yield [phi, theta, loss, red];
  }
}

describe('gradcheck: the forward-only loss', () => {
  it('equals runBptt(model, data).loss bit for bit for every φ/θ/ℓ/reduction', () => {
    let seed = 1;
    for (const [phi, theta, loss, red] of everyKind()) {
      for (const T of [1, 7, 300, 1000]) {
        const { model, data } = makeCase(seed++, phi, theta, loss, red, T);
        const P = prepare(model, data);
        const L = lossOnly(P, model.w, model.v, model.b, model.u, model.c, model.h0);
        const ref = runBptt(model, data).loss;
        assert.ok(Object.is(L, ref), `${phi}/${theta}/${loss}/${red} T=${T}: lossOnly ${L} vs runBptt ${ref}`);
      }
    }
  });

  it('equals runBptt with no target at all, and with NaN in the data', () => {
    const { model, data } = makeCase(99, 'tanh', 'identity', 'squared', 'mean', 20);
    data.hasY.fill(0);
    assert.ok(Object.is(lossOnly(prepare(model, data), model.w, model.v, model.b, model.u, model.c, model.h0), runBptt(model, data).loss));
    const bad = makeCase(100, 'relu', 'sigmoid', 'huber', 'sum', 20);
    bad.data.x[5] = NaN;
    const L = lossOnly(prepare(bad.model, bad.data), bad.model.w, bad.model.v, bad.model.b, bad.model.u, bad.model.c, bad.model.h0);
    assert.ok(Object.is(L, runBptt(bad.model, bad.data).loss));
  });
});

describe('gradcheck: a correct BPTT passes', () => {
  for (const file of readdirSync(SAMPLES).filter((f) => /\.(csv|tsv|json)$/.test(f)).sort()) {
    it(`on samples/${file}, every parameter and every step`, () => {
      const parsed = parseSequence(readFileSync(join(SAMPLES, file), 'utf8'), formatFromFileName(file)!);
      assert.deepEqual(parsed.errors, []);
      const r = gradcheck(parsed.model, parsed);
      assert.deepEqual(failures(r), []);
      assert.equal(r.ok, true);
      assert.equal(Object.keys(r.params).length, 6);
      assert.equal(r.steps.length, 2 * parsed.x.length);
    });
  }

  it('on generated models of every φ/θ/ℓ/reduction, with steps that have no target', () => {
    let seed = 1000, kinks = 0, checks = 0;
    for (const [phi, theta, loss, red] of everyKind()) {
      const { model, data } = makeCase(seed++, phi, theta, loss, red, 12);
      const r = gradcheck(model, data);
      assert.deepEqual(failures(r), [], `${phi}/${theta}/${loss}/${red}`);
      for (const [, c] of allChecks(r)) {
        checks++;
        if (c.kink) kinks++;
        else assert.ok(c.absErr <= 1e-5 + 1e-3 * Math.abs(c.numeric));
      }
      // The last step has no target and nothing after it: both sides must say exactly 0.
      const last = r.steps.filter((s) => s.t === 12);
      for (const s of last) assert.ok(s.analytic === 0 && s.numeric === 0, `${phi}/${theta}/${loss}/${red} t=12 ${s.quantity}`);
    }
    // A random model rarely lands within 1e-6 of a kink: the excuse must be the exception.
    assert.ok(kinks < checks / 100, `${kinks} of ${checks} checks excused by a kink`);
  });

  it('checks every step up to T = 2000, none above unless asked, and exactly the steps asked', () => {
    const { model, data } = makeCase(5, 'tanh', 'identity', 'squared', 'sum', MAX_ALL_STEPS + 1);
    assert.equal(gradcheck(model, data, { params: false }).steps.length, 0);
    const r = gradcheck(model, data, { steps: [1, 500, 2001] });
    assert.deepEqual(r.steps.map((s) => `${s.t}:${s.quantity}`), ['1:dL_ds', '1:dL_dx', '500:dL_ds', '500:dL_dx', '2001:dL_ds', '2001:dL_dx']);
    assert.deepEqual(failures(r), []);
    assert.throws(() => gradcheck(model, data, { steps: [0] }), RangeError);
    assert.throws(() => gradcheck(model, data, { steps: [2002] }), RangeError);
  });
});

describe('gradcheck: a wrong gradient fails where it is wrong', () => {
  const { model, data } = makeCase(7, 'tanh', 'sigmoid', 'mse', 'sum', 30);
  const wrapped = (edit: (a: Analytic) => void) => (m: Model, d: SequenceData): Analytic => {
    const trace = runBptt(m, d);
    const a: Analytic = { grads: { ...trace.grads }, dL_ds: trace.dL_ds.slice() };
    edit(a);
    return a;
  };

  for (const key of NUMERIC_KEYS) {
    it(`a planted error in ∂L/∂${key} fails ${key} and nothing else`, () => {
      const r = gradcheck(model, data, { analytic: wrapped((a) => { a.grads[key] = a.grads[key] * 1.01 + 1e-3; }) });
      assert.equal(r.ok, false);
      assert.deepEqual(failures(r).map((f) => f.split(':')[0]), [key]);
    });
  }

  it('a planted error in ∂L/∂s_17 fails ∂L/∂s and ∂L/∂x at t = 17 and nothing else', () => {
    const r = gradcheck(model, data, { analytic: wrapped((a) => { (a.dL_ds as Float64Array)[16] *= 1.01; }) });
    assert.equal(r.ok, false);
    assert.deepEqual(failures(r).map((f) => f.split(':')[0]), ['dL_ds@t=17', 'dL_dx@t=17']);
  });

  it("the seed's φ'-for-θ' slip (a whole recursion that is wrong) fails", () => {
    // ∂L/∂h_t with φ'(h_t) where θ'(u·h_t + c) belongs, propagated: every gradient moves.
    const slip = (m: Model, d: SequenceData): Analytic => runBptt({ ...m, theta: 'tanh' }, d);
    const r = gradcheck(model, data, { analytic: slip });
    assert.equal(r.ok, false);
    assert.ok(failures(r).length > 10);
  });
});

describe('gradcheck: kinks are flagged, not failed', () => {
  it('relu φ with s_1 = 0 exactly: ∂L/∂s_1, b and h0 straddle the kink', () => {
    const { model, data } = makeCase(11, 'relu', 'identity', 'squared', 'sum', 8);
    Object.assign(model, { b: 0, h0: 0 });
    data.x[0] = 0; // s_1 = w·0 + v·0 + 0 = 0
    const r = gradcheck(model, data);
    assert.equal(r.ok, true, failures(r).join('\n'));
    const s1 = r.steps.find((s) => s.t === 1 && s.quantity === 'dL_ds')!;
    assert.equal(s1.kink, true);
    // relu'(0) = 0 on BPTT's side; the central difference averages the two one-sided slopes.
    assert.equal(s1.analytic, 0);
    assert.ok(Math.abs(s1.numeric) > 1e-3, `numeric ${s1.numeric}`);
    assert.equal(r.params.b!.kink, true);
    assert.equal(r.params.h0!.kink, true);
    assert.equal(r.params.w!.kink, false); // w multiplies h0 = 0 at step 1: s_1 does not move
    assert.equal(r.steps.find((s) => s.t === 5 && s.quantity === 'dL_ds')!.kink, false);
  });

  it('abs loss with ŷ = y at one step: the output parameters straddle the kink', () => {
    const { model, data } = makeCase(12, 'tanh', 'identity', 'abs', 'mean', 8);
    const trace = runBptt(model, data);
    data.y[3] = model.u * trace.h[3] + model.c; // ŷ_4 exactly
    data.hasY[3] = 1;
    const r = gradcheck(model, data);
    assert.equal(r.ok, true, failures(r).join('\n'));
    for (const k of ['u', 'c', 'w', 'v']) assert.equal(r.params[k as 'u']!.kink, true, k);
    assert.equal(r.steps.find((s) => s.t === 4 && s.quantity === 'dL_ds')!.kink, true);
    assert.equal(r.steps.find((s) => s.t === 5 && s.quantity === 'dL_ds')!.kink, false);
  });

  it('huber with |ŷ − y| = δ at one step is flagged', () => {
    const { model, data } = makeCase(13, 'tanh', 'identity', 'huber', 'sum', 8);
    const trace = runBptt(model, data);
    data.y[2] = model.u * trace.h[2] + model.c - 1;
    data.hasY[2] = 1;
    const r = gradcheck(model, data);
    assert.equal(r.ok, true);
    assert.equal(r.params.c!.kink, true);
  });
});

describe('gradcheck: NaN and ∞ are reported, not thrown', () => {
  it('NaN in x fails the checks it reaches, with NaN values', () => {
    const { model, data } = makeCase(21, 'tanh', 'identity', 'squared', 'sum', 10);
    data.x[4] = NaN;
    const r = gradcheck(model, data);
    assert.equal(r.ok, false);
    assert.ok(Number.isNaN(r.params.w!.numeric));
    assert.equal(r.params.w!.ok, false);
    assert.equal(r.params.w!.kink, false);
  });

  it('an infinite loss (bce at ŷ = 1, y = 0) fails without throwing', () => {
    const { model, data } = makeCase(22, 'identity', 'sigmoid', 'bce', 'sum', 6);
    Object.assign(model, { u: 1e3, c: 1e3 });
    data.y.fill(0);
    const r = gradcheck(model, data);
    assert.equal(r.loss, Infinity);
    assert.equal(r.ok, false);
  });

  it('±∞ in x (a saturated tanh) is checked like any other value', () => {
    const { model, data } = makeCase(23, 'tanh', 'identity', 'squared', 'sum', 10);
    data.x[2] = Infinity;
    assert.doesNotThrow(() => gradcheck(model, data));
  });
});

describe('gradcheck: the numeric values against the reverse-mode tape', () => {
  it('agree within the error estimate on smooth generated models, every parameter and step', () => {
    let seed = 5000, compared = 0;
    for (const [phi, theta, loss, red] of everyKind()) {
      if (['relu', 'leaky_relu'].includes(phi) || theta === 'relu' || loss === 'abs' || loss === 'huber') continue;
      if (theta === 'softplus' && loss === 'bce') continue;
      const { model, data } = makeCase(seed++, phi, theta, loss, red, 15);
      const ref = rnnReference(model as RnnSpec, data.x, data.y, data.hasY);
      const r = gradcheck(model, data);
      const near = (n: number, c: Check, refV: number, mag: number, what: string) => {
        const tol = c.errEst + 64 * UNIT_ROUNDOFF * mag;
        assert.ok(Math.abs(n - refV) <= tol, `${phi}/${theta}/${loss}/${red} ${what}: numeric ${n} tape ${refV} (mag ${mag}) analytic ${c.analytic} err est ${c.errEst}`);
        compared++;
      };
      for (const k of NUMERIC_KEYS) near(r.params[k]!.numeric, r.params[k]!, ref.grads[k].v, ref.grads[k].mag, k);
      for (const s of r.steps) {
        const g = ref.steps[s.t - 1].dL_ds;
        const f = s.quantity === 'dL_ds' ? 1 : model.v;
        near(s.numeric, s, f * g.v, Math.abs(f) * g.mag, `${s.quantity}@t=${s.t}`);
      }
    }
    assert.ok(compared > 1000);
  });

  it('the error estimate is small: the check can tell a 1e-3 relative error', () => {
    const { model, data } = makeCase(77, 'tanh', 'identity', 'squared', 'sum', 50);
    const r = gradcheck(model, data);
    for (const [name, c] of allChecks(r)) assert.ok(c.errEst <= 1e-6 * Math.max(1, Math.abs(c.numeric)), `${name}: ${c.errEst}`);
  });
});
