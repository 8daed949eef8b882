/**
 * The tuned multi-lane loops of src/gradcheck/lanes.ts against the plain ones that read like the
 * equations: the same losses to the bit and the same kink verdict, for every φ/θ/ℓ/reduction,
 * with and without a kink base, from step 1 and from a later step, for four and eight lanes.
 */
import * as assert from 'node:assert/strict';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core';
import { MAX_LANES, outputLoss, outputLossPlain, rejoinStep, suffixLoss, suffixLossPlain } from '../../src/gradcheck/lanes';
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
        // Lanes that perturb only s_i, with the model's w, v, b: they stop where they rejoin the base chain.
        const Wm = W.map(() => model.w), Vm = V.map(() => model.v), Bm = B.map(() => model.b);
        const Sr = S.map((s, k) => (k === 0 ? base.s[i] : base.s[i] + (s - base.s[i]) * 1e-3));
        const rT = suffixLoss(P, i, n, Sr, Wm, Vm, Bm, tuned, kinkBase, base.h), rP = suffixLossPlain(P, i, n, Sr, Wm, Vm, Bm, plain, kinkBase, base.h);
        same(tuned, plain, n, `suffixLoss rejoining ${what}`);
        assert.equal(rT, rP, `suffixLoss rejoining kink ${what}`);
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

  it('rejoining: a contracting chain stops early, and the differences between lanes are those of the whole sums', () => {
    for (const phi of ['tanh', 'sigmoid', 'relu', 'identity', 'softplus'] as const) {
      const { model, data } = makeCase(11, phi, 'identity', 'squared', 'sum', 20_000);
      model.w = phi === 'identity' ? 0.5 : 0.9;
      const P = prepare(model, data);
      lossOnly(P, model.w, model.v, model.b, model.u, model.c, model.h0);
      const base = { s: P.s.slice(), h: P.h.slice() };
      const n = 4, i = 100;
      const S = Float64Array.from([1e-6, -1e-6, 5e-7, -5e-7], (d) => base.s[i] + d);
      const W = new Float64Array(n).fill(model.w), V = new Float64Array(n).fill(model.v), B = new Float64Array(n).fill(model.b);
      const stop = rejoinStep(P, i, n, S, base.h);
      assert.ok(stop < 2000, `${phi}: rejoined at ${stop}`);
      const short = new Float64Array(n), whole = new Float64Array(n);
      suffixLoss(P, i, n, S, W, V, B, short, null, base.h);
      suffixLoss(P, i, n, S, W, V, B, whole, null, null);
      const dShort = (short[0] - short[1]) / 2e-6, dWhole = (whole[0] - whole[1]) / 2e-6;
      // The whole sums carry the rounding of 15 000 more terms (~1e-16·Σℓ/δ); the short ones do not.
      assert.ok(Math.abs(dShort - dWhole) <= 1e-9 * Math.abs(whole[0]) / 1e-6 + 1e-6 * Math.abs(dWhole), `${phi}: ${dShort} vs ${dWhole}`);
    }
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
