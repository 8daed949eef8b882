/**
 * Check my gradients on vectors: the buggy gradients come from hand-written student code
 * (test/unit/vcheck/students.ts: the cs231n NumPy assignment in row layout, and a PyTorch-layout
 * manual backward), never from the catalogue's variants. The diagnosis must name the planted bug,
 * and the first mismatch must be where the student's numbers first leave their own correct run.
 */
import * as assert from 'node:assert/strict';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import type { VectorModel, VectorTrace } from '../../src/core/vector/model';
import { claimedQuantities, runVectorChecks, VECTOR_CODES } from '../../src/check/vector';
import { CODES } from '../../src/check';
import { mulberry32 } from './reference/rng';
import { TRUNC, numpyStudent, numpyTensors, torchStudent, torchTensors, type Bug, type RowProblem, type StudentGrads } from './vcheck/students';

function problem(seed: number, n: number, m: number, k: number, T: number, reduction: 'sum' | 'mean' = 'sum'): RowProblem {
  const rand = mulberry32(seed);
  const u = (a: number) => (2 * rand() - 1) * a;
  const mat = (r: number, c: number, a: number) => Array.from({ length: r }, () => Array.from({ length: c }, () => u(a)));
  const vec = (r: number, a: number) => Array.from({ length: r }, () => u(a));
  // Step 3 and the last step have no target: the backward pass starts at T − 1.
  const ys = Array.from({ length: T }, (_, t) => (t === 2 || t === T - 1 ? null : vec(k, 1)));
  return { Wx: mat(m, n, 0.8), Wh: mat(n, n, 1.2 / Math.sqrt(n)), b: vec(n, 0.3), Wy: mat(n, k, 0.9), by: vec(k, 0.2), h0: vec(n, 0.5), xs: mat(T, m, 1), ys, reduction };
}

/** Our model from the row-layout problem: W = Whᵀ, V = Wxᵀ, U = Wyᵀ (row-major). */
function traceOf(p: RowProblem): VectorTrace {
  const n = p.b.length, m = p.Wx.length, k = p.by.length, T = p.xs.length;
  const transpose = (a: number[][]) => Float64Array.from(a[0].flatMap((_, j) => a.map((row) => row[j])));
  const model: VectorModel = {
    n, m, k, W: transpose(p.Wh), V: transpose(p.Wx), b: Float64Array.from(p.b), U: transpose(p.Wy), c: Float64Array.from(p.by), h0: Float64Array.from(p.h0),
    phi: 'tanh', theta: 'identity', loss: 'squared', reduction: p.reduction,
  };
  const hasY = Uint8Array.from(p.ys.map((y) => (y === null ? 0 : 1)));
  const y = Float64Array.from(p.ys.flatMap((v) => v ?? new Array<number>(k).fill(0)));
  return referenceVectorBptt(model, { T, x: Float64Array.from(p.xs.flat()), y, hasY });
}

/** Where the buggy student first leaves the correct student, in compute order (t = T..1, ∂L/∂h before ∂L/∂s, per unit). */
function plantedEntry(good: StudentGrads, bad: StudentGrads): { quantity: string; t: number; unit: number } | null {
  const differs = (a: number, b: number) => Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a));
  for (let i = good.dL_dh.length - 1; i >= 0; i--) {
    for (const q of ['dL_dh', 'dL_ds'] as const) {
      const unit = good[q][i].findIndex((v, r) => differs(v, bad[q][i][r]));
      if (unit >= 0) return { quantity: q, t: i + 1, unit };
    }
  }
  return null;
}

const BUGS: Bug[] = ['transposed_W', 'missing_phi_prime', 'phi_prime_of_h', 'missing_recurrent_term', 'wrong_sign', 'h_t_for_h_prev', 'transposed_outer'];
const SHAPES: [n: number, m: number, k: number, T: number][] = [[4, 4, 2, 9], [5, 5, 1, 12], [3, 3, 3, 7]];

describe('vector check: the catalogue', () => {
  it('adds transposed_W, transposed_outer and phi_prime_of_h, and leaves the scalar codes as they are', () => {
    for (const code of ['transposed_W', 'transposed_outer', 'phi_prime_of_h']) {
      assert.ok(VECTOR_CODES.includes(code));
      assert.ok(!CODES.includes(code));
    }
    for (const code of VECTOR_CODES.filter((c) => !['transposed_W', 'transposed_outer', 'phi_prime_of_h'].includes(c))) assert.ok(CODES.includes(code), code);
  });
});

