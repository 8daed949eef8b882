import * as assert from 'assert';
import { BUILTIN_DEFAULTS, runBptt, stepValues, type Model } from '../../src/core';
import { backwardEquations, COMPACT, SPACED } from '../../src/shared/equations';
import { formatNumber } from '../../src/shared/format';

function trace(model: Partial<Model>, x: number[], y: (number | null)[]) {
  const m = { ...BUILTIN_DEFAULTS, ...model };
  return runBptt(m, {
    x: Float64Array.from(x),
    y: Float64Array.from(y.map((v) => v ?? NaN)),
    hasY: Uint8Array.from(y.map((v) => (v === null ? 0 : 1))),
  });
}

describe('backwardEquations', () => {
  // Negative weights and inputs, so factors of both signs appear.
  const tr = trace({ w: -1.7, v: 0.5, u: -2 }, [1, -0.5, 0.25, -3], [0.4, null, -0.2, 1]);
  const f = (n: number) => formatNumber(n, 6);
  const next = (i: number) => (i + 1 < tr.T ? tr.dL_ds[i + 1] : 0);

  it('writes the step table’s equations as they always read: a·b·c + d·e = local + recurrent = ∂L/∂h_t', () => {
    for (let i = 0; i < tr.T; i++) {
      const v = stepValues(tr, i);
      const m = tr.model;
      const { dL_dh: h, dL_ds: s } = backwardEquations(v, m, next(i), f, COMPACT);
      assert.strictEqual(
        `${h.name} = ${h.local} + ${h.recurrent} = ${h.factors} = ${h.parts} = ${h.value}`,
        `∂L/∂h_t = ∂L/∂ŷ_t·θ'·u + w·∂L/∂s_{t+1} = ${f(v.dL_dyhat)}·${f(v.thetaPrime)}·${f(m.u)} + ${f(m.w)}·${f(next(i))} = ${f(v.dL_dh_local)} + ${f(v.dL_dh_recurrent)} = ${f(v.dL_dh)}`,
      );
      assert.strictEqual(`${s.name} = ${s.names} = ${s.factors} = ${s.value}`, `∂L/∂s_t = ∂L/∂h_t·φ'(s_t) = ${f(v.dL_dh)}·${f(v.phiPrime)} = ${f(v.dL_ds)}`);
    }
  });

  it('puts negative factors in parentheses in the spaced (hover) style, never the first part of a sum', () => {
    const v = stepValues(tr, 0);
    const { dL_dh: h, dL_ds: s } = backwardEquations(v, tr.model, next(0), f, SPACED);
    assert.ok(tr.model.u < 0 && tr.model.w < 0);
    assert.strictEqual(h.local, "∂L/∂ŷ_t · θ' · u");
    assert.strictEqual(h.recurrent, 'w · ∂L/∂s_{t+1}');
    assert.ok(h.factors.includes(` · (${f(tr.model.u)}) + (${f(tr.model.w)}) · `), h.factors);
    assert.ok(h.parts.startsWith(`${f(v.dL_dh_local)} + `), h.parts);
    assert.strictEqual(s.names, "∂L/∂h_t · φ'(s_t)");
  });

  it('multiplies w by 0 at t = T (no ∂L/∂s_{T+1})', () => {
    const i = tr.T - 1;
    const { dL_dh: h } = backwardEquations(stepValues(tr, i), tr.model, 0, f, COMPACT);
    assert.ok(h.factors.endsWith(` + ${f(tr.model.w)}·0`), h.factors);
    assert.strictEqual(stepValues(tr, i).dL_dh_recurrent, 0);
  });
});
