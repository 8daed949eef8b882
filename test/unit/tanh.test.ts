/**
 * Accuracy of the core's pure-JS tanh (src/core/tanh.ts).
 *
 * The reference is tanh computed in double-double arithmetic (about 104 bits): expm1(2|x|) by
 * Taylor series (after a ln2 reduction for 2|x| > 1), then tanh = E/(E + 2). Its own error is
 * below 2^-100 relative, so the measured error of the double result, in ulps of the exact value,
 * is exact to far better than 0.001 ulp, and the reference's leading double is the correctly
 * rounded tanh(x) (a tie would need the exact value within 2^-100 of a midpoint).
 */
import * as assert from 'node:assert/strict';
import { tanh } from '../../src/core/tanh';

// ---- double-double arithmetic (Dekker, Knuth): a value is hi + lo with |lo| ≤ ulp(hi)/2 ----

type DD = [number, number];
const SPLIT = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  const [t, f] = twoSum(x[1], y[1]);
  const [s2, e2] = twoSum(s, e + t);
  return twoSum(s2, e2 + f);
}

function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return twoSum(p, e + (x[0] * y[1] + x[1] * y[0]));
}

function ddMulD(x: DD, d: number): DD {
  const [p, e] = twoProd(x[0], d);
  return twoSum(p, e + x[1] * d);
}

function ddDiv(x: DD, y: DD): DD {
  const q1 = x[0] / y[0];
  let r = ddAdd(x, ddMulD(y, -q1));
  const q2 = r[0] / y[0];
  r = ddAdd(r, ddMulD(y, -q2));
  const q3 = r[0] / y[0];
  const [s, e] = twoSum(q1, q2);
  return twoSum(s, e + q3);
}

/** ln 2 to 159 bits, as three doubles. */
const LN2: [number, number, number] = [0.6931471805599453, 2.3190468138462996e-17, 5.707708438416212e-34];

/** expm1(y) in double-double, y ≥ 0 (y < 50). */
function ddExpm1(y: number): DD {
  let r: DD = [y, 0];
  let k = 0;
  if (y > 1) {
    k = Math.round(y / LN2[0]);
    // r = y − k·ln2, with k·ln2 exact to ~2^-150.
    r = ddAdd(ddAdd(twoSum(y, 0), ddMulD([LN2[0], LN2[1]], -k)), [-k * LN2[2], 0]);
  }
  // Taylor: r + r²/2! + … (|r| ≤ 1, 40 terms reach 1/40! < 2^-159).
  let term: DD = r;
  let sum: DD = r;
  for (let n = 2; n <= 40; n++) {
    term = ddMul(term, r);
    term = ddDiv(term, [n, 0]);
    sum = ddAdd(sum, term);
    if (Math.abs(term[0]) < 1e-40 * Math.abs(sum[0])) break;
  }
  if (k === 0) return sum;
  // e^y − 1 = 2^k·(1 + sum) − 1; here e^y > e, so the subtraction loses nothing.
  const ey = ddMulD(ddAdd([1, 0], sum), 2 ** k);
  return ddAdd(ey, [-1, 0]);
}

/** tanh(x) in double-double. */
export function tanhRef(x: number): DD {
  const a = Math.abs(x);
  let t: DD;
  if (a === 0 || a < 2 ** -30) {
    // x − x³/3 + 2x⁵/15: the x⁵ term is below 2^-150 relative here.
    const x3 = ddMulD(ddMulD([a, 0], a), a);
    t = ddAdd([a, 0], ddDiv(x3, [-3, 0]));
  } else if (a >= 40) {
    t = [1, -2 * Math.exp(-2 * a)];
    t = twoSum(t[0], t[1]);
  } else {
    const em = ddExpm1(2 * a);
    t = ddDiv(em, ddAdd(em, [2, 0]));
  }
  return x < 0 ? [-t[0], -t[1]] : t;
}

// ---- ulps ----

const f64 = new Float64Array(1);
const u64 = new BigInt64Array(f64.buffer);

function bits(x: number): bigint {
  f64[0] = x;
  return u64[0];
}

/** Signed position on the ordered line of doubles (so adjacent doubles differ by 1, across 0 too). */
function ordinal(x: number): bigint {
  const b = bits(x);
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** ulp of the exact value v (hi of a double-double): the spacing of doubles at |v|. */
function ulpOf(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -1022) return 2 ** -1074;
  const e = Math.floor(Math.log2(a));
  // log2 can be off by one near powers of two; fix it.
  const p = 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e;
  return 2 ** (p - 52);
}

/** |computed − exact| in ulps of the exact value. */
function errUlps(computed: number, ref: DD): number {
  // computed − hi is exact when they are within a factor 2 (Sterbenz), which holds here.
  return Math.abs(computed - ref[0] - ref[1]) / ulpOf(ref[0]);
}

// ---- test points ----

