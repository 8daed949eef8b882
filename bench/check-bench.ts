/**
 * Check-my-gradients benchmark (issue 9): a 10⁶-step CSV with two claim columns and one formula.
 *   plain run = parse + runBptt;  check = parse + claims + runBptt + runChecks (all claims hold);
 *   catalogue = runChecks where every claim fails, so every variant runs (propagated and isolated).
 * Run: npx tsc -p . && node out/bench/check-bench.js [T]
 */
import { runBptt, stepValues } from '../src/core';
import { runChecks } from '../src/check';
import { parseSequence } from '../src/parse';

const T = Number(process.argv[2] ?? 1e6);

function makeFile(slip: boolean): string {
  const head = '# bptt: w=0.9 v=0.5 b=0.1 u=1.2 c=-0.05 phi=tanh theta=sigmoid loss=squared\n';
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  let st = 12345;
  const lcg = () => (st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let t = 0; t < T; t++) {
    x[t] = lcg() * 4 - 2;
    y[t] = lcg();
    hasY[t] = lcg() < 0.875 ? 1 : 0;
  }
  const seq = parseSequence(head + 'x,y\n0,0\n', 'csv');
  const trace = runBptt(seq.model, { x, y, hasY });
  const parts: string[] = [head, `# check: dL_dh = dL_dyhat * ${slip ? 'dphi(h)' : 'dtheta(u*h + c) * u'} + w * dL_ds[t+1]\n`, 'x,y,dL_dh,dL_ds\n'];
  for (let t = 0; t < T; t++) {
    const v = stepValues(trace, t);
    const ds = slip ? v.dL_ds * 1.5 : v.dL_ds; // a wrong column: fails, and no variant reproduces it
    parts.push(`${x[t]},${hasY[t] ? y[t] : ''},${v.dL_dh},${ds}\n`);
  }
  return parts.join('');
}

function time<R>(f: () => R): [number, R] {
  const t0 = performance.now();
  const r = f();
  return [performance.now() - t0, r];
}

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[s.length >> 1];
}

const good = makeFile(false);
const bad = makeFile(true);
const plain = (text: string) => {
  const seq = parseSequence(text, 'csv');
  return runBptt(seq.model, seq);
};
const check = (text: string) => {
  const seq = parseSequence(text, 'csv');
  return runChecks(seq, runBptt(seq.model, seq));
};

const plainMs: number[] = [], checkMs: number[] = [], catMs: number[] = [];
for (let i = 0; i < 5; i++) {
  plainMs.push(time(() => plain(good))[0]);
  const [ms, report] = time(() => check(good));
  if (!report.ok) throw new Error('the correct file must pass');
  checkMs.push(ms);
  // The catalogue alone: the same failing file with and without diagnosis.
  const seq = parseSequence(bad, 'csv');
  const claims = seq;
  const trace = runBptt(seq.model, seq);
  const [without] = time(() => runChecks(claims, trace, { diagnose: false }));
  const [withCat, rep] = time(() => runChecks(claims, trace));
  if (rep.ok || rep.claims[0].diagnosis[0]?.code !== 'phi_prime_for_theta_prime') throw new Error('the slip must be named');
  catMs.push(withCat - without);
}
const p = median(plainMs), c = median(checkMs), k = median(catMs);
console.log(`T = ${T}, file ${(good.length / 1e6).toFixed(1)} MB, two claim columns and one formula (median of 5)`);
console.log(`  plain run (parse + runBptt)                  ${p.toFixed(0)} ms`);
console.log(`  check (parse + claims + runBptt + runChecks) ${c.toFixed(0)} ms   ratio ${(c / p).toFixed(2)} (≤ 2: ${c / p <= 2 ? 'met' : 'NOT met'})`);
console.log(`  whole catalogue on failing claims            ${k.toFixed(0)} ms   (≤ 1000 ms: ${k <= 1000 ? 'met' : 'NOT met'})`);
