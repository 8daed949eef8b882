/**
 * Every activation derivative `dact` and every loss derivative `dloss` of src/core, checked
 * against central finite differences at many points, plus the conventions at the kinks.
 *
 * Finite-difference error model (step h = 1e-6·max(1, |z|), actual step taken as (z+h) − (z−h)):
 *   D = (f(z+h) − f(z−h)) / (2h) = f'(z) + E_trunc + E_round,
 *   |E_trunc| ≤ h²/6 · max|f'''| on [z−h, z+h]  (+ J·h/4 if f'' jumps by J inside, e.g. softsign at 0,
 *                                                  Huber at |d| = δ),
 *   |E_round| ≤ k·u·(|f(z+h)| + |f(z−h)|)/(2h)  with u = 2⁻⁵³ and k = 4 (each f is a few roundings,
 *                                                  Math.exp/log/tanh are ≤ 1 ulp).
 * The assertion is |f'(z) − D| ≤ 1e-6·max(|f'|, |D|) + 2·(bound on E_trunc + E_round): the 1e-6 relative
 * term is the brief's tolerance away from kinks; the explicit bounds cover the points (large |z|,
 * derivatives near 0) where FD itself cannot reach 1e-6 relative. A wrong derivative (wrong
 * sign, missing factor, wrong branch) is off by ≫ this at almost every point.
 *
 * At a kink (relu/leaky at 0, abs at d = 0, Huber at |d| = δ) FD is skipped when [z−2h, z+2h]
 * straddles it; instead the defined convention is asserted exactly (relu'(0) = 0, leaky'(0) = 0.01,
 * abs'(0) = 0, Huber'(±δ) = ±δ), and the one-sided derivatives on each side exactly.
 */
import * as assert from 'assert';
import { act, actCode, dact, dloss, loss, lossCode, LEAKY_SLOPE, HUBER_DELTA } from '../../src/core';
import type { PhiName, ThetaName, LossName } from '../../src/core';
import { mulberry32 } from './reference/rng';

const U = 2 ** -53;
type F = PhiName | ThetaName;
const ACTS: F[] = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity', 'softsign', 'softplus'];

// Independent reference forms (not the core's code path).
const sig = (z: number) => 1 / (1 + Math.exp(-z));
/** σ'(z) = e^{−|z|}/(1 + e^{−|z|})², accurate for every z (no cancellation). */
const dsigAccurate = (z: number) => {
  const e = Math.exp(-Math.abs(z));
  return e / ((1 + e) * (1 + e));
};
/** |f'''| for the smooth pieces, in closed form. */
function thirdDerivAbs(f: F, z: number): number {
  switch (f) {
    case 'tanh': {
      const t = Math.tanh(z);
      return Math.abs(2 * (1 - t * t) * (1 - 3 * t * t));
    }
    case 'sigmoid': {
      const p = dsigAccurate(z);
      return Math.abs(p * (1 - 6 * p));
    }
    case 'softsign':
      return 6 / (1 + Math.abs(z)) ** 4;
    case 'softplus': {
      const p = dsigAccurate(z), s = z >= 0 ? sig(z) : Math.exp(z) / (1 + Math.exp(z));
      return Math.abs(p * (1 - 2 * s));
    }
    default:
      return 0; // piecewise linear
  }
}
/** Jump of f'' inside [lo, hi] (0 if none). */
function secondDerivJump(f: F, lo: number, hi: number): number {
  if (lo <= 0 && hi >= 0) {
    if (f === 'softsign') return 4; // f'' = −2·sign(z)/(1+|z|)³
  }
  return 0;
}
const kinkAt0 = (f: F) => f === 'relu' || f === 'leaky_relu';

function fdActivation(f: F, z: number, h: number) {
  const code = actCode(f);
  const zp = z + h, zm = z - h;
  const fp = act(code, zp), fm = act(code, zm);
  const step = zp - zm;
  const D = (fp - fm) / step;
  const half = step / 2;
  const m3 = Math.max(thirdDerivAbs(f, zm), thirdDerivAbs(f, z), thirdDerivAbs(f, zp)) * 1.5;
  const trunc = (half * half * m3) / 6 + (secondDerivJump(f, zm, zp) * half) / 4;
  const round = (4 * U * (Math.abs(fp) + Math.abs(fm))) / step;
  return { D, bound: trunc + round };
}