describe('vector check: correct gradients pass', () => {
  for (const [n, m, k, T] of [...SHAPES, [3, 2, 2, 8] as [number, number, number, number]]) {
    for (const float32 of [false, true]) {
      it(`NumPy (row layout) and PyTorch names, n=${n} m=${m} k=${k} T=${T}${float32 ? ', float32' : ''}`, () => {
        const p = problem(7 * n + m + T, n, m, k, T);
        const trace = traceOf(p);
        const row = runVectorChecks(trace, numpyTensors(numpyStudent(p, 'none'), float32), { layout: 'row' });
        assert.equal(row.ok, true, JSON.stringify(row.tensors.filter((t) => !t.ok)));
        assert.equal(row.tensors.length, 8);
        assert.ok(row.tensors.every((t) => t.compared > 0));
        const col = runVectorChecks(trace, torchTensors(torchStudent(p, 'none'), float32));
        assert.equal(col.ok, true, JSON.stringify(col.tensors.filter((t) => !t.ok)));
        assert.deepEqual(col.diagnosis, []);
      });
    }
  }
  it('mean reduction: PyTorch divides by N·k', () => {
    const p = problem(3, 4, 4, 2, 10, 'mean');
    assert.equal(runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'none')), { layout: 'row' }).ok, true);
  });
  it('the layout matters: row-layout matrices read as column layout fail', () => {
    const p = problem(11, 4, 4, 4, 8);
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'none')));
    assert.equal(report.ok, false);
    assert.ok(report.tensors.find((t) => t.name === 'dWh')!.mismatches > 0);
  });
});

describe('vector check: each planted bug is named, with its step and unit', () => {
  for (const [n, m, k, T] of SHAPES) {
    for (const bug of BUGS) {
      for (const layout of ['row', 'column'] as const) {
        it(`${bug} (${layout === 'row' ? 'NumPy' : 'PyTorch'}), n=${n} m=${m} k=${k} T=${T}`, () => {
          const p = problem(100 * n + 10 * k + T, n, m, k, T);
          const student = layout === 'row' ? numpyStudent : torchStudent;
          const tensors = (layout === 'row' ? numpyTensors : torchTensors)(student(p, bug));
          // The PyTorch grads have no per-step values: give the student's own.
          if (layout === 'column') tensors.push(...numpyTensors(student(p, bug)).filter((t) => t.name.startsWith('dL_')));
          const report = runVectorChecks(traceOf(p), tensors, { layout });
          assert.equal(report.ok, false);
          assert.equal(report.diagnosis[0]?.code, bug, JSON.stringify(report.diagnosis.map((d) => d.code)));
          const planted = plantedEntry(student(p, 'none'), student(p, bug));
          const first = report.firstMismatch!;
          if (planted) {
            assert.deepEqual({ quantity: first.quantity, t: first.t, unit: first.unit }, planted);
            assert.deepEqual(first.index, [planted.t - 1, planted.unit]);
          } else {
            // Only the totals are wrong: the error enters in ∂L/∂W.
            assert.equal(first.t, null);
            assert.equal(first.quantity, 'W');
          }
        });
      }
    }
  }

  // The scalar codes that carry over, on a sigmoid head (so θ' and φ' differ), from the PyTorch student.
  for (const [bug, reduction] of [
    ['missing_local_term', 'sum'], ['recurrent_uses_dL_dh', 'sum'], ['missing_w', 'sum'], ['missing_theta_prime', 'sum'], ['phi_prime_for_theta_prime', 'sum'],
    ['theta_prime_for_phi_prime', 'sum'], ['shifted_index', 'sum'], ['factor_of_2', 'sum'], ['divided_by_T', 'mean'], ['mean_vs_sum', 'mean'], ['wrong_sign', 'mean'],
  ] as const) {
    it(`${bug} (PyTorch, sigmoid head, ${reduction}), n=4 m=3 k=2 T=10`, () => {
      const p = { ...problem(31, 4, 3, 2, 10, reduction), sigmoidHead: true };
      const trace = referenceVectorBptt({ ...traceOf(p).model, theta: 'sigmoid' }, traceOf(p));
      const g = torchStudent(p, bug);
      assert.equal(runVectorChecks(trace, torchTensors(torchStudent(p, 'none'))).ok, true, 'the right student passes');
      const report = runVectorChecks(trace, [...torchTensors(g), ...numpyTensors(g).filter((t) => t.name.startsWith('dL_'))]);
      assert.equal(report.diagnosis[0]?.code, bug, JSON.stringify(report.diagnosis.map((d) => d.code)));
      const planted = plantedEntry(torchStudent(p, 'none'), g);
      if (planted) assert.deepEqual({ quantity: report.firstMismatch!.quantity, t: report.firstMismatch!.t, unit: report.firstMismatch!.unit }, planted);
    });
  }

  it('transposed_W enters at the first step with a recurrent term (t = T − 2 here: the last step has no target)', () => {
    const p = problem(5, 4, 4, 2, 9);
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'transposed_W')), { layout: 'row' });
    assert.equal(report.firstMismatch!.t, 7);
    assert.equal(report.firstMismatch!.quantity, 'dL_dh');
    assert.equal(report.tensors.find((t) => t.name === 'dL_dh')!.diagnosis[0].code, 'transposed_W');
  });

  it('missing_phi_prime: the error enters at ∂L/∂s of the last target, where ∂L/∂h is still right', () => {
    const p = problem(6, 3, 3, 1, 8);
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'missing_phi_prime')), { layout: 'row' });
    assert.equal(report.firstMismatch!.t, 7);
    assert.equal(report.firstMismatch!.quantity, 'dL_ds');
    assert.ok(report.tensors.find((t) => t.name === 'dL_dh')!.mismatches > 0, 'the error propagates into earlier ∂L/∂h');
  });

  it('mean_vs_sum: the student sums where the file says mean', () => {
    const p = problem(9, 4, 4, 2, 10, 'mean');
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'mean_vs_sum')), { layout: 'row' });
    assert.equal(report.diagnosis[0]?.code, 'mean_vs_sum');
  });

  it('truncated: the hidden state detached every 3 steps is named with k = 3', () => {
    const p = problem(14, 4, 3, 2, 12);
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'truncated')), { layout: 'row' });
    assert.deepEqual(report.diagnosis.map((d) => [d.code, d.k]), [['truncated', TRUNC]]);
    assert.match(report.diagnosis[0].message, /chunks of k = 3 steps/);
    // The last target is t = 11: the first cut gradient is the one that would cross t = 9.
    assert.deepEqual([report.firstMismatch!.quantity, report.firstMismatch!.t], ['dL_dh', 9]);
  });

  for (const bug of ['transposed_W', 'phi_prime_of_h', 'h_t_for_h_prev'] as const) {
    it(`${bug} on a long sequence (T = 600: variants are looked at in the last steps first)`, () => {
      const p = problem(15, 4, 3, 2, 600);
      const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, bug)), { layout: 'row' });
      assert.deepEqual(report.diagnosis.map((d) => d.code), [bug]);
    });
  }

  it('totals alone are enough: h_t_for_h_prev from dWh only', () => {
    const p = problem(12, 4, 2, 1, 9);
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'h_t_for_h_prev')).filter((t) => t.name === 'dWh'), { layout: 'row' });
    assert.deepEqual(report.diagnosis.map((d) => d.code), ['h_t_for_h_prev']);
    assert.equal(report.firstMismatch!.t, null);
    assert.equal(report.firstMismatch!.quantity, 'W');
  });

  it('a gradient no catalogue entry reproduces has no diagnosis', () => {
    const p = problem(13, 3, 3, 2, 8);
    const tensors = numpyTensors(numpyStudent(p, 'none'));
    tensors.find((t) => t.name === 'dL_ds')!.data[5] += 0.5;
    const report = runVectorChecks(traceOf(p), tensors, { layout: 'row' });
    assert.equal(report.ok, false);
    assert.deepEqual(report.diagnosis, []);
    assert.deepEqual([report.firstMismatch!.t, report.firstMismatch!.unit, report.firstMismatch!.quantity], [2, 2, 'dL_ds']);
  });
});

