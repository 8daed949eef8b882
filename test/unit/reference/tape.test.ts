/**
 * The reference tape itself, on tiny functions whose derivatives are known in closed form, and
 * against central finite differences on random compositions. If the tape were wrong, the BPTT
 * comparison would be meaningless, so these tests come first and are independent of src/core.
 */
import * as assert from 'assert';
import {
  Tape,
  UNIT_ROUNDOFF as U,
  activationOn,
  lossOn,
  rnnReference,
  sigmoidOn,
  softplusOn,
  softsignOn,
  reluOn,
  leakyReluOn,
  tanhOn,
  type ActName,
  type Node,
  type RnnSpec,
} from './tape';
import { mulberry32 } from './rng';

function close(a: number, b: number, rel: number, msg: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)), `${msg}: ${a} vs ${b}`);
}

function grad1(f: (t: Tape, x: Node) => Node, x0: number): { v: number; d: number; t: Tape; out: Node; x: Node } {
  const t = new Tape();
  const x = t.param(x0);
  const out = f(t, x);
  const bw = t.backward(out);
  return { v: t.val[out], d: bw.adj[x], t, out, x };
}

describe('reference tape: primitives on closed-form functions', () => {
  it('f(x, y) = (x·y − x)/(y + 2): ∂x = (y − 1)/(y + 2), ∂y = 3x/(y + 2)²', () => {
    for (const [x0, y0] of [[1.5, -0.7], [-3, 4], [0.25, 0]]) {
      const t = new Tape();
      const x = t.param(x0), y = t.param(y0);
      const f = t.div(t.sub(t.mul(x, y), x), t.add(y, t.constant(2)));
      const bw = t.backward(f);
      close(t.val[f], (x0 * y0 - x0) / (y0 + 2), 1e-15, 'value');
      close(bw.adj[x], (y0 - 1) / (y0 + 2), 1e-14, '∂x');
      close(bw.adj[y], (3 * x0) / ((y0 + 2) * (y0 + 2)), 1e-14, '∂y');
    }
  });

  it('fan-out accumulates: x·x·x → 3x², x + x − (−x) → 3, neg → −1', () => {
    const a = grad1((t, x) => t.mul(t.mul(x, x), x), -1.7);
    close(a.d, 3 * 1.7 * 1.7, 1e-15, 'x³');
    const b = grad1((t, x) => t.sub(t.add(x, x), t.neg(x)), 5);
    assert.strictEqual(b.d, 3);
    assert.strictEqual(b.v, 15);
  });

  it('exp, log, log1p: f = e^x·log y + log1p(x·y)', () => {
    const x0 = 0.3, y0 = 2.5;
    const t = new Tape();
    const x = t.param(x0), y = t.param(y0);
    const f = t.add(t.mul(t.exp(x), t.log(y)), t.log1p(t.mul(x, y)));
    const bw = t.backward(f);
    close(t.val[f], Math.exp(x0) * Math.log(y0) + Math.log1p(x0 * y0), 1e-15, 'value');
    close(bw.adj[x], Math.exp(x0) * Math.log(y0) + y0 / (1 + x0 * y0), 1e-14, '∂x');
    close(bw.adj[y], Math.exp(x0) / y0 + x0 / (1 + x0 * y0), 1e-14, '∂y');
  });

  it('tanh′ = sech² to full relative accuracy, also deep in saturation; 0 (not NaN) at ±∞', () => {
    for (const z of [0, 0.5, -2, 10, -20, 30]) {
      const r = grad1((t, x) => t.tanh(x), z);
      const e = Math.exp(-2 * Math.abs(z));
      close(r.d, (4 * e) / ((1 + e) * (1 + e)), 1e-14, `tanh'(${z})`);
    }
    assert.strictEqual(grad1((t, x) => t.tanh(x), 800).d, 0);
    assert.strictEqual(grad1((t, x) => t.tanh(x), -Infinity).d, 0);
    assert.strictEqual(grad1((t, x) => t.tanh(x), Infinity).v, 1);
  });

  it('abs: sign, with abs′(0) = 0', () => {
    assert.strictEqual(grad1((t, x) => t.abs(x), -2).d, -1);
    assert.strictEqual(grad1((t, x) => t.abs(x), 3).d, 1);
    assert.strictEqual(grad1((t, x) => t.abs(x), 0).d, 0);
  });

  it('where sends the gradient to the chosen branch only; unreached nodes never poison a gradient', () => {
    const t = new Tape();
    const x = t.param(2);
    const a = t.mul(x, t.constant(3));
    const b = t.mul(x, t.constant(Infinity)); // the other branch: ∞ partial
    const f = t.where(true, a, b);
    const bw = t.backward(f);
    assert.strictEqual(bw.adj[x], 3);
    assert.strictEqual(bw.reached[b], 0);
    // A node computed from x but not used by the root does not contribute either.
    const t2 = new Tape();
    const x2 = t2.param(1);
    t2.mul(x2, t2.constant(NaN));
    const f2 = t2.mul(x2, x2);
    assert.strictEqual(t2.backward(f2).adj[x2], 2);
  });

  it('partial(out, in) restricts the sweep to the path between the two nodes', () => {
    const t = new Tape();
    const x = t.param(0.4);
    const g = t.tanh(x);
    const hNode = t.mul(g, t.constant(5));
    const f = t.mul(hNode, hNode);
    const th = Math.tanh(0.4);
    close(t.partial(f, hNode).p, 2 * 5 * th, 1e-15, '∂f/∂h');
    close(t.partial(hNode, x).p, 5 * (1 - th * th), 1e-14, '∂h/∂x');
    close(t.partial(f, x).p, t.backward(f).adj[x], 1e-15, 'full vs restricted');
  });

  it('composites vs their definitions: sigmoid, softplus, softsign, relu, leaky_relu', () => {
    for (const z of [-50, -30, -5, -1, -1e-3, 0, 1e-3, 1, 5, 30, 50]) {
      const e = Math.exp(-Math.abs(z));
      const s = sigmoidOn, sp = softplusOn, ss = softsignOn;
      const rs = grad1(s, z);
      close(rs.v, z >= 0 ? 1 / (1 + e) : e / (1 + e), 1e-15, `σ(${z})`);
      close(rs.d, e / ((1 + e) * (1 + e)), 1e-14, `σ'(${z})`); // accurate, no 1 − σ cancellation
      const rp = grad1(sp, z);
      close(rp.v, Math.max(z, 0) + Math.log1p(e), 1e-15, `softplus(${z})`);
      close(rp.d, z >= 0 ? 1 / (1 + e) : e / (1 + e), 1e-14, `softplus'(${z})`);
      const rss = grad1(ss, z);
      close(rss.v, z / (1 + Math.abs(z)), 1e-15, `softsign(${z})`);
      close(rss.d, 1 / ((1 + Math.abs(z)) * (1 + Math.abs(z))), 1e-12, `softsign'(${z})`);
      assert.strictEqual(grad1(reluOn, z).d, z > 0 ? 1 : 0);
      assert.strictEqual(grad1(leakyReluOn, z).d, z > 0 ? 1 : 0.01);
      assert.strictEqual(grad1(reluOn, z).v, z > 0 ? z : 0);
    }
    assert.strictEqual(grad1(sigmoidOn, 800).d, 0);
    assert.strictEqual(grad1(sigmoidOn, -800).d, 0);
    assert.strictEqual(grad1(softsignOn, Infinity).v, 1);
    assert.strictEqual(grad1(softsignOn, -Infinity).v, -1);
    assert.strictEqual(grad1(softsignOn, -Infinity).d, 0);
    assert.ok(Number.isNaN(grad1(reluOn, NaN).v));
    assert.ok(Number.isNaN(grad1(reluOn, NaN).d));
  });

  it('losses on the tape: squared d, mse 2d, abs sign(d), bce −y/ŷ + (1−y)/(1−ŷ), huber d or ±1', () => {
    const cases: [number, number][] = [[0.3, 0.8], [2.5, -1], [-1, 0.2], [0.5, 0.5]];
    for (const [yh, y] of cases) {
      const d = yh - y;
      const L = (k: Parameters<typeof lossOn>[1]) => grad1((t, x) => lossOn(t, k, x, y), yh);
      close(L('squared').v, 0.5 * d * d, 1e-15, 'squared');
      close(L('squared').d, d, 1e-15, "squared'");
      close(L('mse').d, 2 * d, 1e-15, "mse'");
      assert.strictEqual(L('abs').d, Math.sign(d));
      close(L('huber').d, Math.abs(d) <= 1 ? d : Math.sign(d), 1e-15, "huber'");
      close(L('huber').v, Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5, 1e-15, 'huber');
    }
    for (const [yh, y] of [[0.3, 0.8], [0.9, 0], [0.2, 1], [0.6, 0.5]]) {
      const r = grad1((t, x) => lossOn(t, 'bce', x, y), yh);
      close(r.v, -((y === 0 ? 0 : y * Math.log(yh)) + (y === 1 ? 0 : (1 - y) * Math.log(1 - yh))), 1e-15, 'bce');
      close(r.d, -y / yh + (1 - y) / (1 - yh), 1e-14, "bce'");
    }
    // Huber at the kink |d| = 1 from both sides: derivative ±1.
    assert.strictEqual(grad1((t, x) => lossOn(t, 'huber', x, 0), 1).d, 1);
    assert.strictEqual(grad1((t, x) => lossOn(t, 'huber', x, 0), -1).d, -1);
    assert.ok(grad1((t, x) => lossOn(t, 'bce', x, 1), 1).v === 0); // 0·log 0 term left out (±0)
    assert.strictEqual(grad1((t, x) => lossOn(t, 'bce', x, 0), 1).v, Infinity);
  });

  it('error magnitudes see cancellation: fe(a − b) ≥ |a| + |b|; tanh/sigmoid allow an absolute-ε derivative', () => {
    const t = new Tape();
    const a = t.mul(t.param(1 + 1e-10), t.constant(1));
    const b = t.mul(t.param(1), t.constant(1));
    const d = t.sub(a, b);
    assert.ok(t.fe[d] >= 2 && t.fe[d] > 1e9 * Math.abs(t.val[d]));
    // Saturated tanh: the tape's derivative is tiny and exact, its allowed error is ~1 (×u).
    const t2 = new Tape();
    const z = t2.param(30);
    const y = tanhOn(t2, z);
    const p = t2.partial(y, z);
    assert.ok(p.p > 0 && p.p < 1e-25);
    assert.ok(p.pe >= 1);
    // Away from saturation the magnitudes are O(|value|): they do not make every comparison vacuous.
    const t3 = new Tape();
    const z3 = t3.param(0.3);
    const y3 = tanhOn(t3, z3);
    assert.ok(t3.fe[y3] < 4 * Math.abs(t3.val[y3]));
    assert.ok(t3.partial(y3, z3).pe < 8);
  });

  it('random compositions of every op agree with central finite differences', () => {
    const rng = mulberry32(0x7a9e);
    const acts: ActName[] = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity', 'softsign', 'softplus'];
    let checked = 0;
    for (let k = 0; k < 300; k++) {
      const x0 = -2 + 4 * rng();
      const ops = Array.from({ length: 6 }, () => Math.floor(rng() * 9));
      const coef = Array.from({ length: 6 }, () => -1.5 + 3 * rng());
      const build = (t: Tape, x: Node): Node => {
        let cur = x;
        for (let i = 0; i < ops.length; i++) {
          const c = t.constant(coef[i]);
          switch (ops[i]) {
            case 0: cur = t.add(t.mul(cur, c), x); break;
            case 1: cur = t.div(cur, t.add(t.constant(2), t.abs(t.mul(c, x)))); break;
            case 2: cur = t.tanh(t.sub(cur, c)); break;
            case 3: cur = t.mul(cur, t.exp(t.mul(c, t.tanh(x)))); break;
            case 4: cur = t.log1p(t.exp(t.mul(cur, c))); break;
            case 5: cur = t.log(t.add(t.constant(3), t.tanh(cur))); break;
            default: cur = activationOn(t, acts[(ops[i] + i) % acts.length], t.add(cur, c));
          }
        }
        return cur;
      };
      const val = (x: number) => {
        const t = new Tape();
        return t.val[build(t, t.param(x))];
      };
      const r = grad1(build, x0);
      const h = 1e-6;
      const D = (val(x0 + h) - val(x0 - h)) / (2 * h);
      const D2 = (val(x0 + 2 * h) - val(x0 - 2 * h)) / (4 * h);
      if (Math.abs(D - D2) > 1e-4 * Math.max(1, Math.abs(D))) continue; // a relu/abs kink inside [x−2h, x+2h]
      assert.ok(Math.abs(r.d - D) <= 1e-6 * Math.max(1, Math.abs(D)), `case ${k}: tape ${r.d} vs FD ${D}`);
      checked++;
    }
    assert.ok(checked > 250, `${checked}`);
  });
});

