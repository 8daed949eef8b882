/**
 * The vector check's own exact pass (the catalogue's variant with no mistake) against the vector
 * reference, bit for bit, and its ∂L/∂h_t against a reverse-mode tape built here, for every φ, θ and
 * loss. Then gradients of the whole catalogue's kind from a softmax cross-entropy student.
 */
import * as assert from 'node:assert/strict';
import { PHI_NAMES, THETA_NAMES, LOSS_NAMES } from '../../src/core/model';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import type { VectorModel, VectorLossName } from '../../src/core/vector/model';
import { allocVariant, exactOf, runVariant } from '../../src/check/vector/variant';
import { runVectorChecks } from '../../src/check/vector';
import type { TensorEntry } from '../../src/parse/weights/types';
import { Tape, activationOn, lossOn, type Node } from './reference/tape';
import { mulberry32 } from './reference/rng';

function model(seed: number, n: number, m: number, k: number, phi: VectorModel['phi'], theta: VectorModel['theta'], loss: VectorLossName, reduction: 'sum' | 'mean'): VectorModel {
  const rand = mulberry32(seed);
  const a = (len: number, s: number) => Float64Array.from({ length: len }, () => (2 * rand() - 1) * s);
  return { n, m, k, W: a(n * n, 1 / Math.sqrt(n)), V: a(n * m, 0.8), b: a(n, 0.3), U: a(k * n, 0.9), c: a(k, 0.2), h0: a(n, 0.5), phi, theta, loss, reduction };
}

function data(seed: number, T: number, m: number, k: number, loss: VectorLossName) {
  const rand = mulberry32(seed + 1);
  const ce = loss === 'cross_entropy';
  const yw = ce ? 1 : k;
  // bce needs targets in [0, 1]; cross_entropy a class index; steps 2 and T have no target.
  const y = Float64Array.from({ length: T * yw }, () => (ce ? Math.floor(rand() * k) : rand()));
  const hasY = Uint8Array.from({ length: T }, (_, i) => (i === 1 || i === T - 1 ? 0 : 1));
  return { T, x: Float64Array.from({ length: T * m }, () => 2 * rand() - 1), y, hasY };
}

/** ∂L/∂h_t from the tape: the adjoint of each h_t node of the vector RNN built on it. */
function tapeDh(M: VectorModel, d: ReturnType<typeof data>): Float64Array {
  const { n, m, k } = M;
  const t = new Tape();
  const h: Node[][] = [];
  let hPrev = Array.from(M.h0, (v) => t.constant(v));
  let sum: Node | null = null;
  let N = 0;
  for (let i = 0; i < d.T; i++) {
    const hi: Node[] = [];
    for (let r = 0; r < n; r++) {
      let s = t.constant(M.b[r]);
      for (let j = 0; j < n; j++) s = t.add(s, t.mul(t.constant(M.W[r * n + j]), hPrev[j]));
      for (let j = 0; j < m; j++) s = t.add(s, t.mul(t.constant(M.V[r * m + j]), t.constant(d.x[i * m + j])));
      hi.push(activationOn(t, M.phi, s));
    }
    const yhat: Node[] = [];
    for (let q = 0; q < k; q++) {
      let z = t.constant(M.c[q]);
      for (let j = 0; j < n; j++) z = t.add(z, t.mul(t.constant(M.U[q * n + j]), hi[j]));
      yhat.push(activationOn(t, M.theta as 'identity', z));
    }
    if (d.hasY[i] !== 0) {
      let ell: Node;
      if (M.loss === 'cross_entropy') {
        let se = t.exp(yhat[0]);
        for (let q = 1; q < k; q++) se = t.add(se, t.exp(yhat[q]));
        ell = t.sub(t.log(se), yhat[d.y[i]]);
        N++;
      } else {
        ell = lossOn(t, M.loss, yhat[0], d.y[i * k]);
        for (let q = 1; q < k; q++) ell = t.add(ell, lossOn(t, M.loss, yhat[q], d.y[i * k + q]));
        N += k;
      }
      sum = sum === null ? ell : t.add(sum, ell);
    }
    h.push(hi);
    hPrev = hi;
  }
  const L = sum === null ? t.constant(0) : M.reduction === 'mean' ? t.div(sum, t.constant(N)) : sum;
  const { adj } = t.backward(L);
  return Float64Array.from(h.flat().map((node) => adj[node]));
}

