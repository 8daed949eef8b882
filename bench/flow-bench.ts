/**
 * Benchmark of src/flow (issue 10). Build and run:
 *   npx esbuild bench/flow-bench.ts --bundle --platform=node --target=node20 --main-fields=module,main \
 *     --outfile=bench/out/flow-bench.js && node --expose-gc bench/out/flow-bench.js [--quick]
 *
 * The machine is shared and noisy, so each budget is a ratio measured in the same run (the plain
 * pass and the analysis alternate, median of several samples), and the absolute figures are
 * printed next to the plain pass's ns/step, which BENCHMARKS.md gives for a quiet machine.
 * --quick: fewer samples, and the T = 10⁶, K = 1000 lag run with K = 100 (scaled figure printed).
 */
import { runBptt, type Trace } from '../src/core';
import {
  FactorProducts, computeHorizons, connectivity, factorsAndHorizons, flowInputs, gradientByLag, lagSums, phiPrimes, runTruncated, truncateSweep, windowAround,
} from '../src/flow';
import { benchData as gen, benchModel, median } from './data';

const quick = process.argv.includes('--quick');

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function ms(f: () => unknown): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Alternates a and b, `n` samples each after one warm-up of both; medians in ms. */
function paired(a: () => unknown, b: () => unknown, n: number): { a: number; b: number } {
  a(); b();
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < n; i++) {
    gc(); ta.push(ms(a));
    gc(); tb.push(ms(b));
  }
  return { a: median(ta), b: median(tb) };
}

const lines: string[] = [];
const say = (s = ''): void => { lines.push(s); console.log(s); };
const f1 = (x: number): string => x.toFixed(1);
const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

const model = benchModel('tanh');
const n = quick ? 3 : 7;
say(`flow benchmark  node ${process.version}  ${new Date().toISOString()}${quick ? '  (--quick)' : ''}`);

// 1. Factors + horizons at T = 10⁶ against the plain pass.
const d6 = gen(1_000_000);
const trace6: Trace = runBptt(model, d6);
const plainFactorsAndHorizons = (tr: Trace): void => {
  const factor = phiPrimes(tr);
  const w = tr.model.w;
  for (let i = 0; i < factor.length; i++) factor[i] = w * factor[i];
  computeHorizons(new FactorProducts(factor), tr.hasY, 1e-3);
};
const fh = paired(() => runBptt(model, d6), () => factorsAndHorizons(trace6, 1e-3), n);
say();
say(`T = 10⁶ plain run (forward + backward): ${f1(fh.a)} ms (${f1(fh.a)} ns/step)`);
say(`  factors + horizons (one pass, factorsAndHorizons): ${f1(fh.b)} ms = ${(fh.b / fh.a).toFixed(2)}× the plain run   (budget ≤ 1.5×: ${met(fh.b <= 1.5 * fh.a)})`);
const fhPlain = paired(() => runBptt(model, d6), () => plainFactorsAndHorizons(trace6), n);
say(`  the same, plain path (phiPrimes, FactorProducts, computeHorizons): ${f1(fhPlain.b)} ms = ${(fhPlain.b / fhPlain.a).toFixed(2)}×`);
const all = paired(() => runBptt(model, d6), () => flowInputs(trace6), n);
say(`  flowInputs (φ', factors, local terms, seeds, h_{t−1}; once per trace): ${f1(all.b)} ms = ${(all.b / all.a).toFixed(2)}×`);

// 2. Truncated run against the plain pass.
const tr = paired(() => runBptt(model, d6), () => runTruncated(model, d6, 50), n);
say(`  truncated run (truncate=50): ${f1(tr.b)} ms = ${(tr.b / tr.a).toFixed(2)}× the plain run   (budget ≤ 1.2×: ${met(tr.b <= 1.2 * tr.a)})`);

// 3. Heat-map window, 512 × 512 around the middle.
const inp6 = flowInputs(trace6);
const win = windowAround(trace6.T, 500_000);
const heat: number[] = [];
for (let i = 0; i < 7; i++) heat.push(ms(() => connectivity(inp6.jacobians, inp6.seed, trace6.hasY, win.from, win.to, win.from, win.to)));
say(`  connectivity window 512 × 512: ${f1(median(heat))} ms   (budget ≤ 100 ms: ${met(median(heat) <= 100)})`);

// 4. Gradient by lag.
const d4 = gen(10_000);
const trace4 = runBptt(model, d4);
const inp4 = flowInputs(trace4);
const lag4: number[] = [];
gradientByLag(trace4, inp4);
for (let i = 0; i < n; i++) lag4.push(ms(() => gradientByLag(trace4, inp4)));
say();
say(`gradient by lag, T = 10⁴, every lag (${trace4.nTargets} targets × ≤ 10⁴ lags): ${f1(median(lag4))} ms   (budget ≤ 300 ms: ${met(median(lag4) <= 300)})`);
const K = quick ? 100 : 1000;
// Median of three runs (the first one cold: the WebAssembly module compiles on first use), with
// the process's cpu time beside the wall time: on the shared machine they differ by the waiting.
const wall6: number[] = [], cpu6: number[] = [];
for (let i = 0; i < 3; i++) {
  gc();
  const cpu0 = process.cpuUsage();
  wall6.push(ms(() => gradientByLag(trace6, inp6, K)));
  const c = process.cpuUsage(cpu0);
  cpu6.push((c.user + c.system) / 1000);
}
const lag6 = median(wall6);
const lag6At1000 = (lag6 * 1000) / K;
say(`gradient by lag, T = 10⁶, K = ${K}: ${f1(lag6)} ms (median of 3; cpu ${f1(median(cpu6))} ms; runs ${wall6.map(f1).join(', ')} ms)${quick ? ` (→ ${f1(lag6At1000)} ms at K = 1000, linear in K)` : ''}   ` +
  `(${((lag6 * 1e6) / (trace6.T * (K + 1))).toFixed(2)} ns per (step, lag): every step is a row of the dense loop; budget ≤ 2000 ms: ${met(lag6At1000 <= 2000)})`);
gc();
const lag6Js = ms(() => lagSums(inp6, K, false, undefined, 'js'));
say(`  the same sums on the JS kernel (engines without WebAssembly SIMD): ${f1(lag6Js)} ms`);

// The lag kernels against their plain twin (one lag per pass, same doubles), K = 100, alternating.
const simd100 = paired(() => lagSums(inp6, 100, false, undefined, 'plain'), () => lagSums(inp6, 100), quick ? 2 : 3);
const js100 = paired(() => lagSums(inp6, 100, false, undefined, 'plain'), () => lagSums(inp6, 100, false, undefined, 'js'), quick ? 2 : 3);
say(`  lag sums at K = 100: WebAssembly SIMD (two blocks per f64x2, four lags per pass) ${f1(simd100.b)} ms, ` +
  `JS four lags per pass ${f1(js100.b)} ms, one lag per pass (plain) ${f1(simd100.a)} ms`);

// 5. Bias sweeps: horizon=k for every k from the lag sums (no extra pass); truncate=k one pass per k.
const sweep: number[] = [];
for (let i = 0; i < 3; i++) sweep.push(ms(() => truncateSweep(inp4, model.w, 1000)));
say(`truncate sweep k = 1..1000 at T = 10⁴: ${f1(median(sweep))} ms (${((median(sweep) * 1e6) / 1e7).toFixed(2)} ns per (step, k))`);
