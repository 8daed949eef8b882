/**
 * Hand-written vector BPTT as users write it, independent of src/: plain number[][] and matmul.
 *
 * - numpyStudent: a port of the cs231n assignment (row vectors: next_h = tanh(x @ Wx + prev_h @ Wh
 *   + b), rnn_step_backward / rnn_backward), with a head ŷ = h @ Wy + by and ℓ = ½‖ŷ − y‖².
 * - torchStudent: a column-layout manual backward over an nn.RNN + nn.Linear state dict.
 * Each bug is introduced as a student would: a flag changes one line.
 */
import type { TensorEntry } from '../../../src/parse/weights/types';

export type Bug =
  | 'none' | 'transposed_W' | 'missing_phi_prime' | 'transposed_outer' | 'phi_prime_of_h'
  | 'missing_recurrent_term' | 'h_t_for_h_prev' | 'wrong_sign' | 'mean_vs_sum'
  /** BPTT in chunks of TRUNC steps: the hidden state detached every TRUNC steps, as `h = h.detach()` does. */
  | 'truncated'
  // The PyTorch student only:
  | 'missing_local_term' | 'recurrent_uses_dL_dh' | 'missing_w' | 'missing_theta_prime' | 'phi_prime_for_theta_prime'
  | 'theta_prime_for_phi_prime' | 'shifted_index' | 'factor_of_2' | 'divided_by_T';

export const TRUNC = 3;

type M = number[][];
const zeros = (r: number, c: number): M => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const T_ = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
function matmul(a: M, b: M): M {
  const out = zeros(a.length, b[0].length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b[0].length; j++) {
    let acc = 0;
    for (let l = 0; l < b.length; l++) acc += a[i][l] * b[l][j];
    out[i][j] = acc;
  }
  return out;
}
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const mul = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v * b[i][j]));
const map = (a: M, f: (v: number) => number): M => a.map((row) => row.map(f));
const row = (v: number[]): M => [v.slice()];

/** The problem, in the user's row layout: Wx m×n, Wh n×n, b n, Wy n×k, by k, h0 n; xs T×m, ys T×k (null: no target). */
export interface RowProblem {
  Wx: M; Wh: M; b: number[]; Wy: M; by: number[]; h0: number[];
  xs: number[][]; ys: (number[] | null)[];
  /** 'sum', or 'mean' over the target elements (N·k) as PyTorch's MSELoss-style mean. */
  reduction: 'sum' | 'mean';
  /** ŷ = σ(U·h + c) (the PyTorch student only); identity otherwise. */
  sigmoidHead?: boolean;
}

export interface StudentGrads {
  dWx: M; dWh: M; db: number[]; dWy: M; dby: number[]; dh0: number[];
  /** Per step: ∂L/∂h_t (dcurrent_h) and ∂L/∂s_t (dtanh), T×n. */
  dL_dh: M; dL_ds: M;
}

