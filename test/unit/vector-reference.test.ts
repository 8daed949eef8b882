/**
 * The vector reference pass (src/core/vector/reference.ts) against the vector tape
 * (test/unit/reference/vtape.ts), central finite differences on every parameter element, and, at
 * n = m = k = 1, bit for bit against the scalar reference and the scalar kernel.
 * Tolerances: see test/unit/reference/vtape-cases.ts.
 */
import * as assert from 'assert';
import { LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, referenceBptt, runBptt, type Model } from '../../src/core';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { VECTOR_PARAM_NAMES, type VectorModel, type VectorSequenceData, type VectorTrace } from '../../src/core/vector/model';
import { rnnReference, UNIT_ROUNDOFF as U } from './reference/tape';
import { buildVectorRnn, vectorLoss, vectorReference, type VReference } from './reference/vtape';
import { cmp, cmpVec, makeVectorCase, specOf, stats, TOL, type CaseShape, type VCase } from './reference/vtape-cases';
import { mulberry32 } from './reference/rng';

const NS = [1, 2, 5, 17];

/** L, the six gradients and s, h, ∂L/∂s at every step, against the tape. */
function compareTrace(ctx: string, tr: VectorTrace, ref: VReference, strict = true): void {
  const g = ref.graph;
  assert.strictEqual(tr.nTargets, g.nTargets, `${ctx}: nTargets`);
  cmp(`${ctx} L`, tr.loss, ref.loss, strict);
  for (const key of VECTOR_PARAM_NAMES) cmpVec(`${ctx} ∂L/∂${key}`, tr.grads[key], ref.grads[key], strict);
  const { n } = tr.model;
  const tp = g.tape;
  for (let i = 0; i < tr.T; i++) {
    const at = `${ctx} t=${i + 1}`;
    cmpVec(`${at} s`, tr.s.subarray(i * n, (i + 1) * n), g.s[i].map((x) => ({ v: tp.val[x], mag: tp.fe[x] })), strict);
    cmpVec(`${at} h`, tr.h.subarray(i * n, (i + 1) * n), g.h[i].map((x) => ({ v: tp.val[x], mag: tp.fe[x] })), strict);
  }
}

/** ∂L/∂s from the same sweep as the gradients (vectorReference without steps has none). */
function compareDs(ctx: string, tr: VectorTrace, c: VCase, strict = true): void {
  const g = buildVectorRnn(specOf(c.model), c.data);
  const bw = g.tape.backward(g.L);
  const { n } = tr.model;
  for (let i = 0; i < tr.T; i++) {
    cmpVec(`${ctx} t=${i + 1} ∂L/∂s`, tr.dL_ds.subarray(i * n, (i + 1) * n), g.s[i].map((x) => ({ v: bw.adj[x], mag: bw.err[x] })), strict);
  }
}

function runCase(c: VCase): VectorTrace {
  const tr = referenceVectorBptt(c.model, c.data);
  assert.ok(Number.isFinite(tr.loss), `${c.label}: loss ${tr.loss} (the generator keeps values finite)`);
  assert.strictEqual(tr.firstNonFinite, null, `${c.label}: firstNonFinite`);
  compareTrace(c.label, tr, vectorReference(specOf(c.model), c.data, false));
  compareDs(c.label, tr, c);
  return tr;
}

// ---------------------------------------------------------------------------------------------