describe('vector check: shapes', () => {
  it('n ≠ m: a transposed outer product is a shape error (found vs expected), named transposed_outer', () => {
    const p = problem(21, 3, 2, 1, 8);
    const report = runVectorChecks(traceOf(p), numpyTensors(numpyStudent(p, 'transposed_outer')), { layout: 'row' });
    const dWx = report.tensors.find((t) => t.name === 'dWx')!;
    assert.equal(dWx.ok, false);
    assert.deepEqual(dWx.shapeError && [dWx.shapeError.found, dWx.shapeError.expected], [[3, 2], [2, 3]]);
    assert.match(dWx.shapeError!.message, /dWx has shape 3×2 where 2×3 belongs: the outer product is the wrong way round/);
    assert.deepEqual(dWx.diagnosis.map((d) => d.code), ['transposed_outer']);
    assert.equal(report.diagnosis[0]?.code, 'transposed_outer');
  });

  it('a shape that fits nothing says what was found and what was expected', () => {
    const p = problem(22, 3, 2, 1, 8);
    const tensors = numpyTensors(numpyStudent(p, 'none'));
    const dL_ds = tensors.find((t) => t.name === 'dL_ds')!;
    dL_ds.shape = [4, 6];
    const report = runVectorChecks(traceOf(p), tensors, { layout: 'row' });
    const r = report.tensors.find((t) => t.name === 'dL_ds')!;
    assert.equal(r.shapeError!.message, 'dL_ds has shape 4×6 where 8×3 (T×n) belongs');
    assert.deepEqual(r.diagnosis, []);
    assert.equal(report.ok, false);
  });

  it('vectors may be [n], [n, 1] or [1, n]', () => {
    const p = problem(23, 3, 2, 1, 6);
    const tensors = numpyTensors(numpyStudent(p, 'none'));
    tensors.find((t) => t.name === 'db')!.shape = [3, 1];
    tensors.find((t) => t.name === 'dh0')!.shape = [1, 3];
    assert.equal(runVectorChecks(traceOf(p), tensors, { layout: 'row' }).ok, true);
  });
});

