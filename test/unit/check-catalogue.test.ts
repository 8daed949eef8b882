/**
 * Every catalogue entry planted in generated files, for every φ/θ pair where it is
 * distinguishable: as a formula (the claim is evaluated with exact inputs) and as pasted numbers
 * from a hand-written wrong backward loop (propagated, printed with 6 significant digits).
 * The diagnosis must name the planted mistake, and the first mismatch must be where the planted
 * values first differ from exact BPTT (computed here, independently, from stepValues).
 */
import * as assert from 'node:assert/strict';
import { act, actCode, dact, runBptt, stepValues, type Trace } from '../../src/core';
import { runChecks } from '../../src/check';
import { parseSequence } from '../../src/parse';

const PHIS = ['tanh', 'sigmoid', 'softplus', 'identity', 'relu'] as const;
const THETAS = ['identity', 'sigmoid', 'tanh', 'softplus'] as const;
const X = [0.9, -0.4, 0.7, 1.1, -0.8, 0.3, 0.5, -1.2, 0.6, 0.2, -0.5, 0.8];
// Steps 4 and the last two have no target, so the error enters at the last target (t = 10).
const Y = [0.3, 0.7, 0.1, null, 0.6, 0.2, 0.9, 0.4, 0.5, 0.8, null, null];

function file(phi: string, theta: string, reduction: string, checks: string[], columns: Record<string, string[]> = {}): string {
  const names = Object.keys(columns);
  const rows = X.map((x, i) => [String(x), Y[i] === null ? '' : String(Y[i]), ...names.map((n) => columns[n][i])].join(','));
  return [
    `# bptt: w=0.7 v=0.9 b=0.1 u=1.3 c=-0.2 h0=0.3 phi=${phi} theta=${theta} loss=squared reduction=${reduction}`,
    ...checks.map((c) => `# check: ${c}`),
    ['x', 'y', ...names].join(','),
    ...rows,
  ].join('\n') + '\n';
}

function check(text: string) {
  const seq = parseSequence(text, 'csv');
  assert.deepEqual(seq.errors, []);
  const trace = runBptt(seq.model, seq);
  return { trace, report: runChecks(seq, trace) };
}

type Code = string;
/** A hand-written backward loop with one mistake, isolated (exact inputs each step) or propagated. */
function student(trace: Trace, code: Code, propagated: boolean, k = 0) {
  const { T, model } = trace;
  const { w, u, c } = model;
  const phi = actCode(model.phi), theta = actCode(model.theta);
  const N = trace.nTargets;
  const dh = new Float64Array(T), ds = new Float64Array(T), dy = new Float64Array(T);
  let dw = 0;
  for (let i = T - 1; i >= 0; i--) {
    const sv = stepValues(trace, i);
    const z = u * sv.h + c;
    let d = code === 'shifted_index' ? (i + 1 < T ? stepValues(trace, i + 1).dL_dyhat : 0) : sv.dL_dyhat;
    if (code === 'wrong_sign') d = -d;
    if (code === 'factor_of_2') d *= 2;
    if (code === 'mean_vs_sum') d *= model.reduction === 'mean' ? N : 1 / N;
    if (code === 'divided_by_T') d *= model.reduction === 'mean' ? N / T : 1 / T;
    const thp = code === 'phi_prime_for_theta_prime' ? dact(phi, z, act(phi, z)) : code === 'missing_theta_prime' ? 1 : sv.thetaPrime;
    const local = code === 'missing_local_term' ? 0 : d * thp * (code === 'missing_u' ? 1 : u);
    const after = i + 1 < T ? stepValues(trace, i + 1) : null;
    const nextS = after === null ? 0 : propagated ? ds[i + 1] : after.dL_ds;
    const nextH = after === null ? 0 : propagated ? dh[i + 1] : after.dL_dh;
    const cut = code === 'missing_recurrent_term' || (code === 'truncated' && (i + 1) % k === 0);
    const rec = cut ? 0 : (code === 'missing_w' ? 1 : w) * (code === 'recurrent_uses_dL_dh' ? nextH : nextS);
    dy[i] = d;
    dh[i] = local + rec;
    const php = code === 'theta_prime_for_phi_prime' ? dact(theta, sv.s, act(theta, sv.s)) : code === 'missing_phi_prime' ? 1 : sv.phiPrime;
    ds[i] = (propagated ? dh[i] : code === 'missing_phi_prime' || code === 'theta_prime_for_phi_prime' ? sv.dL_dh : dh[i]) * php;
    dw += (propagated ? ds[i] : sv.dL_ds) * (code === 'h_t_for_h_prev' ? sv.h : sv.hPrev);
  }
  return { dy, dh, ds, dw };
}