describe('vector tape: agrees with the scalar tape at n = m = k = 1, and cross-entropy in closed form', () => {
  it('n = m = k = 1: the vector tape builds the scalar tape value for value', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const c = makeVectorCase(seed, { n: 1, m: 1, k: 1, T: 12, phi: PHI_NAMES[seed % 7], theta: THETA_NAMES[seed % 5], loss: LOSS_NAMES[seed % 5], reduction: REDUCTION_NAMES[seed % 2] });
      const M = c.model;
      const spec = { w: M.W[0], v: M.V[0], b: M.b[0], u: M.U[0], c: M.c[0], h0: M.h0[0], phi: M.phi, theta: M.theta, loss: M.loss as Model['loss'], reduction: M.reduction };
      const sRef = rnnReference(spec, c.data.x, c.data.y, c.data.hasY);
      const vRef = vectorReference(specOf(M), c.data);
      assert.ok(Object.is(vRef.loss.v, sRef.loss.v), `${c.label}: L`);
      const keys = [['W', 'w'], ['V', 'v'], ['b', 'b'], ['U', 'u'], ['c', 'c'], ['h0', 'h0']] as const;
      for (const [vk, sk] of keys) assert.ok(Object.is(vRef.grads[vk][0].v, sRef.grads[sk].v), `${c.label}: ∂L/∂${vk}`);
      for (let i = 0; i < 12; i++) assert.ok(Object.is(vRef.steps[i].dL_ds[0].v, sRef.steps[i].dL_ds.v), `${c.label}: ∂L/∂s t=${i + 1}`);
    }
  });

  it('cross-entropy: ℓ = log Σ e^z − z_y and ∂ℓ/∂z = softmax(z) − onehot(y)', () => {
    const z0 = [0.3, -1.2, 2.5, 0.0];
    for (let cls = 0; cls < 4; cls++) {
      const spec = { n: 1, m: 1, k: 4, W: [0], V: [0], b: [0], U: [0, 0, 0, 0], c: z0, h0: [0], phi: 'identity', theta: 'identity', loss: 'cross_entropy', reduction: 'sum' } as const;
      const ref = vectorReference(spec, { T: 1, x: [0], y: [cls], hasY: [1] });
      const sumExp = z0.reduce((a, z) => a + Math.exp(z), 0);
      assert.ok(Math.abs(ref.loss.v - (Math.log(sumExp) - z0[cls])) < 1e-15 * 4);
      for (let q = 0; q < 4; q++) {
        const want = Math.exp(z0[q]) / sumExp - (q === cls ? 1 : 0);
        assert.ok(Math.abs(ref.grads.c[q].v - want) < 1e-15 * 4, `∂ℓ/∂z_${q}`);
      }
    }
  });
});

describe('vector reference vs the vector tape: every φ × θ × loss × reduction, n ∈ {1, 2, 5, 17}', function () {
  this.timeout(120000);
  let idx = 0;
  for (const phi of PHI_NAMES) {
    for (const reduction of REDUCTION_NAMES) {
      for (const loss of [...LOSS_NAMES, 'cross_entropy'] as const) {
        // cross_entropy takes θ = identity (the logits); each other loss every θ.
        for (const theta of loss === 'cross_entropy' ? (['identity', 'identity'] as const) : THETA_NAMES) {
          const seed = 0x7ec00000 + idx;
          const r = mulberry32(seed ^ 0x2545f491);
          const shape: CaseShape = {
            n: NS[idx % 4],
            m: 1 + Math.floor(r() * 4),
            k: loss === 'cross_entropy' ? 2 + Math.floor(r() * 4) : 1 + Math.floor(r() * 3),
            T: 1 + Math.floor(r() * (NS[idx % 4] === 17 ? 12 : 30)),
            phi, theta, loss, reduction,
          };
          idx++;
          const c = makeVectorCase(seed, shape);
          it(c.label, () => {
            runCase(c);
          });
        }
      }
    }
  }

  // Long sequences, T = 200, |W| below and above 1 (tanh and sigmoid may explode only boundedly).
  const long: [CaseShape['phi'], CaseShape['theta'], CaseShape['loss'], number, number][] = [
    ['tanh', 'identity', 'squared', 5, 1.3], ['sigmoid', 'sigmoid', 'bce', 17, 2.5], ['relu', 'identity', 'cross_entropy', 5, 0.9],
    ['softsign', 'tanh', 'huber', 17, 1.2], ['leaky_relu', 'softplus', 'mse', 2, 0.8], ['softplus', 'relu', 'abs', 5, 0.7],
    ['identity', 'identity', 'cross_entropy', 17, 0.95], ['tanh', 'sigmoid', 'cross_entropy', 17, 2],
  ];
  long.forEach(([phi, theta, loss, n, gain], j) => {
    const c = makeVectorCase(0x10e90000 + j, { n, m: 3, k: loss === 'cross_entropy' ? 5 : 2, T: 200, phi, theta, loss, reduction: j % 2 ? 'mean' : 'sum', gain, mode: 'random' });
    it(`long: ${c.label}`, () => {
      runCase(c);
    });
  });

  after(() => console.log(`      [vector-reference] ${stats.compared} values against the tape, worst normalized error ${stats.worstNormalized.toExponential(2)} (${stats.worstAt})`));
});

