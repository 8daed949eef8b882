/**
 * The tuned multi-lane loops of src/gradcheck/lanes.ts against the plain ones that read like the
 * equations: the same losses to the bit and the same kink verdict, for every φ/θ/ℓ/reduction,
 * with and without a kink base, from step 1 and from a later step, for four and eight lanes.
 */
import * as assert from 'node:assert/strict';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core';
import { MAX_LANES, outputLoss, outputLossPlain, suffixLoss, suffixLossPlain } from '../../src/gradcheck/lanes';
import { lossOnly, prepare } from '../../src/gradcheck/lossOnly';
import { mulberry32 } from './reference/rng';

function makeCase(seed: number, phi: Model['phi'], theta: Model['theta'], loss: Model['loss'], reduction: Model['reduction'], T: number) {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const model: Model = { w: uni(-1.1, 1.1), v: uni(-1.5, 1.5), b: uni(-0.3, 0.3), u: uni(-1.5, 1.5), c: uni(-0.3, 0.3), h0: uni(-0.5, 0.5), phi, theta, loss, reduction };
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    x[t] = uni(-2, 2);
    hasY[t] = r() < 0.75 ? 1 : 0;
    y[t] = loss === 'bce' ? uni(0, 1) : uni(-1.5, 1.5);
  }
  hasY[T - 1] = 0;
  return { model, data: { x, y, hasY }, r };
}

const same = (a: Float64Array, b: Float64Array, n: number, what: string) => {
  for (let k = 0; k < n; k++) assert.ok(Object.is(a[k], b[k]), `${what} lane ${k}: tuned ${a[k]} plain ${b[k]}`);
};

describe('gradcheck lanes: tuned loops equal the plain ones bit for bit', () => {
  it('suffixLoss and outputLoss for every φ/θ/ℓ/reduction, with and without kinks, 4 and 8 lanes', () => {
    let seed = 1, kinks = 0, cases = 0;
    for (const phi of PHI_NAMES) for (const theta of THETA_NAMES) for (const loss of LOSS_NAMES) for (const red of REDUCTION_NAMES) {
      if (loss === 'bce' && theta !== 'sigmoid') continue;
      // 600 steps: more than two blocks of the tuned loop.
      const { model, data, r } = makeCase(seed++, phi, theta, loss, red, 600);
      const P = prepare(model, data);
      lossOnly(P, model.w, model.v, model.b, model.u, model.c, model.h0);
      const base = { s: P.s.slice(), h: P.h.slice() };
      for (const n of [4, MAX_LANES]) for (const i of [0, 300, 599]) for (const kinkBase of [null, base]) {
        // Perturbations large enough to cross a relu kink now and then.
        const S = new Float64Array(n), W = new Float64Array(n), V = new Float64Array(n), B = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          S[k] = base.s[i] + (r() - 0.5) * 1e-3;
          W[k] = model.w + (r() - 0.5) * 1e-3;
          V[k] = model.v;
          B[k] = model.b + (r() - 0.5) * 1e-3;
        }
        const tuned = new Float64Array(n), plain = new Float64Array(n);
        const what = `${phi}/${theta}/${loss}/${red} n=${n} i=${i} kinks=${kinkBase !== null}`;
        const kT = suffixLoss(P, i, n, S, W, V, B, tuned, kinkBase), kP = suffixLossPlain(P, i, n, S, W, V, B, plain, kinkBase);
        same(tuned, plain, n, `suffixLoss ${what}`);
        assert.equal(kT, kP, `suffixLoss kink ${what}`);
        if (kinkBase === null) assert.equal(kT, false);
        const Uo = W.map(() => model.u + (r() - 0.5) * 1e-3), Co = W.map(() => model.c + (r() - 0.5) * 1e-3);
        const oT = outputLoss(P, base.h, n, Uo, Co, tuned, kinkBase), oP = outputLossPlain(P, base.h, n, Uo, Co, plain, kinkBase);
        same(tuned, plain, n, `outputLoss ${what}`);
        assert.equal(oT, oP, `outputLoss kink ${what}`);
        cases++;
        if (kT) kinks++;
      }
    }
    // The kink verdict is compared both ways: some cases must find one.
    assert.ok(kinks > 0 && kinks < cases, `${kinks} of ${cases}`);
  });

  it('outputLoss at the model equals lossOnly (runBptt’s summation order)', () => {
    const { model, data } = makeCase(3, 'tanh', 'sigmoid', 'bce', 'mean', 500);
    const P = prepare(model, data);
    const L = lossOnly(P, model.w, model.v, model.b, model.u, model.c, model.h0);
    const out = new Float64Array(1);
    outputLoss(P, P.h, 1, Float64Array.of(model.u), Float64Array.of(model.c), out, null);
    assert.ok(Object.is(out[0], L));
  });
});
