/**
 * The timeline's checks (issue 9): the strip's summary of a CheckReport, the user's series
 * reduced like the exact ones, and the steps marked as mismatching. Reports come from runChecks
 * on small files written here; expectations from the exact trace, computed independently.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runChecks, type CheckReport } from '../../src/check';
import { runBptt, stepValues, type Trace } from '../../src/core';
import { checksSummary, drawnClaims, drawnKey } from '../../src/extension/timeline/checks';
import { seriesData, TraceSeries } from '../../src/extension/timeline/data';
import { parseSequence } from '../../src/parse';
import { validateWebviewMessage } from '../../src/shared/protocol';
import { bucketLayout, log10Abs, reduceSeries } from '../../src/shared/series';

function analyse(text: string): { trace: Trace; report: CheckReport } {
  const parsed = parseSequence(text, 'csv');
  assert.deepEqual(parsed.errors, []);
  const trace = runBptt(parsed.model, parsed);
  return { trace, report: runChecks(parsed, trace, {}) };
}

/** A file of T steps with the given `# check:` lines and extra columns (cells as written). */
function file(T: number, checks: string[], columns: Record<string, (t: number) => string> = {}): string {
  const names = Object.keys(columns);
  const rows: string[] = [];
  for (let t = 1; t <= T; t++) rows.push([String(Math.sin(t)), t % 3 === 0 ? '' : String(0.5 + 0.4 * Math.cos(t)), ...names.map((n) => columns[n](t))].join(','));
  return [`# bptt: w=0.9 v=0.6 b=0.1 u=1.2 c=-0.1 phi=tanh theta=sigmoid loss=squared reduction=sum`, ...checks.map((c) => `# check: ${c}`), ['x', 'y', ...names].join(','), ...rows].join('\n') + '\n';
}

const SAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'samples', 'check-derivation.csv'), 'utf8');

describe('timeline checks: the strip', () => {
  it('the sample: dL_dh fails where its error enters, named; the others hold; lines are 1-based', () => {
    const { report } = analyse(SAMPLE);
    const s = checksSummary(report);
    assert.ok(s);
    assert.equal(s.ok, false);
    const [dh, ds, dw] = s.claims;
    assert.deepEqual([dh.quantity, dh.source, dh.line, dh.ok], ['dL_dh', 'formula', 4, false]);
    assert.equal(dh.diagnosis[0].code, 'phi_prime_for_theta_prime');
    // Gradients are computed from T back: the error enters at the last step with a target (t = 8).
    assert.equal(dh.firstMismatch?.t, 8);
    assert.equal(dh.firstMismatch?.line, 15, "the row of t = 8 (header on line 7)");
    assert.deepEqual([ds.quantity, ds.ok, ds.line], ['dL_ds', true, 5]);
    assert.deepEqual([dw.quantity, dw.ok, dw.drawn], ['dL_dw', true, null]);
    // dL_dh and dL_ds are charted; dL_dw is a total.
    assert.deepEqual(s.drawn, [
      { claim: 0, key: 'dL_dh' },
      { claim: 1, key: 'dL_ds' },
    ]);
    assert.deepEqual([dh.drawn, ds.drawn], [0, 1]);
  });

  it('no claims, no strip; only charted quantities are drawn', () => {
    assert.equal(checksSummary(undefined), null);
    assert.equal(drawnKey('s'), null);
    assert.equal(drawnKey('dL_dyhat'), null);
    assert.equal(drawnKey('h'), 'h');
    const { report } = analyse(file(6, ['s = w * h[t-1] + v * x + b', 'yhat = theta(u * h + c)', 'dL_dh = nosuch(h)']));
    assert.deepEqual(
      drawnClaims(report).map((d) => d.key),
      ['yhat'],
    );
    const s = checksSummary(report);
    assert.match(s?.claims[2].error ?? '', /nosuch/);
  });
});

