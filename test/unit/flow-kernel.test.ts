/**
 * The tuned flow kernels against their plain twins, bit for bit (Object.is on every element): the
 * same arithmetic in a different order of work must give the same doubles, not merely close ones.
 *   factorsAndHorizons (one pass)  vs  phiPrimes → w·φ' → new FactorProducts → computeHorizons
 *   lagSums, four lags per pass      vs  lagSums(…, plain = true), one lag per pass
 * (the plain path is itself checked against a brute-force backward scan in flow-reference.test.ts).
 * Cases cross the kernels' 1024-step blocks, have gaps without targets, factors above and below 1,
 * exact zeros (dead relu, saturated tanh) and NaN / ±∞ states.
 */
import * as assert from 'assert';
import { PHI_NAMES, runBptt, type Model, type SequenceData } from '../../src/core';
import { FactorProducts, computeHorizons, factorsAndHorizons, flowInputs, lagSums, phiPrimes } from '../../src/flow';
import { mulberry32 } from './reference/rng';

function sameArray(ctx: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  assert.strictEqual(got.length, want.length, `${ctx}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${ctx}[${i}]: ${got[i]} vs plain ${want[i]}`);
  }
}

function makeCase(seed: number, phi: Model['phi'], T: number): { m: Model; d: SequenceData } {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const m: Model = {
    w: (r() < 0.5 ? -1 : 1) * [0.5, 0.95, 1.05, 3][Math.floor(r() * 4)], v: uni(-2, 2), b: uni(-1, 1), u: uni(-2, 2), c: uni(-1, 1),
    h0: uni(-1, 1), phi, theta: 'identity', loss: 'squared', reduction: 'sum',
  };
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  const dense = r();
  for (let i = 0; i < T; i++) {
    x[i] = uni(-3, 3);
    // Now and then a long input that saturates tanh/sigmoid to φ' = 0 exactly.
    if (r() < 0.002) x[i] = (r() < 0.5 ? -1 : 1) * 200;
    y[i] = uni(-1, 1);
    hasY[i] = r() < dense ? 1 : 0;
  }
  return { m, d: { x, y, hasY } };
}

function check(ctx: string, m: Model, d: SequenceData, ratios: number[]): void {
  const trace = runBptt(m, d);
  const factor = phiPrimes(trace);
  for (let i = 0; i < factor.length; i++) factor[i] = m.w * factor[i];
  const plainProducts = new FactorProducts(factor);
  for (const ratio of ratios) {
    const plain = computeHorizons(plainProducts, d.hasY, ratio);
    const tuned = factorsAndHorizons(trace, ratio);
    const c = `${ctx} ratio ${ratio}`;
    sameArray(`${c} factor`, tuned.factor, factor);
    sameArray(`${c} logHi`, tuned.products.logHi, plainProducts.logHi);
    sameArray(`${c} logLo`, tuned.products.logLo, plainProducts.logLo);
    sameArray(`${c} breaks`, tuned.products.breaks, plainProducts.breaks);
    sameArray(`${c} targets`, tuned.horizons.targets, plain.targets);
    sameArray(`${c} perTarget`, tuned.horizons.perTarget, plain.perTarget);
    sameArray(`${c} reachesStart`, tuned.horizons.reachesStart, plain.reachesStart);
    assert.deepStrictEqual(
      [tuned.horizons.median, tuned.horizons.max, tuned.horizons.maxAt, tuned.horizons.ratio],
      [plain.median, plain.max, plain.maxAt, plain.ratio], `${c} median/max`);
  }
}

describe('flow kernels: tuned = plain, bit for bit', function () {
  this.timeout(60000);

  it('factorsAndHorizons = phiPrimes + FactorProducts + computeHorizons for every φ, across blocks', () => {
    PHI_NAMES.forEach((phi, pi) => {
      for (let rep = 0; rep < 4; rep++) {
        const seed = 0xf1a60000 + 16 * pi + rep;
        const T = [1, 7, 1024, 1025, 3000][rep % 5] + rep * 331;
        const { m, d } = makeCase(seed, phi, T);
        check(`${phi} seed ${seed} T ${T}`, m, d, [1e-3, 0.5, 1e-12]);
      }
    });
  });

  it('zeros, NaN and ±∞ factors, w = 0 and T = 0 agree too', () => {
    const { m, d } = makeCase(0xbad, 'relu', 2500);
    d.x[100] = NaN; // NaN state: NaN factor from here on
    check('relu NaN', m, d, [1e-3]);
    const t = makeCase(0xbad1, 'identity', 2100);
    t.m.w = 1e200; // the state overflows to ±∞, then ∞ − ∞ = NaN
    check('identity overflow', t.m, t.d, [1e-3]);
    const z = makeCase(0xbad2, 'tanh', 1500);
    z.m.w = 0; // every factor 0: every horizon is 0
    check('w = 0', z.m, z.d, [1e-3]);
    const e = makeCase(0xbad3, 'sigmoid', 0);
    check('T = 0', e.m, e.d, [1e-3]);
  });

  it('the kernel really differs from a wrong answer: a changed factor changes the horizons', () => {
    const { m, d } = makeCase(0x5eed, 'tanh', 2000);
    d.hasY.fill(1);
    m.w = 0.95;
    const trace = runBptt(m, d);
    const before = factorsAndHorizons(trace, 1e-3).horizons.perTarget.slice();
    trace.h[1500] = 1; // φ'(s) = 0 at t = 1501: every horizon across it stops there
    const after = factorsAndHorizons(trace, 1e-3).horizons;
    assert.notDeepStrictEqual(Array.from(after.perTarget), Array.from(before));
    assert.ok(after.perTarget[1600] <= 1600 - 1500 - 1);
  });

  it('lagSums: four lags per pass = one lag per pass, for every φ, K below and above T, across blocks', () => {
    PHI_NAMES.forEach((phi, pi) => {
      for (let rep = 0; rep < 3; rep++) {
        const seed = 0xf1a70000 + 16 * pi + rep;
        const T = [5, 1030, 2600][rep];
        const { m, d } = makeCase(seed, phi, T);
        const inp = flowInputs(runBptt(m, d));
        for (const K of [0, 1, 2, 3, 4, 5, 7, 64, 130, T - 1, T + 5]) {
          if (K < 0) continue;
          const tuned = lagSums(inp, K)!, plain = lagSums(inp, K, false, undefined, 'plain')!;
          const c = `${phi} seed ${seed} T ${T} K ${K}`;
          sameArray(`${c} G_w`, tuned.w, plain.w);
          sameArray(`${c} G_v`, tuned.v, plain.v);
          sameArray(`${c} G_b`, tuned.b, plain.b);
        }
      }
    });
  });

  it('lagSums: products that underflow to exactly 0 are skipped and change nothing', () => {
    const { m, d } = makeCase(0x0f10, 'tanh', 3000);
    m.w = 0.05; // |f| ≤ 0.05: every running product is exactly 0 within ~250 lags
    d.hasY.fill(1);
    const inp = flowInputs(runBptt(m, d));
    const tuned = lagSums(inp, 2999)!, plain = lagSums(inp, 2999, false, undefined, 'plain')!;
    sameArray('G_w', tuned.w, plain.w);
    sameArray('G_b', tuned.b, plain.b);
    assert.ok(tuned.b[10] !== 0 && tuned.b[400] === 0);
  });
});

