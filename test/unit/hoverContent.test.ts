import * as assert from 'assert';
import { BUILTIN_DEFAULTS, runBptt, stepValues, type Model } from '../../src/core';
import { hoverMarkdown, timelineCommandLink } from '../../src/extension/hoverContent';
import { formatNumber } from '../../src/shared/format';

function trace(model: Partial<Model>, x: number[], y: (number | null)[]) {
  const m = { ...BUILTIN_DEFAULTS, ...model };
  return runBptt(m, {
    x: Float64Array.from(x),
    y: Float64Array.from(y.map((v) => v ?? NaN)),
    hasY: Uint8Array.from(y.map((v) => (v === null ? 0 : 1))),
  });
}

describe('hoverMarkdown', () => {
  const tr = trace({ w: 0.9, v: 0.5 }, [1, 0.5, -0.25], [0.4, null, 0.2]);
  const text = (i: number, digits = 6) =>
    hoverMarkdown({ v: stepValues(tr, i), T: tr.T, model: tr.model, digits });

  it('heads with the step of T', () => {
    assert.match(text(0), /^\*\*Step 1 of 3\*\*/);
    assert.match(text(1), /^\*\*Step 2 of 3\*\* · no target\n/);
  });

  it('shows ∂L/∂h_t as local + recurrent with the actual factors', () => {
    const v = stepValues(tr, 0);
    const f = (n: number) => formatNumber(n, 6);
    const factor = (s: string) => (s.startsWith('-') ? `(${s})` : s);
    const md = text(0);
    assert.ok(md.includes(`= ${factor(f(v.dL_dyhat))} · ${factor(f(v.thetaPrime))} · 1 + 0.9 · ${factor(f(tr.dL_ds[1]))}`), md);
    assert.ok(md.includes(`= ${f(v.dL_dh_local)} + ${factor(f(v.dL_dh_recurrent))} = ${f(v.dL_dh)}`), md);
    assert.ok(md.includes(`= ${factor(f(v.dL_dh))} · ${factor(f(v.phiPrime))} = ${f(v.dL_ds)}`), md);
  });

  it('says the recurrent part is 0 at t = T', () => {
    const md = text(2);
    assert.ok(md.includes('0 (t = T)'), md);
    assert.ok(md.includes('+ 0.9 · 0`'), md);
    assert.ok(md.includes('*(recurrent, 0 at t = T)*'), md);
  });

  it('marks a step without a target', () => {
    const md = text(1);
    assert.ok(md.includes('| y\\_t | no target |'), md);
    assert.ok(md.includes('| ℓ\\_t | — |'), md);
  });

  it('respects the precision', () => {
    const v = stepValues(tr, 0);
    assert.ok(text(0, 3).includes(formatNumber(v.dL_ds, 3)));
    assert.ok(!text(0, 3).includes(formatNumber(v.dL_ds, 6)) || formatNumber(v.dL_ds, 3) === formatNumber(v.dL_ds, 6));
  });

  it('links to the timeline at the step', () => {
    const link = timelineCommandLink('file:///a/b.csv', 4);
    assert.strictEqual(link, `command:bpttLens.showTimeline?${encodeURIComponent('["file:///a/b.csv",4]')}`);
    const md = hoverMarkdown({ v: stepValues(tr, 0), T: 3, model: tr.model, digits: 6, timelineLink: link });
    assert.ok(md.startsWith(`**Step 1 of 3** · [Show in timeline](${link})\n`), md);
  });
});