describe('timeline checks: series and mismatch markers', () => {
  it('the sample at full resolution: the user’s values as computed, rings exactly where they differ', async () => {
    const { trace, report } = analyse(SAMPLE);
    const ts = await TraceSeries.prepare(trace, undefined, report);
    const w = await ts.window(0, trace.T, 400);
    assert.equal(w.full, true);
    assert.equal(w.claims.length, 2);
    const dh = report.claims[0];
    const user = dh.user as Float64Array;
    for (let i = 0; i < trace.T; i++) {
      assert.equal(w.claims[0].user[i], user[i]);
      // The wrong local term: dL_dyhat·φ'(h) where θ'(u·h + c)·u belongs; the ring marks exactly the steps where they differ.
      const v = stepValues(trace, i);
      const differs = Math.abs(user[i] - v.dL_dh) > 1e-8 * Math.abs(v.dL_dh);
      assert.equal(Number.isNaN(w.claims[0].mismatch[i]), !differs, `t = ${i + 1}`);
      assert.equal(w.claims[0].log_user?.[i], log10Abs(user[i], ts.logFloor));
    }
    // dL_ds holds: no ring anywhere.
    assert.ok(w.claims[1].mismatch.every((v) => Number.isNaN(v)));
    // The summary's floor lies under the user's gradients too.
    const s = ts.summary({ uri: 'file:///s.csv', fileName: 's.csv', version: 1, durationMs: 0 });
    assert.equal(s.checks?.claims.length, 3);
  });

  it('a pasted column rounded to 4 digits has no ring; a planted slip has one, at its step', async () => {
    const T = 30;
    const exact = runBptt(parseSequence(file(T, []), 'csv').model, parseSequence(file(T, []), 'csv'));
    const h = (t: number): string => exact.h[t - 1].toPrecision(4);
    const planted = (t: number): string => (t === 17 ? (exact.h[16] * 1.01).toPrecision(4) : h(t));
    const { trace, report } = analyse(file(T, [], { h, yhat: () => '' }));
    assert.equal(report.claims[0].ok, true, 'rounded values hold');
    const ok = await (await TraceSeries.prepare(trace, undefined, report)).window(0, T, 100);
    assert.ok(ok.claims[0].mismatch.every((v) => Number.isNaN(v)));
    const bad = analyse(file(T, [], { h: planted }));
    assert.equal(bad.report.claims[0].firstMismatch?.t, 17);
    const w = await (await TraceSeries.prepare(bad.trace, undefined, bad.report)).window(0, T, 100);
    const rings = [...w.claims[0].mismatch.keys()].filter((i) => !Number.isNaN(w.claims[0].mismatch[i]));
    assert.deepEqual(rings, [16]);
    assert.equal(w.claims[0].log_user, null, 'h is a forward quantity: linear only');
  });

  it('many steps: reduced to the width with the same min/max buckets as the exact series; the worker’s data agree', async () => {
    const T = 5000;
    const { trace, report } = analyse(file(T, ['dL_dh = dL_dyhat * dphi(h) + w * dL_ds[t+1]']));
    const ts = await TraceSeries.prepare(trace, undefined, report);
    const w = await ts.window(0, T, 200);
    assert.equal(w.full, false);
    const layout = bucketLayout(0, T, 200);
    const user = report.claims[0].user as Float64Array;
    assert.deepEqual(w.claims[0].user, reduceSeries(user, layout));
    assert.deepEqual(w.claims[0].log_user, reduceSeries(user, layout, { log: true, floor: ts.logFloor }));
    assert.equal(w.claims[0].user.length, w.t.length);
    const fromWorker = await TraceSeries.of(trace, seriesData(trace, report), report).window(0, T, 200);
    assert.deepEqual(fromWorker.claims, w.claims);
    // Every mismatching step is within a bucket that carries a ring.
    const zoom = await ts.window(0, T, 10_000);
    const marked = zoom.claims[0].mismatch.filter((v) => !Number.isNaN(v)).length;
    assert.equal(marked, report.claims[0].mismatches);
  });
});

describe('timeline checks: revealClaim from the webview', () => {
  it('accepts an index, refuses anything else', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'revealClaim', index: 2 }), { type: 'revealClaim', index: 2 });
    for (const bad of [{ type: 'revealClaim' }, { type: 'revealClaim', index: -1 }, { type: 'revealClaim', index: 1.5 }, { type: 'revealClaim', index: '1' }, { type: 'revealClaim', index: 1, t: 3 }, { type: 'revealClaim', index: 2 ** 40 }]) {
      assert.equal(validateWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