const FIXED: number[] = (() => {
  const mags = [0, 5e-324, 1e-300, 1e-12, 1e-8, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.9, 1, 1.5, 2, 3, 5, 8, 10, 15, 18, 20, 25, 30, 36, 40, 50, 100, 300, 700, 710, 1e4, 1e8];
  const out: number[] = [];
  for (const m of mags) {
    out.push(m);
    if (m !== 0) out.push(-m);
  }
  return out;
})();
const RANDOM: number[] = (() => {
  const r = mulberry32(0xd1ff);
  const out: number[] = [];
  for (let i = 0; i < 400; i++) {
    const mag = Math.pow(10, -6 + 9 * r()); // 1e-6 .. 1e3, log-uniform
    out.push(r() < 0.5 ? -mag : mag);
  }
  return out;
})();

describe('activation derivatives vs central finite differences', () => {
  for (const f of ACTS) {
    it(`${f}: dact matches FD at ${FIXED.length + RANDOM.length} points (kinks excluded)`, () => {
      const code = actCode(f);
      let checked = 0, informative = 0;
      for (const z of [...FIXED, ...RANDOM]) {
        const h = 1e-6 * Math.max(1, Math.abs(z));
        if (kinkAt0(f) && Math.abs(z) <= 2 * h) continue; // straddles the kink: see the kink tests
        const a = act(code, z);
        const d = dact(code, z, a);
        const { D, bound } = fdActivation(f, z, h);
        const tol = 1e-6 * Math.max(Math.abs(d), Math.abs(D)) + 2 * bound;
        assert.ok(
          Math.abs(d - D) <= tol,
          `${f}'(${z}): dact = ${d}, FD = ${D}, |diff| = ${Math.abs(d - D)} > tol ${tol}`,
        );
        checked++;
        if (2 * bound <= 1e-6 * Math.max(Math.abs(d), Math.abs(D))) informative++;
      }
      assert.ok(checked > 300, `only ${checked} FD points checked`);
      // The FD check is a real 1e-6-relative check (not swamped by its error bound) at most points.
      assert.ok(informative >= 0.6 * checked, `FD informative at only ${informative}/${checked} points`);
    });
  }

  it('tanh, sigmoid, softsign, softplus derivatives match accurate closed forms to a few ulps', () => {
    // 1 − a² and a(1 − a) are computed from a rounded a, so their error is a few u in absolute
    // terms (they lose relative accuracy only once the derivative itself is below ~u).
    for (const z of [...FIXED, ...RANDOM]) {
      const dt = dact(actCode('tanh'), z, act(actCode('tanh'), z));
      const ch = Math.cosh(z);
      const sech2 = 1 / (ch * ch);
      assert.ok(Math.abs(dt - sech2) <= 4 * U, `tanh'(${z}) = ${dt}, sech² = ${sech2}`);

      const ds = dact(actCode('sigmoid'), z, act(actCode('sigmoid'), z));
      const ref = dsigAccurate(z);
      assert.ok(Math.abs(ds - ref) <= 8 * U * ref + (z >= 0 ? 4 * U : 0), `sigmoid'(${z}) = ${ds}, ref ${ref}`);

      const dss = dact(actCode('softsign'), z, act(actCode('softsign'), z));
      const refSs = 1 / ((1 + Math.abs(z)) * (1 + Math.abs(z)));
      assert.ok(Math.abs(dss - refSs) <= 4 * U * refSs, `softsign'(${z}) = ${dss}, ref ${refSs}`);

      const dsp = dact(actCode('softplus'), z, act(actCode('softplus'), z));
      const refSp = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      assert.ok(Math.abs(dsp - refSp) <= 8 * U * refSp, `softplus'(${z}) = ${dsp}, ref ${refSp}`);
    }
  });

  it('relu, leaky_relu and identity derivatives are exactly their slopes', () => {
    for (const z of [...FIXED, ...RANDOM]) {
      if (z === 0) continue;
      assert.strictEqual(dact(actCode('relu'), z, act(actCode('relu'), z)), z > 0 ? 1 : 0, `relu'(${z})`);
      assert.strictEqual(dact(actCode('leaky_relu'), z, act(actCode('leaky_relu'), z)), z > 0 ? 1 : 0.01, `leaky'(${z})`);
      assert.strictEqual(dact(actCode('identity'), z, z), 1);
    }
  });

  it('kink conventions: relu′(0) = 0, leaky′(0) = 0.01 (PyTorch), at +0 and −0; one-sided slopes next to 0', () => {
    assert.strictEqual(LEAKY_SLOPE, 0.01);
    for (const zero of [0, -0]) {
      assert.strictEqual(dact(actCode('relu'), zero, act(actCode('relu'), zero)), 0);
      assert.strictEqual(dact(actCode('leaky_relu'), zero, act(actCode('leaky_relu'), zero)), 0.01);
      assert.ok(act(actCode('relu'), zero) === 0); // ±0
      assert.ok(act(actCode('leaky_relu'), zero) === 0);
    }
    for (const eps of [5e-324, 1e-300, 1e-12, 1e-7]) {
      assert.strictEqual(dact(actCode('relu'), eps, act(actCode('relu'), eps)), 1);
      assert.strictEqual(dact(actCode('relu'), -eps, act(actCode('relu'), -eps)), 0);
      assert.strictEqual(dact(actCode('leaky_relu'), eps, act(actCode('leaky_relu'), eps)), 1);
      assert.strictEqual(dact(actCode('leaky_relu'), -eps, act(actCode('leaky_relu'), -eps)), 0.01);
      // And the values on each side agree with the one-sided pieces exactly.
      assert.strictEqual(act(actCode('relu'), -eps), 0);
      assert.strictEqual(act(actCode('leaky_relu'), -eps), 0.01 * -eps);
    }
    // One-sided finite differences at the kink reproduce the two slopes.
    const h = 1e-6;
    const relu = (z: number) => act(actCode('relu'), z), leaky = (z: number) => act(actCode('leaky_relu'), z);
    assert.strictEqual((relu(h) - relu(0)) / h, 1);
    assert.strictEqual((relu(0) - relu(-h)) / h, 0);
    assert.ok(Math.abs((leaky(0) - leaky(-h)) / h - 0.01) <= 1e-15);
  });

  it('saturation: derivatives of tanh/sigmoid are 0 (never NaN) at huge |z|, and ±∞', () => {
    for (const z of [1e3, -1e3, 1e300, -1e300, Infinity, -Infinity]) {
      for (const f of ['tanh', 'sigmoid'] as const) {
        const a = act(actCode(f), z);
        const d = dact(actCode(f), z, a);
        assert.strictEqual(d, 0, `${f}'(${z}) = ${d}`);
      }
      assert.strictEqual(dact(actCode('softplus'), z, act(actCode('softplus'), z)), z > 0 ? 1 : 0);
    }
    assert.strictEqual(act(actCode('tanh'), Infinity), 1);
    assert.strictEqual(act(actCode('tanh'), -Infinity), -1);
    assert.strictEqual(act(actCode('sigmoid'), Infinity), 1);
    assert.strictEqual(act(actCode('sigmoid'), -Infinity), 0);
    assert.strictEqual(act(actCode('softplus'), Infinity), Infinity);
    assert.strictEqual(act(actCode('softplus'), -Infinity), 0);
    assert.strictEqual(act(actCode('relu'), -Infinity), 0);
    assert.strictEqual(act(actCode('leaky_relu'), -Infinity), -Infinity);
    // softsign's limits are ±1 (z/(1+|z|) would be ∞/∞ = NaN), with slope 0 there.
    assert.strictEqual(act(actCode('softsign'), Infinity), 1);
    assert.strictEqual(act(actCode('softsign'), -Infinity), -1);
    assert.strictEqual(dact(actCode('softsign'), Infinity, 1), 0);
    // Large finite softplus is z itself (z + log1p(e^−z) with e^−z < u·z), and tiny for very negative z.
    assert.strictEqual(act(actCode('softplus'), 1e3), 1e3);
    const e30 = Math.exp(-30); // log(1 + e) = e − e²/2 + O(e³)
    assert.ok(Math.abs(act(actCode('softplus'), -30) - e30 * (1 - e30 / 2)) <= 4 * U * e30);
  });

  it('NaN propagates through every activation (relu(NaN) is NaN, not 0)', () => {
    for (const f of ACTS) {
      const a = act(actCode(f), NaN);
      assert.ok(Number.isNaN(a), `${f}(NaN) = ${a}`);
      const d = dact(actCode(f), NaN, a);
      if (f === 'identity') assert.strictEqual(d, 1);
      else assert.ok(Number.isNaN(d), `${f}'(NaN) = ${d}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

const LOSSES: LossName[] = ['squared', 'mse', 'abs', 'bce', 'huber'];

/** Closed-form ℓ, straight from the definitions, for value checks. */
function lossRef(l: LossName, yhat: number, y: number): number {
  const d = yhat - y;
  switch (l) {
    case 'squared': return 0.5 * d * d;
    case 'mse': return d * d;
    case 'abs': return Math.abs(d);
    case 'bce': return -((y === 0 ? 0 : y * Math.log(yhat)) + (y === 1 ? 0 : (1 - y) * Math.log(1 - yhat)));
    case 'huber': return Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5; // torch.nn.HuberLoss, δ = 1
  }
}

function lossPoints(l: LossName): [number, number][] {
  const pts: [number, number][] = [];
  if (l === 'bce') {
    for (const y of [0, 0.2, 0.5, 0.9, 1]) {
      for (const yh of [1e-6, 1e-3, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-6]) pts.push([yh, y]);
    }
    const r = mulberry32(0xbce);
    for (let i = 0; i < 200; i++) pts.push([0.001 + 0.998 * r(), r()]);
    return pts;
  }
  const ds = [1e-8, 1e-3, 0.1, 0.5, 0.999, 1.001, 1.5, 2, 10, 1e3, 1e6];
  for (const y of [-2, -0.5, 0, 0.3, 1, 2.5]) {
    for (const d of ds) {
      pts.push([y + d, y]);
      pts.push([y - d, y]);
    }
  }
  const r = mulberry32(0x1055 + l.length);
  for (let i = 0; i < 200; i++) pts.push([-5 + 10 * r(), -3 + 6 * r()]);
  return pts;
}

describe('loss derivatives vs central finite differences', () => {
  for (const l of LOSSES) {
    it(`${l}: dloss matches FD (kinks excluded), and loss matches its definition`, () => {
      const code = lossCode(l);
      let checked = 0;
      for (const [yhat, y] of lossPoints(l)) {
        const v = loss(code, yhat, y);
        const ref = lossRef(l, yhat, y);
        assert.ok(Math.abs(v - ref) <= 4 * U * Math.abs(ref) + 1e-300, `${l}(${yhat}, ${y}) = ${v}, ref ${ref}`);

        const d = yhat - y;
        let h = 1e-6 * Math.max(1, Math.abs(yhat));
        if (l === 'bce') h = 1e-6 * Math.min(yhat, 1 - yhat); // stay inside (0, 1)
        const ad = Math.abs(d);
        if (l === 'abs' && ad <= 2 * h) continue; // kink at d = 0
        if (l === 'huber' && Math.abs(ad - HUBER_DELTA) <= 2 * h) continue; // kink of ℓ'' only; see below
        const p = yhat + h, m = yhat - h;
        const lp = loss(code, p, y), lm = loss(code, m, y);
        const step = p - m, half = step / 2;
        const D = (lp - lm) / step;
        let m3 = 0; // squared, mse, abs, huber are piecewise quadratic: no truncation error
        if (l === 'bce') {
          const lo = Math.min(p, m), hi = Math.max(p, m);
          m3 = 1.5 * ((2 * y) / (lo * lo * lo) + (2 * (1 - y)) / ((1 - hi) * (1 - hi) * (1 - hi)));
        }
        // Rounding: ℓ evaluated at ŷ ± h (few roundings each), plus the rounding of d = ŷ − y
        // propagated through ℓ' (|ℓ'|·u·max(|ŷ|, |y|); bce also rounds 1 − ŷ, so max(·, 1)).
        const dl = dloss(code, yhat, y);
        const round = (4 * U * (Math.abs(lp) + Math.abs(lm) + 2 * Math.abs(dl) * Math.max(Math.abs(yhat), Math.abs(y), l === 'bce' ? 1 : 0))) / step;
        const bound = (half * half * m3) / 6 + round;
        const tol = 1e-6 * Math.max(Math.abs(dl), Math.abs(D)) + 2 * bound;
        assert.ok(Math.abs(dl - D) <= tol, `${l}'(ŷ=${yhat}, y=${y}): dloss = ${dl}, FD = ${D}, |diff| ${Math.abs(dl - D)} > ${tol}`);
        checked++;
      }
      assert.ok(checked > 150, `only ${checked} points`);
    });
  }

  it('closed-form derivatives: squared → d, mse → 2d, abs → sign(d), bce → −y/ŷ + (1−y)/(1−ŷ)', () => {
    const r = mulberry32(0xc10);
    for (let i = 0; i < 500; i++) {
      const yhat = -4 + 8 * r(), y = -4 + 8 * r(), d = yhat - y;
      assert.strictEqual(dloss(lossCode('squared'), yhat, y), d);
      assert.strictEqual(dloss(lossCode('mse'), yhat, y), 2 * d);
      assert.strictEqual(dloss(lossCode('abs'), yhat, y), Math.sign(d));
      const q = 0.001 + 0.998 * r(), t = r();
      const ref = -t / q + (1 - t) / (1 - q);
      assert.ok(Math.abs(dloss(lossCode('bce'), q, t) - ref) <= 4 * U * (t / q + (1 - t) / (1 - q)));
    }
  });

  it('abs kink: abs′ = 0 at d = 0 exactly, ±1 on each side', () => {
    const code = lossCode('abs');
    for (const y of [-1.5, 0, 0.25, 3]) {
      assert.strictEqual(dloss(code, y, y), 0);
      assert.strictEqual(loss(code, y, y), 0);
      for (const eps of [1e-15, 1e-9, 1e-3]) {
        assert.strictEqual(dloss(code, y + eps + Math.abs(y) * 1e-15, y), 1);
        assert.strictEqual(dloss(code, y - eps - Math.abs(y) * 1e-15, y), -1);
      }
    }
  });

  it('huber kink at |d| = δ = 1: value and derivative continuous, ±1 exactly at the kink, correct one-sided pieces', () => {
    assert.strictEqual(HUBER_DELTA, 1);
    const code = lossCode('huber');
    for (const y of [-2, 0, 0.5, 3]) {
      for (const sgn of [1, -1]) {
        const at = y + sgn; // exactly representable for these y
        assert.strictEqual(at - y, sgn);
        assert.strictEqual(dloss(code, at, y), sgn, `huber'(d=${sgn})`);
        assert.strictEqual(loss(code, at, y), 0.5);
        for (const eps of [1e-12, 1e-9, 1e-6]) {
          // Inside: quadratic piece, derivative d.  Outside: linear piece, derivative δ·sign(d).
          const inside = y + sgn * (1 - eps), outside = y + sgn * (1 + eps);
          const dIn = inside - y, dOut = outside - y;
          assert.strictEqual(dloss(code, inside, y), dIn);
          assert.strictEqual(dloss(code, outside, y), sgn);
          assert.ok(Math.abs(loss(code, inside, y) - 0.5 * dIn * dIn) <= 4 * U);
          assert.ok(Math.abs(loss(code, outside, y) - (Math.abs(dOut) - 0.5)) <= 4 * U);
          // Continuity across the kink: both sides are within O(eps) of the kink value/derivative.
          assert.ok(Math.abs(dloss(code, inside, y) - sgn) <= 2 * eps);
          assert.ok(Math.abs(loss(code, outside, y) - 0.5) <= 2 * eps);
        }
        // Central FD across the kink: ℓ'' jumps by 1, so D = ℓ' − sgn·h/4 + O(h²); it converges to ±1.
        const h = 1e-6;
        const D = (loss(code, at + h, y) - loss(code, at - h, y)) / (2 * h);
        assert.ok(Math.abs(D - sgn) <= h / 4 + 1e-9, `FD at the kink ${D}`);
      }
    }
  });

  it('bce edges: ŷ = y ∈ {0, 1} gives ℓ = 0 (0·log 0 skipped); ŷ = 1 with y = 0 gives +∞', () => {
    const code = lossCode('bce');
    assert.ok(loss(code, 1, 1) === 0); // ±0
    assert.ok(loss(code, 0, 0) === 0);
    assert.strictEqual(dloss(code, 1, 1), -1);
    assert.strictEqual(dloss(code, 0, 0), 1);
    assert.strictEqual(loss(code, 1, 0), Infinity);
    assert.strictEqual(dloss(code, 1, 0), Infinity);
    assert.strictEqual(loss(code, 0, 1), Infinity);
    assert.strictEqual(dloss(code, 0, 1), -Infinity);
    // A soft target at the edge is still infinite (both terms have weight).
    assert.strictEqual(loss(code, 1, 0.5), Infinity);
  });
});