describe('vector check: the exact pass', () => {
  const losses: VectorLossName[] = [...LOSS_NAMES, 'cross_entropy'];
  let seed = 1;
  for (const phi of PHI_NAMES) {
    for (const theta of THETA_NAMES) {
      for (const loss of losses) {
        if (loss === 'cross_entropy' && theta !== 'identity') continue;
        if (loss === 'bce' && theta !== 'sigmoid') continue;
        const s = seed++;
        it(`φ=${phi} θ=${theta} ${loss}: bit for bit the reference, ∂L/∂h_t as the tape`, () => {
          const M = model(s, 3, 2, 3, phi, theta, loss, s % 2 === 0 ? 'sum' : 'mean');
          const d = data(s, 7, 2, 3, loss);
          const trace = referenceVectorBptt(M, d);
          const v = runVariant(exactOf(trace), {}, allocVariant(exactOf(trace)));
          assert.deepEqual(v.dL_ds, trace.dL_ds);
          for (const p of ['W', 'V', 'b', 'U', 'c', 'h0'] as const) assert.deepEqual(v.grads[p], trace.grads[p], p);
          const dh = tapeDh(M, d);
          for (let o = 0; o < dh.length; o++) assert.ok(Math.abs(v.dL_dh[o] - dh[o]) <= 1e-12 * (1 + Math.abs(dh[o])), `dL_dh[${o}]: ${v.dL_dh[o]} vs tape ${dh[o]}`);
          // And the check of exactly these numbers passes.
          const tensors: TensorEntry[] = [
            { name: 'dL_dh', shape: [7, 3], dtype: '<f8', data: dh },
            ...(['W', 'V', 'b', 'U', 'c', 'h0'] as const).map((p) => ({ name: `d${p}`, shape: p === 'W' ? [3, 3] : p === 'V' ? [3, 2] : p === 'U' ? [3, 3] : [3], dtype: '<f8', data: trace.grads[p] })),
          ];
          assert.equal(runVectorChecks(trace, tensors).ok, true);
        });
      }
    }
  }
});

/** A char-RNN student: tanh state, softmax cross-entropy on the logits (column layout), one bug at most. */
function charRnnStudent(M: VectorModel, d: ReturnType<typeof data>, bug: 'none' | 'transposed_W' | 'missing_phi_prime' | 'wrong_sign'): TensorEntry[] {
  const { n, m, k } = M;
  const hs: number[][] = [Array.from(M.h0)];
  const ps: number[][] = [];
  for (let i = 0; i < d.T; i++) {
    const h: number[] = [];
    for (let r = 0; r < n; r++) {
      let s = M.b[r];
      for (let j = 0; j < n; j++) s += M.W[r * n + j] * hs[i][j];
      for (let j = 0; j < m; j++) s += M.V[r * m + j] * d.x[i * m + j];
      h.push(Math.tanh(s));
    }
    hs.push(h);
    const z = Array.from({ length: k }, (_, q) => M.c[q] + h.reduce((acc, hj, j) => acc + M.U[q * n + j] * hj, 0));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    ps.push(e.map((v) => v / e.reduce((a, b) => a + b, 0)));
  }
  const dW = new Float64Array(n * n), dU = new Float64Array(k * n), dh0 = new Float64Array(n);
  let dsNext = new Array<number>(n).fill(0);
  for (let i = d.T - 1; i >= 0; i--) {
    const dz = ps[i].map((p, q) => (d.hasY[i] === 0 ? 0 : (bug === 'wrong_sign' ? -1 : 1) * (p - (q === d.y[i] ? 1 : 0))));
    const ds = Array.from({ length: n }, (_, r) => {
      let dh = 0;
      for (let q = 0; q < k; q++) dh += M.U[q * n + r] * dz[q];
      for (let j = 0; j < n; j++) dh += (bug === 'transposed_W' ? M.W[r * n + j] : M.W[j * n + r]) * dsNext[j];
      return bug === 'missing_phi_prime' ? dh : dh * (1 - hs[i + 1][r] ** 2);
    });
    for (let r = 0; r < n; r++) for (let j = 0; j < n; j++) dW[r * n + j] += ds[r] * hs[i][j];
    for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) dU[q * n + j] += dz[q] * hs[i + 1][j];
    dsNext = ds;
  }
  for (let r = 0; r < n; r++) for (let j = 0; j < n; j++) dh0[r] += (bug === 'transposed_W' ? M.W[r * n + j] : M.W[j * n + r]) * dsNext[j];
  return [
    { name: 'rnn.weight_hh_l0', shape: [n, n], dtype: 'F32', data: dW.map(Math.fround) },
    { name: 'fc.weight', shape: [k, n], dtype: 'F32', data: dU.map(Math.fround) },
    { name: 'h0', shape: [n], dtype: 'F32', data: dh0.map(Math.fround) },
  ];
}

describe('vector check: a char-RNN (cross_entropy, sum) with float32 gradients', () => {
  const M = model(99, 5, 3, 4, 'tanh', 'identity', 'cross_entropy', 'sum');
  const d = data(99, 20, 3, 4, 'cross_entropy');
  const trace = referenceVectorBptt(M, d);
  it('the right gradients pass', () => assert.equal(runVectorChecks(trace, charRnnStudent(M, d, 'none')).ok, true));
  for (const bug of ['transposed_W', 'missing_phi_prime', 'wrong_sign'] as const) {
    it(`${bug} is named from the totals alone`, () => {
      const report = runVectorChecks(trace, charRnnStudent(M, d, bug));
      assert.equal(report.ok, false);
      assert.equal(report.diagnosis[0]?.code, bug, JSON.stringify(report.diagnosis.map((x) => x.code)));
      assert.equal(report.firstMismatch!.t, null);
    });
  }
});
