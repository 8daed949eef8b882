import * as assert from 'assert';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import { componentsText, largestComponents, vectorHoverMarkdown } from '../../src/extension/vector/hoverContent';
import { vectorStepValues } from '../../src/core/vector/step';
import { norm2 } from '../../src/core/vector/norm';
import { formatNumber } from '../../src/shared/format';
import { vectorCase } from './vext-model';

const f = (n: number): string => formatNumber(n, 6);

describe('vector hover', () => {
  const { model, data } = vectorCase({ n: 16, m: 4, k: 3, T: 5, phi: 'tanh', theta: 'identity', loss: 'cross_entropy', reduction: 'mean', noTarget: [1] });
  const tr = referenceVectorBptt(model, data);
  const text = (i: number, link?: string): string =>
    vectorHoverMarkdown({ v: vectorStepValues(tr, i), T: tr.T, model, hasTarget: data.hasY[i] === 1, digits: 6, timelineLink: link });

  it('heads with the step of T, says when it has no target, and links to the full vectors', () => {
    assert.match(text(0), /^\*\*Step 1 of 5\*\*\n/);
    assert.match(text(1), /^\*\*Step 2 of 5\*\* · no target\n/);
    const md = text(2, 'command:bpttLens.showTimeline?x');
    assert.match(md, /^\*\*Step 3 of 5\*\* · \[Show in timeline\]\(command:bpttLens.showTimeline\?x\)/);
    assert.ok(md.includes('[Full vectors in the step table](command:bpttLens.showTimeline?x)'), md);
  });

  it('writes the backward equations in vector form with the norms of ∂L/∂h_t, its parts and ∂L/∂s_t', () => {
    const v = vectorStepValues(tr, 2);
    const md = text(2);
    assert.ok(md.includes("**∂L/∂h\\_t** = Uᵀ·(∂L/∂ŷ\\_t ⊙ θ'(U·h\\_t + c)) *(local)* + Wᵀ·∂L/∂s\\_{t+1} *(recurrent)*"), md);
    assert.ok(md.includes("**∂L/∂s\\_t** = ∂L/∂h\\_t ⊙ φ'(s\\_t)"), md);
    assert.ok(md.includes(`‖∂L/∂h_t‖ = ${f(norm2(v.dL_dh))}   ‖local‖ = ${f(norm2(v.dL_dh_local))}   ‖recurrent‖ = ${f(norm2(v.dL_dh_recurrent))}`), md);
    assert.ok(md.includes(`‖∂L/∂s_t‖ = ${f(norm2(v.dL_ds))}`), md);
    // The norms really are of different vectors here.
    assert.notStrictEqual(norm2(v.dL_dh_local), norm2(v.dL_dh_recurrent));
  });

  it('shows the logits with the softmax beside them, the class with its probability, and ℓ_t (cross_entropy)', () => {
    const v = vectorStepValues(tr, 2);
    const md = text(2);
    assert.ok(md.includes('| ŷ\\_t (logits) |'), md);
    assert.ok(md.includes('| softmax(ŷ\\_t) |'), md);
    assert.ok(v.probs && v.cls !== null && v.loss !== null);
    assert.ok(md.includes(`target class ${v.cls} (p = ${f(v.probs[v.cls])}), ℓ\\_t = ${f(v.loss)}`), md);
    assert.ok(!text(1).includes('target class'), 'no target, no class line');
  });

  it('says the recurrent part is 0 at t = T, and the local part is 0 without a target', () => {
    assert.ok(text(4).includes('*(recurrent, 0 at t = T)*'));
    assert.ok(text(4).includes('‖recurrent‖ = 0`'));
    assert.ok(text(1).includes('‖local‖ = 0 '));
  });

  it('lists each vector with its norm and first components', () => {
    const v = vectorStepValues(tr, 0);
    const md = text(0);
    for (const [label, a] of [['x\\_t', v.x], ['h\\_t', v.h], ['∂L/∂h\\_t', v.dL_dh], ['∂L/∂s\\_t', v.dL_ds]] as const) {
      assert.ok(md.includes(`| ${label} | ${f(norm2(a))} | ${componentsText(a, f)} |`), `${label}\n${md}`);
    }
    assert.ok(md.includes('*φ = tanh, θ = identity, cross\\_entropy loss (mean), n = 16, m = 4, k = 3*'), md);
  });

  it('marks the largest |components| in bold, and names those beyond the first six by index', () => {
    const v = Float64Array.from([0.1, -3, 0.2, 0, 0.3, 0.4, 0.5, 0.6, -7, 0.7]);
    assert.deepStrictEqual(largestComponents(v, 3), [8, 1, 9]);
    assert.strictEqual(componentsText(v, f), '0.1, **-3**, 0.2, 0, 0.3, 0.4, … (10) · \\[9\\] **-7**, \\[10\\] **0.7**');
    assert.strictEqual(componentsText(Float64Array.from([1, 2]), f), '**1**, **2**');
    // Zeros are never marked.
    assert.deepStrictEqual(largestComponents([0, 0, 5], 3), [2]);
  });

  it('NaN and ±∞ are the largest: a broken unit is always marked', () => {
    const v = Float64Array.from([1e300, 2, Infinity, 3, NaN, 4, 5, 6, 7]);
    assert.deepStrictEqual(largestComponents(v, 3), [4, 2, 0]);
    assert.ok(componentsText(v, f).startsWith('**1e+300**, 2, **+∞**, 3, **NaN**, 4'), componentsText(v, f));
  });
});