/** cs231n rnn_forward + head + rnn_backward, row vectors, one bug at most. */
export function numpyStudent(p: RowProblem, bug: Bug): StudentGrads {
  const T = p.xs.length, n = p.b.length, k = p.by.length;
  const hs: M = [p.h0.slice()];
  const ys: M = [];
  for (let t = 0; t < T; t++) {
    // rnn_step_forward: next_h = tanh(x @ Wx + prev_h @ Wh + b)
    const a = add(add(matmul(row(p.xs[t]), p.Wx), matmul(row(hs[t]), p.Wh)), row(p.b));
    hs.push(map(a, Math.tanh)[0]);
    ys.push(add(matmul(row(hs[t + 1]), p.Wy), row(p.by))[0]);
  }
  const N = p.ys.filter((y) => y !== null).length;
  const scale = p.reduction === 'mean' && bug !== 'mean_vs_sum' ? 1 / (N * k) : 1;
  const g: StudentGrads = { dWx: zeros(p.Wx.length, n), dWh: zeros(n, n), db: new Array<number>(n).fill(0), dWy: zeros(n, k), dby: new Array<number>(k).fill(0), dh0: [], dL_dh: zeros(T, n), dL_ds: zeros(T, n) };
  if (bug === 'transposed_outer') g.dWx = zeros(n, p.Wx.length);
  let dprev_h: M = zeros(1, n);
  for (let t = T - 1; t >= 0; t--) {
    // The head: dy = ŷ − y (scaled), dh from the head = dy @ Wy.T
    const y = p.ys[t];
    const dy = row(y === null ? new Array<number>(k).fill(0) : ys[t].map((v, q) => scale * (bug === 'wrong_sign' ? y[q] - v : v - y[q])));
    g.dWy = add(g.dWy, matmul(T_(row(hs[t + 1])), dy));
    g.dby = g.dby.map((v, q) => v + dy[0][q]);
    const dh_t = matmul(dy, T_(p.Wy));
    // rnn_backward: dcurrent_h = dh[t] + dprev_h
    const detached = bug === 'truncated' && (t + 1) % TRUNC === 0;
    const dnext_h = bug === 'missing_recurrent_term' || detached ? dh_t : add(dh_t, dprev_h);
    // rnn_step_backward
    const next_h = row(hs[t + 1]), prev_h = row(hs[t]), x = row(p.xs[t]);
    const dtanh = bug === 'missing_phi_prime' ? dnext_h
      : bug === 'phi_prime_of_h' ? mul(dnext_h, map(next_h, (v) => 1 - Math.tanh(v) ** 2))
      : mul(dnext_h, map(next_h, (v) => 1 - v * v));
    dprev_h = bug === 'transposed_W' ? matmul(dtanh, p.Wh) : matmul(dtanh, T_(p.Wh));
    g.dWx = add(g.dWx, bug === 'transposed_outer' ? matmul(T_(dtanh), x) : matmul(T_(x), dtanh));
    g.dWh = add(g.dWh, bug === 'transposed_outer' ? matmul(T_(dtanh), prev_h) : bug === 'h_t_for_h_prev' ? matmul(T_(next_h), dtanh) : matmul(T_(prev_h), dtanh));
    g.db = g.db.map((v, j) => v + dtanh[0][j]);
    g.dL_dh[t] = dnext_h[0];
    g.dL_ds[t] = dtanh[0];
  }
  g.dh0 = dprev_h[0];
  return g;
}