/** ≥ 10⁶ points over [-25, 25]: uniform, log-spaced down to subnormals, and every branch edge. */
function testPoints(): number[] {
  const pts: number[] = [];
  let s = 0x9e3779b9;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  for (let i = 0; i < 600_000; i++) pts.push((rnd() * 2 - 1) * 25);
  // |x| from 2^-1074 to 25, log-uniform, both signs.
  for (let i = 0; i < 300_000; i++) {
    const m = Math.exp(Math.log(2) * (-1074 + rnd() * (1074 + Math.log2(25))));
    pts.push(rnd() < 0.5 ? -m : m);
  }
  // Dense around the branch boundaries and where tanh rounds to 1.
  for (const c of [0.625, 22, 19.06154746539849, 0.5 * Math.LN2 * 3, 1, 2 ** -26]) {
    let up = c;
    let down = c;
    for (let i = 0; i < 2000; i++) {
      pts.push(up, -up, down, -down);
      up = nextUp(up);
      down = nextDown(down);
    }
    for (let i = 0; i < 4000; i++) pts.push(c + (rnd() - 0.5) * 1e-3 * c);
  }
  // Every reduction interval edge r = ±ln2/2 of the exp branch: 2a = (k ± 1/2)·ln2.
  for (let k = 1; k <= 64; k++) {
    for (const h of [-0.5, 0.5]) {
      const a = ((k + h) * Math.LN2) / 2;
      if (a < 0.625 || a > 22) continue;
      let p = a;
      for (let i = 0; i < 200; i++) {
        pts.push(p, nextDown(2 * a - p));
        p = nextUp(p);
      }
    }
  }
  // Subnormals and tiny normals.
  for (let i = 0; i < 2000; i++) pts.push(i * 2 ** -1074, -(i * 2 ** -1074), 2 ** -1022 * (1 + i / 2000));
  return pts;
}

function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return 2 ** -1074;
  f64[0] = x;
  u64[0] += x > 0 ? 1n : -1n;
  return f64[0];
}

function nextDown(x: number): number {
  return -nextUp(-x);
}

describe('core tanh', () => {
  it('special values: ±0, NaN, ±Infinity, and ±1 beyond 22', () => {
    assert.ok(Object.is(tanh(0), 0));
    assert.ok(Object.is(tanh(-0), -0));
    assert.ok(Number.isNaN(tanh(NaN)));
    assert.equal(tanh(Infinity), 1);
    assert.equal(tanh(-Infinity), -1);
    assert.equal(tanh(22), 1);
    assert.equal(tanh(-30), -1);
    assert.equal(tanh(1e300), 1);
    assert.equal(tanh(Number.MAX_VALUE), 1);
    assert.equal(tanh(2 ** -1074), 2 ** -1074);
    assert.equal(tanh(-(2 ** -1074)), -(2 ** -1074));
    assert.equal(tanh(1e-300), 1e-300);
  });

  it('is odd, and monotone across the branch boundaries', () => {
    for (const x of [1e-10, 0.1, 0.5, 0.625, 0.7, 1, 3, 10, 19, 21.99]) assert.equal(tanh(-x), -tanh(x));
    for (const c of [0.625, 22]) {
      let x = c;
      for (let i = 0; i < 1000; i++) x = nextDown(x);
      let prev = tanh(x);
      for (let i = 0; i < 2000; i++) {
        x = nextUp(x);
        const v = tanh(x);
        assert.ok(v >= prev, `tanh not monotone at ${x}`);
        prev = v;
      }
    }
  });

  it('the double-double reference agrees with known correctly rounded values', () => {
    // tanh to 25 digits (mpmath, 200-bit precision); the reference's hi must be the nearest double.
    const known: [number, string][] = [
      [0.5, '0.4621171572600097585023185'],
      [0.625, '0.5545997223493822939990391'],
      [1, '0.7615941559557648881194583'],
      [2.5, '0.986614298151430288881276'],
      [1e-5, '0.000009999999999666667484710539'],
      [-3.75, '-0.9988944427261528009678421'],
      [18, '0.999999999999999536095434'],
    ];
    for (const [x, s] of known) {
      const ref = tanhRef(x);
      assert.equal(ref[0], Number(s), `reference tanh(${x})`);
      assert.ok(Math.abs(ref[0] + ref[1] - Number(s)) <= ulpOf(ref[0]) / 2);
    }
  });

  it('max error < 1 ulp against the correctly rounded tanh over ≥ 10⁶ points in [-25, 25]', function () {
    this.timeout(120_000);
    const pts = testPoints();
    assert.ok(pts.length >= 1_000_000, `${pts.length} points`);
    let maxErr = 0;
    let maxAt = 0;
    let maxDist = 0n;
    let exact = 0;
    let maxMathDist = 0n;
    for (const x of pts) {
      const ref = tanhRef(x);
      const v = tanh(x);
      const e = errUlps(v, ref);
      if (e > maxErr) {
        maxErr = e;
        maxAt = x;
      }
      // Distance in ulps from the correctly rounded result (the reference's hi).
      let dist = ordinal(v) - ordinal(ref[0]);
      if (dist < 0n) dist = -dist;
      if (dist > maxDist) maxDist = dist;
      if (dist === 0n) exact++;
      let md = ordinal(Math.tanh(x)) - ordinal(ref[0]);
      if (md < 0n) md = -md;
      if (md > maxMathDist) maxMathDist = md;
    }
    const summary =
      `${pts.length} points: max error ${maxErr.toFixed(3)} ulp (at x = ${maxAt}), ` +
      `${((100 * exact) / pts.length).toFixed(2)}% correctly rounded, max ${maxDist} ulp from the correctly rounded value; ` +
      `Math.tanh: max ${maxMathDist} ulp from it`;
    console.log(`      ${summary}`);
    assert.ok(maxErr < 1, summary);
    assert.ok(maxDist <= 1n, summary);
  });
});