/** The first t (1-based), from T back, where a differs from exact by more than 1e-7 relative to the series. */
function entry(a: Float64Array, exact: (i: number) => number): number | null {
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(exact(i)));
  for (let i = a.length - 1; i >= 0; i--) if (Math.abs(a[i] - exact(i)) > 1e-7 * scale) return i + 1;
  return null;
}

/** The planted formula of each code (u ≠ 1 and c ≠ 0, so every factor is visible). */
const FORMULAS: Record<Code, string> = {
  phi_prime_for_theta_prime: 'dL_dh = dL_dyhat * dphi(u*h + c) * u + w * dL_ds[t+1]',
  theta_prime_for_phi_prime: 'dL_ds = dL_dh * dtheta(s)',
  missing_recurrent_term: 'dL_dh = dL_dyhat * dtheta(u*h + c) * u',
  missing_local_term: 'dL_dh = w * dL_ds[t+1]',
  recurrent_uses_dL_dh: "dL_dh = dL_dyhat * θ'(u·h + c) · u + w · dL_dh[t+1]",
  missing_w: 'dL_dh = dL_dyhat * dtheta(u*h + c) * u + dL_ds[t+1]',
  missing_theta_prime: 'dL_dh = dL_dyhat * u + w * dL_ds[t+1]',
  missing_phi_prime: 'dL_ds = dL_dh',
  missing_u: "dL_dh = dL_dyhat * theta'(u*h + c) + w * dL_ds[t+1]",
  wrong_sign: 'dL_dyhat = y - yhat',
  h_t_for_h_prev: 'dL_dw = sum(dL_ds * h)',
  shifted_index: 'dL_dh = dL_dyhat[t+1] * dtheta(u*h + c) * u + w * dL_ds[t+1]',
  mean_vs_sum: 'dL_dyhat = yhat - y',
  divided_by_T: 'dL_dyhat = (yhat - y) / T',
  factor_of_2: 'dL_dyhat = 2 * (yhat - y)',
};
const MEAN = new Set(['mean_vs_sum', 'divided_by_T']);

describe('check: every catalogue entry planted as a formula (isolated)', () => {
  for (const [code, formula] of Object.entries(FORMULAS)) {
    it(`${code}: named, entering where planted, for every φ/θ pair where distinguishable`, () => {
      let distinguished = 0;
      for (const phi of PHIS) for (const theta of THETAS) {
        const { trace, report } = check(file(phi, theta, MEAN.has(code) ? 'mean' : 'sum', [formula]));
        const claim = report.claims[0];
        assert.equal(claim.error, null, claim.error?.message);
        const st = student(trace, code, false);
        const q = claim.quantity;
        if (q === 'dL_dw') {
          if (Math.abs(st.dw - trace.grads.w) <= 1e-9 * Math.abs(trace.grads.w)) continue;
        }
        const series = q === 'dL_dh' ? st.dh : q === 'dL_ds' ? st.ds : st.dy;
        const want = q === 'dL_dw' ? null : entry(series, (i) => stepValues(trace, i)[q as 'dL_dh']);
        if (q !== 'dL_dw' && want === null) {
          assert.ok(claim.ok, `${phi}/${theta}: indistinguishable, so it holds`);
          continue;
        }
        distinguished++;
        assert.equal(claim.ok, false, `${phi}/${theta}`);
        assert.ok(claim.diagnosis.some((d) => d.code === code), `${phi}/${theta}: ${JSON.stringify(claim.diagnosis.map((d) => d.code))}`);
        assert.equal(claim.firstMismatch!.t, want, `${phi}/${theta}: where the error enters`);
        assert.ok(claim.fix, `${phi}/${theta}: a Quick Fix is offered`);
      }
      assert.ok(distinguished >= 4, `distinguished on ${distinguished} pairs`);
    });
  }
});