// ---------------------------------------------------------------------------------------------

/** Which side of each kink the forward pass is on, from the tape's values. */
function kinks(model: VectorModel, data: VectorSequenceData): string {
  const g = buildVectorRnn(specOf(model), data);
  const v = g.tape.val;
  const sign = (a: number) => (a > 0 ? 'p' : a < 0 ? 'n' : '0');
  const parts: string[] = [];
  const yw = model.loss === 'cross_entropy' ? 1 : model.k;
  for (let i = 0; i < data.T; i++) {
    if (model.phi === 'relu' || model.phi === 'leaky_relu') for (const sr of g.s[i]) parts.push(sign(v[sr]));
    if (model.theta === 'relu') for (const zq of g.z[i]) parts.push(sign(v[zq]));
    if (data.hasY[i] && (model.loss === 'abs' || model.loss === 'huber')) {
      g.yhat[i].forEach((yq, q) => {
        const d = v[yq] - data.y[i * yw + q];
        parts.push(model.loss === 'abs' ? sign(d) : sign(Math.abs(d) - 1));
      });
    }
  }
  return parts.join('');
}

describe('vector reference vs central finite differences, every parameter element', function () {
  this.timeout(120000);
  const fd = { checked: 0, kink: 0 };
  let idx = 0;
  for (const phi of PHI_NAMES) {
    for (const loss of [...LOSS_NAMES, 'cross_entropy'] as const) {
      const seed = 0xfd000000 + idx;
      const theta = loss === 'cross_entropy' ? 'identity' : THETA_NAMES[idx % 5];
      const c = makeVectorCase(seed, { n: [1, 2, 5][idx % 3], m: 2, k: loss === 'cross_entropy' ? 3 : 2, T: 1 + (idx % 8), phi, theta, loss, reduction: REDUCTION_NAMES[idx % 2], mode: 'random' });
      idx++;
      it(c.label, () => {
        const tr = referenceVectorBptt(c.model, c.data);
        const mag = vectorLoss(specOf(c.model), c.data).mag;
        const sig0 = kinks(c.model, c.data);
        for (const key of VECTOR_PARAM_NAMES) {
          const p = c.model[key];
          for (let j = 0; j < p.length; j++) {
            const h = 1e-6 * Math.max(Math.abs(p[j]), 1e-3);
            const at = (d: number): VectorModel => {
              const q = p.slice();
              q[j] += d;
              return { ...c.model, [key]: q };
            };
            if ([-2 * h, -h, h, 2 * h].some((d) => kinks(at(d), c.data) !== sig0)) {
              fd.kink++;
              continue;
            }
            const L = (d: number) => referenceVectorBptt(at(d), c.data).loss;
            const D1 = (L(h) - L(-h)) / (2 * h), D2 = (L(2 * h) - L(-2 * h)) / (4 * h);
            const g = tr.grads[key][j];
            const allowed = 1e-5 * Math.max(Math.abs(g), Math.abs(D1)) + (8 * U * mag) / (2 * h) + Math.abs(D1 - D2);
            fd.checked++;
            if (!(Math.abs(g - D1) <= allowed)) assert.fail(`${c.label}: ∂L/∂${key}[${j}] = ${g}, central FD ${D1} (allowed ${allowed})`);
          }
        }
      });
    }
  }
  it('checked many elements, few skipped at a kink', () => {
    assert.ok(fd.checked >= 500 && fd.kink < fd.checked / 10, `${fd.checked} checked, ${fd.kink} at a kink`);
  });
});