describe('vector check: names', () => {
  it('ours, PyTorch state-dict names with any prefix or .grad, and the NumPy assignment names', () => {
    const claimed = (names: string[]) => {
      const { claims, left } = claimedQuantities(names.map((name) => ({ name, shape: [1], dtype: '<f8', data: new Float64Array(1) })));
      return { ...Object.fromEntries(claims.map(([t, q]) => [t.name, q])), left: left.map((t) => t.name) };
    };
    assert.deepEqual(claimed(['dW', 'dV', 'db', 'dU', 'dc', 'dh0', 'dL_dh', 'dL_ds']), { dW: 'W', dV: 'V', db: 'b', dU: 'U', dc: 'c', dh0: 'h0', dL_dh: 'dL_dh', dL_ds: 'dL_ds', left: [] });
    assert.deepEqual(claimed(['rnn.weight_hh_l0', 'rnn.weight_ih_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']), {
      'rnn.weight_hh_l0': 'W', 'rnn.weight_ih_l0': 'V', 'rnn.bias_ih_l0': 'b', 'rnn.bias_hh_l0': 'b', 'fc.weight': 'U', 'fc.bias': 'c', left: [],
    });
    assert.deepEqual(claimed(['model.rnn.weight_hh_l0.grad', 'model.rnn.bias_ih_l0.grad', 'model.rnn.bias_hh_l0.grad']), {
      'model.rnn.weight_hh_l0.grad': 'W', 'model.rnn.bias_ih_l0.grad': 'b', 'model.rnn.bias_hh_l0.grad': 'b', left: [],
    });
    assert.deepEqual(claimed(['dWh', 'dWx', 'dWy', 'dby', 'step.dL_ds', 'dx']), { dWh: 'W', dWx: 'V', dWy: 'U', dby: 'c', 'step.dL_ds': 'dL_ds', left: ['dx'] });
  });

  it('an unknown name is listed, not compared', () => {
    const p = problem(24, 2, 2, 1, 5);
    const tensors = [...numpyTensors(numpyStudent(p, 'none')), { name: 'dx', shape: [5, 2], dtype: '<f8', data: new Float64Array(10) }];
    const report = runVectorChecks(traceOf(p), tensors, { layout: 'row' });
    assert.equal(report.ok, true);
    assert.deepEqual(report.ignored.map((i) => i.name), ['dx']);
  });
});

describe('vector check: hostile tensors', () => {
  it('random names, shapes, lengths and values (NaN, ±∞) never throw, and never pass unless they are right', () => {
    const p = problem(41, 3, 2, 2, 6);
    const trace = traceOf(p);
    const rand = mulberry32(41);
    const names = ['dW', 'dWh', 'dWx', 'db', 'dh0', 'dL_dh', 'dL_ds', 'fc.weight', 'rnn.weight_hh_l0', 'rnn.bias_hh_l0', 'x', '', '__proto__', 'dL_dh.grad'];
    const values = [NaN, Infinity, -Infinity, 0, -0, 1e308, 5e-324];
    for (let iter = 0; iter < 300; iter++) {
      const tensors = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
        const shape = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 8));
        const len = rand() < 0.8 ? shape.reduce((a, b) => a * b, 1) : Math.floor(rand() * 30);
        const data = Float64Array.from({ length: len }, () => (rand() < 0.3 ? values[Math.floor(rand() * values.length)] : 2 * rand() - 1));
        return { name: names[Math.floor(rand() * names.length)], shape, dtype: rand() < 0.5 ? '<f4' : 'F64', data };
      });
      const report = runVectorChecks(trace, tensors, { layout: rand() < 0.5 ? 'row' : 'column' });
      if (report.ok) assert.ok(report.tensors.every((t) => t.mismatches === 0 && t.shapeError === null));
      assert.ok(report.tensors.every((t) => t.ok || t.shapeError !== null || t.firstMismatch !== null));
    }
  });

  it('NaN where the exact value is finite is a mismatch; NaN where it is NaN is not', () => {
    const p = problem(42, 3, 2, 1, 6);
    const tensors = numpyTensors(numpyStudent(p, 'none'));
    tensors.find((t) => t.name === 'dL_ds')!.data[3 * 3 + 1] = NaN;
    const report = runVectorChecks(traceOf(p), tensors, { layout: 'row' });
    assert.deepEqual([report.firstMismatch!.quantity, report.firstMismatch!.t, report.firstMismatch!.unit], ['dL_ds', 4, 1]);
  });
});
