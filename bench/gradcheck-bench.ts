/**
 * Numerical gradient check figures (issue 9): the six parameters at T = 10⁶ against a plain
 * runBptt in the same run (the ratio is what is judged on a shared machine), and the per-step
 * check (∂L/∂s_t and ∂L/∂x_t at every step) at T = 2000. Target: six parameters at 10⁶ ≤ 1 s.
 *
 * Run (scripts/bench.sh does): npx esbuild bench/gradcheck-bench.ts --bundle --platform=node
 *   --main-fields=module,main --outfile=bench/out/gradcheck-bench.js && node bench/out/gradcheck-bench.js
 * (BPTT_BENCH_T overrides 10⁶, BPTT_BENCH_PHI picks the φ; the model and data are bench/bench.ts's.)
 */
import { runBptt, type Model } from '../src/core';
import { gradcheck } from '../src/gradcheck';
import { benchData as gen, benchModel, median } from './data';

const T = Number(process.env.BPTT_BENCH_T ?? 1_000_000);
const SAMPLES = 5;
/** BPTT_BENCH_PHI=tanh,sigmoid runs only those φ. */
const PHIS = (process.env.BPTT_BENCH_PHI ?? 'tanh,identity,relu,sigmoid,softplus').split(',') as Model['phi'][];

/** Median wall and CPU time of `fn` over SAMPLES runs after one warm-up, in ms (CPU time is steadier on a shared machine). */
function time(fn: () => unknown): { wall: number; cpu: number } {
  fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const ms = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(0)} ms (cpu ${t.cpu.toFixed(0)})`;

const big = gen(T);
const small = gen(2000);
console.log(`gradcheck bench: ${process.version}, median of ${SAMPLES} after a warm-up`);
for (const phi of PHIS) {
  const model = benchModel(phi);
  if (phi === 'identity') model.w = 0.5;
  const plain = time(() => runBptt(model, big));
  const params = time(() => gradcheck(model, big, { steps: [] }));
  const steps = time(() => gradcheck(model, small, { params: false }));
  const ok = gradcheck(model, big, { steps: [] }).ok;
  console.log(
    `  φ = ${phi.padEnd(8)} T = ${T}: runBptt ${ms(plain)}; six parameters ${ms(params)} = ${(params.cpu / plain.cpu).toFixed(1)}× runBptt ` +
    `(≤ 1000 ms: ${params.wall <= 1000 ? 'met' : params.cpu <= 1000 ? 'met in CPU time' : 'NOT met'}; ok = ${ok})` +
    ` | every step at T = 2000 (4000 checks): ${ms(steps)}`,
  );
}