const COLUMN_CODES = [...Object.keys(FORMULAS), 'truncated'];

describe('check: every catalogue entry planted as pasted numbers (propagated, 6 significant digits)', () => {
  for (const code of COLUMN_CODES) {
    it(`${code}: named, entering where planted`, () => {
      let distinguished = 0;
      for (const phi of PHIS) for (const theta of THETAS) {
        const reduction = MEAN.has(code) ? 'mean' : 'sum';
        const base = check(file(phi, theta, reduction, []));
        const st = student(base.trace, code, true, 3);
        const p6 = (a: Float64Array) => Array.from(a, (v) => v.toPrecision(6));
        const text = file(phi, theta, reduction, [`dL_dw = ${st.dw.toPrecision(6)}`], { dL_dyhat: p6(st.dy), dL_dh: p6(st.dh), dL_ds: p6(st.ds) });
        const { trace, report } = check(text);
        const want = entry(st.ds, (i) => stepValues(trace, i).dL_ds);
        const failing = report.claims.filter((c) => !c.ok);
        if (failing.length === 0) continue; // indistinguishable on this pair
        distinguished++;
        for (const c of failing) {
          assert.ok(c.diagnosis.some((d) => d.code === code), `${phi}/${theta} ${c.quantity}: ${JSON.stringify(c.diagnosis.map((d) => d.code))}`);
        }
        const ds = report.claims.find((c) => c.quantity === 'dL_ds')!;
        if (want !== null) assert.equal(ds.firstMismatch?.t, want, `${phi}/${theta}: where the error enters`);
        if (code === 'truncated') assert.ok(ds.diagnosis.some((d) => d.k === 3 && /k = 3/.test(d.message)), 'names k');
      }
      assert.ok(distinguished >= 4, `distinguished on ${distinguished} pairs`);
    });
  }
});

describe('check: correct claims pass', () => {
  const forms = [
    'dL_dh = dL_dyhat * dtheta(u*h + c) * u + w * dL_ds[t+1]',
    "dL_dh = w*dL_ds[t+1] + u*theta'(c + h*u)*dL_dyhat",
    "dL_dh = dL_dyhat · θ'(u·h + c) · u + w · dL_ds[t+1]",
    'dL_dh = (yhat - y) * dtheta(u*h + c) * u + w * dL_dh[t+1] * dphi(s[t+1])',
    'dL_ds = dL_dh * dphi(s)',
    "dL_ds = (dL_dyhat * φ'(s)) * dtheta(u*h+c) * u + w * dL_ds[t+1] * phi'(s)",
    'dL_dw = sum(dL_ds * h[t-1])',
    'dL_dh0 = w * dL_ds[1]',
    'dL_db = sum(dL_dh * dphi(s))',
    'dL_dc = sum(dL_dyhat * dtheta(u*h + c))',
    'h = phi(w*h[t-1] + v*x + b)',
    'L = sum(0.5 * (yhat - y)^2)',
  ];
  for (const phi of PHIS) for (const theta of THETAS) {
    it(`${phi}/${theta}: every equivalent form holds`, () => {
      // The recurrent form through dL_dh[t+1]·φ'(s_{t+1}) needs an index in range at t = T: dL_dh[T+1] = 0, s[T+1] is out of range.
      const ok = forms.filter((f) => !f.includes('s[t+1]'));
      const { report } = check(file(phi, theta, 'sum', ok));
      for (const c of report.claims) assert.ok(c.ok, `${c.quantity}: ${JSON.stringify(c.firstMismatch)} ${c.error?.message ?? ''}`);
    });
  }
  it('an index past the range is a located error, not a mismatch', () => {
    const { report } = check(file('tanh', 'sigmoid', 'sum', [forms[3]]));
    const e = report.claims[0].error!;
    const text = file('tanh', 'sigmoid', 'sum', [forms[3]]);
    assert.equal(text.slice(e.offset, e.offset + e.length), 't+1');
    assert.equal(text.slice(e.offset - 2, e.offset), 's[', 'at the index of s, not of dL_dh');
    assert.equal(text.split('\n')[e.line].slice(e.col, e.col + 3), 't+1');
  });
});