describe('reference tape: the RNN, by hand', () => {
  const base: RnnSpec = { w: 0.5, v: 2, b: 0.1, u: 3, c: -1, h0: 0.4, phi: 'identity', theta: 'identity', loss: 'squared', reduction: 'sum' };

  it('T = 1, identity φ and θ, squared: every gradient in closed form', () => {
    // s = w·h0 + v·x + b = 3.3, ŷ = u·s + c = 8.9, e = ŷ − y = 6.9, L = ½e² = 23.805
    const ref = rnnReference(base, [1.5], [2], [1]);
    const e = 6.9;
    close(ref.steps[0].s.v, 3.3, 1e-15, 's');
    close(ref.steps[0].yhat.v, 8.9, 1e-15, 'ŷ');
    close(ref.loss.v, 23.805, 1e-14, 'L');
    close(ref.grads.u.v, e * 3.3, 1e-14, 'u');
    close(ref.grads.c.v, e, 1e-14, 'c');
    close(ref.grads.w.v, e * 3 * 0.4, 1e-14, 'w');
    close(ref.grads.v.v, e * 3 * 1.5, 1e-14, 'v');
    close(ref.grads.b.v, e * 3, 1e-14, 'b');
    close(ref.grads.h0.v, e * 3 * 0.5, 1e-14, 'h0');
    close(ref.steps[0].dL_ds.v, e * 3, 1e-14, '∂L/∂s');
    assert.strictEqual(ref.steps[0].dL_dh_recurrent.v, 0);
  });

  it('T = 2, mean over two targets: local and recurrent parts of ∂L/∂h₁ in closed form', () => {
    const spec: RnnSpec = { ...base, reduction: 'mean' };
    const x = [1.5, -0.5], y = [2, 1];
    const { w, v, b, u, c, h0 } = spec;
    const s1 = w * h0 + v * x[0] + b, s2 = w * s1 + v * x[1] + b;
    const e1 = u * s1 + c - y[0], e2 = u * s2 + c - y[1];
    const ref = rnnReference(spec, x, y, [1, 1]);
    close(ref.loss.v, (0.5 * e1 * e1 + 0.5 * e2 * e2) / 2, 1e-14, 'L');
    close(ref.steps[1].dL_dyhat.v, e2 / 2, 1e-14, '∂L/∂ŷ₂');
    close(ref.steps[1].dL_ds.v, (u * e2) / 2, 1e-14, '∂L/∂s₂');
    close(ref.steps[0].dL_dh_local.v, (u * e1) / 2, 1e-14, 'local₁');
    close(ref.steps[0].dL_dh_recurrent.v, (w * u * e2) / 2, 1e-14, 'recurrent₁');
    close(ref.steps[0].dL_dh.v, (u * e1) / 2 + (w * u * e2) / 2, 1e-14, '∂L/∂h₁');
    close(ref.grads.w.v, (u * e1 * h0) / 2 + (u * e2 * (s1 + w * h0)) / 2, 1e-13, 'w');
    close(ref.steps[0].phiPrime.v, 1, 0, "φ'");
    close(ref.steps[0].thetaPrime.v, 1, 0, "θ'");
  });

  it('T = 2, tanh φ, sigmoid θ, target only at t = 2 (many-to-one)', () => {
    const spec: RnnSpec = { ...base, phi: 'tanh', theta: 'sigmoid', loss: 'bce', w: -1.2 };
    const x = [0.7, -0.3], y = [0, 0.25];
    const { w, v, b, u, c, h0 } = spec;
    const h1 = Math.tanh(w * h0 + v * x[0] + b);
    const h2 = Math.tanh(w * h1 + v * x[1] + b);
    const yh2 = 1 / (1 + Math.exp(-(u * h2 + c)));
    const dz2 = yh2 - y[1]; // bce ∘ sigmoid
    const ds2 = dz2 * u * (1 - h2 * h2);
    const ds1 = w * ds2 * (1 - h1 * h1);
    const ref = rnnReference(spec, x, y, [0, 1]);
    assert.strictEqual(ref.steps[0].loss, null);
    assert.strictEqual(ref.steps[0].dL_dyhat.v, 0);
    close(ref.steps[1].dL_ds.v, ds2, 1e-13, '∂L/∂s₂');
    close(ref.steps[0].dL_ds.v, ds1, 1e-13, '∂L/∂s₁');
    close(ref.grads.h0.v, w * ds1, 1e-13, '∂L/∂h0');
    close(ref.grads.c.v, dz2, 1e-13, '∂L/∂c');
  });

  it('no targets: L = 0 and every gradient is 0', () => {
    const ref = rnnReference({ ...base, reduction: 'mean' }, [1, 2, 3], [0, 0, 0], [0, 0, 0]);
    assert.strictEqual(ref.loss.v, 0);
    for (const k of ['w', 'v', 'b', 'u', 'c', 'h0'] as const) assert.strictEqual(ref.grads[k].v, 0);
  });

  it('error magnitudes stay O(10²)·|value| on a benign model (an error bound of u·mag is far below 1e-9 relative)', () => {
    // mag counts one |r| per rounding along the whole computation, so a few dozen roundings give
    // a few dozen |value|; 16·u·mag is then ~1e-13 relative: the comparison is not made vacuous.
    const ref = rnnReference({ ...base, phi: 'tanh', w: 0.7 }, [0.3, -0.2, 0.5, 0.1], [0.1, 0.2, -0.1, 0.4], [1, 1, 1, 1]);
    const check = (name: string, r: { v: number; mag: number }) =>
      assert.ok(16 * U * r.mag <= 1e-12 * Math.abs(r.v), `${name}: mag ${r.mag} vs value ${r.v}`);
    for (const st of ref.steps) {
      check('h', st.h);
      check('ŷ', st.yhat);
      check("φ'", st.phiPrime);
      check('∂L/∂s', st.dL_ds);
      check('∂L/∂h', st.dL_dh);
    }
    for (const k of ['w', 'v', 'b', 'u', 'c', 'h0'] as const) check(k, ref.grads[k]);
  });
});