// ---------------------------------------------------------------------------------------------

function scalarModel(M: VectorModel): Model {
  return { w: M.W[0], v: M.V[0], b: M.b[0], u: M.U[0], c: M.c[0], h0: M.h0[0], phi: M.phi, theta: M.theta, loss: M.loss as Model['loss'], reduction: M.reduction };
}

/** s, h, ∂L/∂s, L and the six gradients, to the bit (Object.is, so NaN = NaN and 0 ≠ −0). */
function assertBitEqual(ctx: string, v: VectorTrace, M: Model, data: VectorSequenceData): void {
  for (const [name, pass] of [['referenceBptt', referenceBptt], ['runBptt', runBptt]] as const) {
    const s = pass(M, { x: data.x, y: data.y, hasY: data.hasY });
    const eq = (a: number, b: number, what: string) => assert.ok(Object.is(a, b), `${ctx} vs ${name}: ${what} ${a} ≠ ${b}`);
    eq(v.loss, s.loss, 'L');
    assert.strictEqual(v.firstNonFinite, s.firstNonFinite, `${ctx} vs ${name}: firstNonFinite`);
    eq(v.grads.W[0], s.grads.w, '∂L/∂W');
    eq(v.grads.V[0], s.grads.v, '∂L/∂V');
    eq(v.grads.b[0], s.grads.b, '∂L/∂b');
    eq(v.grads.U[0], s.grads.u, '∂L/∂U');
    eq(v.grads.c[0], s.grads.c, '∂L/∂c');
    eq(v.grads.h0[0], s.grads.h0, '∂L/∂h0');
    for (let i = 0; i < data.T; i++) {
      eq(v.s[i], s.s[i], `s t=${i + 1}`);
      eq(v.h[i], s.h[i], `h t=${i + 1}`);
      eq(v.dL_ds[i], s.dL_ds[i], `∂L/∂s t=${i + 1}`);
    }
    assert.strictEqual(v.nTargets, s.nTargets);
    assert.strictEqual(v.lastTargetT, s.lastTargetT);
  }
}

describe('vector reference at n = m = k = 1: bit for bit the scalar reference and the scalar kernel', function () {
  this.timeout(60000);
  it('every φ × θ × loss × reduction, random lengths and targets', () => {
    let idx = 0;
    for (const phi of PHI_NAMES) for (const theta of THETA_NAMES) for (const loss of LOSS_NAMES) for (const reduction of REDUCTION_NAMES) {
      for (let rep = 0; rep < 2; rep++) {
        const c = makeVectorCase(0xb17b0000 + 2 * idx + rep, { n: 1, m: 1, k: 1, T: rep ? 200 : 1 + (idx % 40), phi, theta, loss, reduction, gain: rep ? 0.9 : undefined });
        assertBitEqual(c.label, referenceVectorBptt(c.model, c.data), scalarModel(c.model), c.data);
      }
      idx++;
    }
  });

  it('NaN and ±∞ in x, y and the weights, and T = 0: the same bits (NaN where the scalar has NaN)', () => {
    const bad = [NaN, Infinity, -Infinity, 1e308, -0];
    let idx = 0;
    for (const phi of PHI_NAMES) for (const loss of LOSS_NAMES) {
      const c = makeVectorCase(0xbad00000 + idx, { n: 1, m: 1, k: 1, T: 6, phi, theta: THETA_NAMES[idx % 5], loss, reduction: REDUCTION_NAMES[idx % 2], mode: 'all' });
      const v = bad[idx % bad.length];
      const where = idx % 4;
      if (where === 0) c.data.x[idx % 6] = v;
      else if (where === 1) c.data.y[idx % 6] = v;
      else if (where === 2) c.model.W[0] = v;
      else c.model.U[0] = v;
      assertBitEqual(c.label, referenceVectorBptt(c.model, c.data), scalarModel(c.model), c.data);
      idx++;
    }
    const empty = makeVectorCase(1, { n: 1, m: 1, k: 1, T: 0, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'mean' });
    assert.strictEqual(referenceVectorBptt(empty.model, empty.data).firstNonFinite, null);
    assertBitEqual('T=0', referenceVectorBptt(empty.model, empty.data), scalarModel(empty.model), empty.data);
  });
});

