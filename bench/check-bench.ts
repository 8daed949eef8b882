/**
 * Check-my-gradients benchmark (issue 9): a 10⁶-step CSV with two claim columns and one formula.
 *   plain run = parse + runBptt;  check = parse + claims + runBptt + runChecks (all claims hold);
 *   catalogue = runChecks where every claim fails, so every variant runs (propagated and isolated);
 *   hover = claimsAtStep + hoverMarkdown (what the hover provider computes) at 1000 random steps.
 * Wall and CPU time (CPU is steadier on a shared machine); the ratio is judged within one run.
 * Run: npx esbuild bench/check-bench.ts --bundle --platform=node --main-fields=module,main
 *   --outfile=bench/out/check-bench.js && node bench/out/check-bench.js [T]
 */
import { runBptt, stepValues } from '../src/core';
import { DEFAULT_ATOL, DEFAULT_RTOL, runChecks } from '../src/check';
import { claimsAtStep } from '../src/extension/checkHover';
import { hoverMarkdown, numericCheckLink, timelineCommandLink } from '../src/extension/hoverContent';
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

/** [wall ms, result]; the CPU ms of the latest call is in lastCpu. */
let lastCpu = 0;
function time<R>(f: () => R): [number, R] {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / 1000;
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
const plainCpu: number[] = [], checkCpu: number[] = [], catCpu: number[] = [];
for (let i = 0; i < 5; i++) {
  plainMs.push(time(() => plain(good))[0]);
  plainCpu.push(lastCpu);
  const [ms, report] = time(() => check(good));
  if (!report.ok) throw new Error('the correct file must pass');
  checkMs.push(ms);
  checkCpu.push(lastCpu);
  // The catalogue alone: the same failing file with and without diagnosis.
  const seq = parseSequence(bad, 'csv');
  const trace = runBptt(seq.model, seq);
  const [without] = time(() => runChecks(seq, trace, { diagnose: false }));
  const withoutCpu = lastCpu;
  const [withCat, rep] = time(() => runChecks(seq, trace));
  if (rep.ok || rep.claims[0].diagnosis[0]?.code !== 'phi_prime_for_theta_prime') throw new Error('the slip must be named');
  catMs.push(withCat - without);
  catCpu.push(lastCpu - withoutCpu);
}
const p = median(plainMs), c = median(checkMs), k = median(catMs);
const pc = median(plainCpu), cc = median(checkCpu), kc = median(catCpu);
console.log(`T = ${T}, file ${(good.length / 1e6).toFixed(1)} MB, two claim columns and one formula (median of 5; wall, cpu)`);
console.log(`  plain run (parse + runBptt)                  ${p.toFixed(0)} ms, cpu ${pc.toFixed(0)} ms`);
console.log(`  check (parse + claims + runBptt + runChecks) ${c.toFixed(0)} ms, cpu ${cc.toFixed(0)} ms   ratio ${(c / p).toFixed(2)} (cpu ${(cc / pc).toFixed(2)}; ≤ 2: ${cc / pc <= 2 ? 'met' : 'NOT met'})`);
console.log(`  whole catalogue on failing claims            ${k.toFixed(0)} ms, cpu ${kc.toFixed(0)} ms   (≤ 1000 ms: ${kc <= 1000 ? 'met' : 'NOT met'})`);

// The hover with claims present: the failing file (three claims, one wrong at every step).
{
  const seq = parseSequence(bad, 'csv');
  const trace = runBptt(seq.model, seq);
  const report = runChecks(seq, trace);
  const uri = 'file:///bench/check.csv';
  const hover = (i: number) => hoverMarkdown({
    v: stepValues(trace, i), T: trace.T, model: trace.model, digits: 6,
    timelineLink: timelineCommandLink(uri, i), claims: claimsAtStep(report, i, DEFAULT_RTOL, DEFAULT_ATOL), numericLink: numericCheckLink(uri, i + 1),
  });
  // The first hover scans each claim's column once for its scale (cached); then 200 warm-up hovers.
  const [first, md] = time(() => hover(0));
  if (!md.includes('Your claims at step 1')) throw new Error('the hover must show the claims');
  for (let j = 0; j < 200; j++) hover((j * 7919) % T);
  // Wall time per hover, and CPU time (µs resolution): on a loaded machine a preempted hover's wall time is the scheduler's.
  const ms: number[] = [], cpu: number[] = [];
  let st = 777;
  for (let j = 0; j < 1000; j++) {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    const [wall] = time(() => hover(st % T));
    ms.push(wall);
    cpu.push(lastCpu);
  }
  const pct = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.ceil(q * a.length) - 1];
  const p99 = pct(ms, 0.99), p99c = pct(cpu, 0.99);
  console.log(
    `  hover (claimsAtStep + hoverMarkdown), 1000 random steps: wall p50 ${pct(ms, 0.5).toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${pct(ms, 1).toFixed(3)} ms; ` +
    `cpu p50 ${pct(cpu, 0.5).toFixed(3)} ms, p99 ${p99c.toFixed(3)} ms; first hover ${first.toFixed(1)} ms (≤ 2 ms p99: ${p99 <= 2 ? 'met' : p99c <= 2 ? 'met in CPU time' : 'NOT met'})`,
  );
}