/** The same problem in PyTorch's layout (W = Whᵀ, V = Wxᵀ, U = Wyᵀ), differentiated by hand column-wise. */
export function torchStudent(p: RowProblem, bug: Bug): StudentGrads {
  const W = T_(p.Wh), V = T_(p.Wx), U = T_(p.Wy);
  const col = (v: number[]): M => v.map((e) => [e]);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const T = p.xs.length, n = p.b.length, k = p.by.length;
  const hs: M[] = [col(p.h0)];
  const ss: M[] = [];
  const zs: M[] = [];
  const yhat: M[] = [];
  for (let t = 0; t < T; t++) {
    ss.push(add(add(matmul(W, hs[t]), matmul(V, col(p.xs[t]))), col(p.b)));
    hs.push(map(ss[t], Math.tanh));
    zs.push(add(matmul(U, hs[t + 1]), col(p.by)));
    yhat.push(p.sigmoidHead ? map(zs[t], sigmoid) : zs[t]);
  }
  const N = p.ys.filter((y) => y !== null).length;
  const scale = p.reduction === 'sum' || bug === 'mean_vs_sum' ? 1 : 1 / ((bug === 'divided_by_T' ? T : N) * k);
  const gW = zeros(n, n), gV = zeros(n, V[0].length), gU = zeros(k, n);
  const gb = zeros(n, 1), gc = zeros(k, 1);
  const dL_dh = zeros(T, n), dL_ds = zeros(T, n);
  let ds_next = zeros(n, 1), dh_next = zeros(n, 1);
  for (let t = T - 1; t >= 0; t--) {
    const y = p.ys[t];
    // ∂L/∂z_t = ∂L/∂ŷ_t ⊙ θ'(z_t), θ' of the head (or the student's stand-in)
    const dy: M = y === null ? zeros(k, 1) : yhat[t].map((v, q) => [scale * (bug === 'factor_of_2' ? 2 : 1) * (bug === 'wrong_sign' ? y[q] - v[0] : v[0] - y[q])]);
    const thp: M = bug === 'missing_theta_prime' ? map(zs[t], () => 1)
      : bug === 'phi_prime_for_theta_prime' ? map(zs[t], (z) => 1 - Math.tanh(z) ** 2)
      : p.sigmoidHead ? map(yhat[t], (a) => a * (1 - a)) : map(zs[t], () => 1);
    const dz = mul(dy, thp);
    const local = bug === 'missing_local_term' ? zeros(n, 1) : matmul(T_(U), dz);
    const rec = bug === 'missing_recurrent_term' ? zeros(n, 1) : bug === 'transposed_W' ? matmul(W, ds_next)
      : bug === 'recurrent_uses_dL_dh' ? matmul(T_(W), dh_next) : bug === 'missing_w' ? ds_next : matmul(T_(W), ds_next);
    const dh = add(local, rec);
    // ∂L/∂s_t = ∂L/∂h_t ⊙ (1 − h_t²), or the student's stand-in
    const hNext = t + 2 <= T ? hs[t + 2] : hs[t + 1];
    const ds = bug === 'missing_phi_prime' ? dh
      : bug === 'phi_prime_of_h' ? mul(dh, map(hs[t + 1], (v) => 1 - Math.tanh(v) ** 2))
      : bug === 'theta_prime_for_phi_prime' ? mul(dh, map(ss[t], (v) => sigmoid(v) * (1 - sigmoid(v))))
      : bug === 'shifted_index' ? mul(dh, map(hNext, (v) => 1 - v * v))
      : mul(dh, map(hs[t + 1], (v) => 1 - v * v));
    const hW = bug === 'h_t_for_h_prev' ? hs[t + 1] : hs[t];
    const outer = (a: M, b: M) => (bug === 'transposed_outer' ? matmul(b, T_(a)) : matmul(a, T_(b)));
    for (const [acc, d] of [[gW, outer(ds, hW)], [gU, matmul(dz, T_(hs[t + 1]))], [gb, ds], [gc, dz]] as const) {
      for (let i = 0; i < acc.length; i++) for (let j = 0; j < acc[0].length; j++) acc[i][j] += d[i][j];
    }
    const dVt = outer(ds, col(p.xs[t]));
    if (bug === 'transposed_outer' && dVt.length !== gV.length) throw new Error('the PyTorch student keeps V square in these tests');
    for (let i = 0; i < gV.length; i++) for (let j = 0; j < gV[0].length; j++) gV[i][j] += dVt[i][j];
    dL_dh[t] = dh.map((r) => r[0]);
    dL_ds[t] = ds.map((r) => r[0]);
    ds_next = ds;
    dh_next = dh;
  }
  const dh0 = (bug === 'transposed_W' ? matmul(W, ds_next) : bug === 'missing_w' ? ds_next : matmul(T_(W), ds_next)).map((r) => r[0]);
  // Returned in the column layout: dWx / dWh / dWy fields hold ∂L/∂V, ∂L/∂W, ∂L/∂U.
  return { dWx: gV, dWh: gW, db: gb.map((r) => r[0]), dWy: gU, dby: gc.map((r) => r[0]), dh0, dL_dh, dL_ds };
}

function entry(name: string, a: M | number[], dtype: string, round: (v: number) => number): TensorEntry {
  const two = Array.isArray(a[0]);
  const rows = two ? (a as M) : [a as number[]];
  const shape = two ? [rows.length, rows[0].length] : [(a as number[]).length];
  return { name, shape, dtype, data: Float64Array.from(rows.flat().map(round)) };
}

/** The NumPy assignment's names (row layout). float32 rounds each value as np.float32 would. */
export function numpyTensors(g: StudentGrads, float32 = false): TensorEntry[] {
  const [d, r] = float32 ? ['<f4', Math.fround] : ['<f8', (v: number) => v];
  return [
    entry('dWx', g.dWx, d, r), entry('dWh', g.dWh, d, r), entry('db', g.db, d, r), entry('dh0', g.dh0, d, r),
    entry('dWy', g.dWy, d, r), entry('dby', g.dby, d, r), entry('dL_dh', g.dL_dh, d, r), entry('dL_ds', g.dL_ds, d, r),
  ];
}

/** A state dict's `.grad`s, as `{name: p.grad for name, p in model.named_parameters()}` saves them. */
export function torchTensors(g: StudentGrads, float32 = false): TensorEntry[] {
  const [d, r] = float32 ? ['F32', Math.fround] : ['F64', (v: number) => v];
  return [
    entry('rnn.weight_ih_l0', g.dWx, d, r), entry('rnn.weight_hh_l0', g.dWh, d, r),
    entry('rnn.bias_ih_l0', g.db, d, r), entry('rnn.bias_hh_l0', g.db, d, r),
    entry('fc.weight', g.dWy, d, r), entry('fc.bias', g.dby, d, r),
  ];
}