// ---------------------------------------------------------------------------------------------

describe('vector reference: firstNonFinite', () => {
  it('at n = m = k = 1 it names the scalar trace\'s step, for NaN, ±∞ and 1e308 in x, y, w, u, c, b (every φ, θ, loss)', () => {
    let differ = 0, nonFinite = 0;
    for (let idx = 0; idx < 1500; idx++) {
      const c = makeVectorCase(0xf00 + idx, { n: 1, m: 1, k: 1, T: 8, phi: PHI_NAMES[idx % 7], theta: THETA_NAMES[(idx >> 3) % 5], loss: LOSS_NAMES[(idx >> 5) % 5], reduction: 'sum' });
      const bad = [NaN, Infinity, -Infinity, 1e308][idx % 4];
      const where = (['x', 'y', 'W', 'U', 'c', 'b'] as const)[(idx >> 2) % 6];
      if (where === 'x' || where === 'y') c.data[where][idx % 8] = bad;
      else c.model[where][0] = bad;
      const s = runBptt(scalarModel(c.model), c.data);
      const v = referenceVectorBptt(c.model, c.data);
      if (s.firstNonFinite !== null) nonFinite++;
      if (s.firstNonFinite !== v.firstNonFinite) differ++;
      assert.strictEqual(v.firstNonFinite, s.firstNonFinite, `${c.label} ${where}=${bad}`);
    }
    assert.ok(nonFinite > 700 && differ === 0, `${nonFinite} non-finite cases`);
  });

  it('a loss of +∞ with finite gradients (a target beyond 1e308) still names its step', () => {
    const c = makeVectorCase(0x1f, { n: 3, m: 2, k: 2, T: 6, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', mode: 'all' });
    c.data.y[2 * 2 + 1] = 1e308;
    const tr = referenceVectorBptt(c.model, c.data);
    assert.strictEqual(tr.loss, Infinity);
    assert.ok(tr.dL_ds.every(Number.isFinite));
    assert.strictEqual(tr.firstNonFinite, 3);
  });
});

describe('vector reference: saturation, non-finite values, class labels out of range', () => {
  it('saturated tanh and sigmoid (‖V·x‖ ~ 40): agrees with the tape (rounding-aware tolerance)', () => {
    for (const [j, phi] of (['tanh', 'sigmoid', 'softsign', 'softplus'] as const).entries()) {
      const c = makeVectorCase(0x5a700000 + j, { n: 5, m: 2, k: 2, T: 30, phi, theta: 'identity', loss: 'squared', reduction: 'sum', gain: 4, inputScale: 40, mode: 'all' });
      runCase(c);
    }
  });

  it('NaN / ±∞ in x, y, W, V, U, b, c, h0: L, gradients, s, h and ∂L/∂s match the tape by Object.is or tolerance', () => {
    const bad = [NaN, Infinity, -Infinity];
    let idx = 0;
    for (const phi of PHI_NAMES) {
      for (const where of ['x', 'y', 'W', 'V', 'U', 'b', 'c', 'h0'] as const) {
        const loss = (['squared', 'huber', 'abs', 'cross_entropy'] as const)[idx % 4];
        const c = makeVectorCase(0x0af00000 + idx, { n: 2, m: 2, k: 3, T: 5, phi, theta: 'identity', loss, reduction: REDUCTION_NAMES[idx % 2], mode: 'all' });
        const v = bad[idx % 3];
        if (where === 'x' || where === 'y') {
          if (where === 'y' && loss === 'cross_entropy') c.data.y[2] = v;
          else c.data[where][idx % c.data[where].length] = v;
        } else c.model[where][idx % c.model[where].length] = v;
        const tr = referenceVectorBptt(c.model, c.data);
        const ref = vectorReference(specOf(c.model), c.data, false);
        compareTrace(`${c.label} ${where}=${v}`, tr, ref, false);
        compareDs(`${c.label} ${where}=${v}`, tr, c, false);
        idx++;
      }
    }
    // ±∞ where the tape's composition made ∞ − ∞: seen only for softsign (counted, and kept rare).
    assert.ok(stats.infForNaN <= 16, `${stats.infForNaN} values ±∞ where the tape has NaN`);
  });

  it('cross_entropy with a class out of range (k, −1, 1.5, NaN): L and every gradient before it are NaN; after it unaffected', () => {
    for (const badCls of [4, -1, 1.5, NaN]) {
      const c = makeVectorCase(0xc1a5, { n: 3, m: 2, k: 4, T: 6, phi: 'tanh', theta: 'identity', loss: 'cross_entropy', reduction: 'mean', mode: 'all' });
      c.data.y[3] = badCls;
      const tr = referenceVectorBptt(c.model, c.data);
      assert.ok(Number.isNaN(tr.loss), `L with class ${badCls}`);
      for (const key of VECTOR_PARAM_NAMES) assert.ok(tr.grads[key].every(Number.isNaN), `∂L/∂${key} with class ${badCls}`);
      for (let i = 0; i < 6; i++) {
        const row = tr.dL_ds.subarray(i * 3, i * 3 + 3);
        assert.strictEqual(row.every(Number.isNaN), i <= 3, `∂L/∂s t=${i + 1}`);
      }
      assert.strictEqual(tr.firstNonFinite, 1);
      compareTrace(`class ${badCls}`, tr, vectorReference(specOf(c.model), c.data, false), false);
    }
  });

  it('no target at all: L = 0 and every gradient exactly 0; steps after the last target get ∂L/∂s = 0', () => {
    const c = makeVectorCase(0x0, { n: 5, m: 2, k: 2, T: 10, phi: 'tanh', theta: 'identity', loss: 'mse', reduction: 'mean', mode: 'none' });
    const tr = referenceVectorBptt(c.model, c.data);
    assert.strictEqual(tr.loss, 0);
    for (const key of VECTOR_PARAM_NAMES) assert.ok(tr.grads[key].every((g) => g === 0));
    assert.strictEqual(tr.lastTargetT, null);
    c.data.hasY[4] = 1;
    const tr2 = referenceVectorBptt(c.model, c.data);
    assert.strictEqual(tr2.lastTargetT, 5);
    assert.ok(tr2.dL_ds.subarray(5 * 5).every((g) => g === 0));
    assert.ok(tr2.dL_ds.subarray(4 * 5, 5 * 5).some((g) => g !== 0));
    runCase(c);
  });

  it('the tolerance is not vacuous: a 1e-7 relative error in one gradient element fails it', () => {
    const c = makeVectorCase(0x77, { n: 5, m: 2, k: 2, T: 20, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', mode: 'all' });
    const tr = referenceVectorBptt(c.model, c.data);
    tr.grads.W[7] *= 1 + 1e-7;
    assert.throws(() => compareTrace('perturbed', tr, vectorReference(specOf(c.model), c.data, false)), /∂L\/∂W\[7\]/);
    assert.ok(TOL < 1e-7);
  });
});
