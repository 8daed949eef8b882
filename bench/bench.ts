/**
 * `npm run bench` (scripts/bench.sh builds this with esbuild into bench/out/bench.js and the C
 * baseline bench/bptt.c into bench/out/bptt, then runs `node --expose-gc bench/out/bench.js`).
 *
 * The machine is shared and noisy, so every figure that is compared is compared as a ratio
 * measured in the same run: JS and C are timed alternately, config by config, each as the median
 * of several samples after a warm-up.
 *
 * Options: --quick (T up to 10⁶, fewer samples), --out FILE (also write the report there).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { referenceBptt, runBptt, type BpttPass, type Model, type SequenceData, type Trace, type TraceBuffers } from '../src/core';
import { tanh as coreTanh } from '../src/core/tanh';
import { parseSequence } from '../src/parse';
import { benchData as gen, benchModel, median } from './data';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIdx = args.indexOf('--out');
const outFile = outIdx >= 0 ? args[outIdx + 1] : undefined;
const benchOut = join(__dirname);
const cBin = join(benchOut, 'bptt');

const lines: string[] = [];
function say(s = ''): void {
  lines.push(s);
  console.log(s);
}

// ---------------------------------------------------------------------------------------------
// Data: the same 32-bit LCG as bench/bptt.c, so JS and C see bit-identical sequences.

// ---------------------------------------------------------------------------------------------
// Helpers

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Full GC, then time for V8 to release freed ArrayBuffer memory (it is swept concurrently). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 30));
  }
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function fmt(x: number, d = 2): string {
  return Number.isFinite(x) ? x.toFixed(d) : String(x);
}

function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

interface CRun {
  phi: string;
  T: number;
  reps: number;
  samples: number[];
  nsPerStep: number;
  L: number;
  grads: Record<string, number>;
  nTargets: number;
  nonFinite: boolean;
}

function runC(cmd: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cBin, cmd, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 1 << 24 });
}

/** Whether two traces have the same L and gradients, bit for bit. */
function sameSums(a: Trace, b: Trace): boolean {
  return Object.is(a.loss, b.loss) && (['w', 'v', 'b', 'u', 'c', 'h0'] as const).every((k) => Object.is(a.grads[k], b.grads[k]));
}

/** Checksum agreement between JS and C: max relative difference over L and the 6 gradients. */
function checksumDiff(tr: Trace, c: CRun): number {
  let m = relDiff(tr.loss, c.L);
  for (const k of ['w', 'v', 'b', 'u', 'c', 'h0'] as const) m = Math.max(m, relDiff(tr.grads[k], c.grads[k]));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Machine

function machine(): string[] {
  const cpu = (() => {
    try {
      const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
      return m ? m[1] : cpus()[0]?.model ?? '?';
    } catch {
      return cpus()[0]?.model ?? '?';
    }
  })();
  let gcc = '?';
  try {
    gcc = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    /* no gcc */
  }
  return [
    `date        ${new Date().toISOString()}`,
    `cpu         ${cpu} × ${cpus().length} (nproc)`,
    `node        ${process.version} (V8 ${process.versions.v8})`,
    `gcc         ${gcc}, C baseline built with -O2 -lm`,
  ];
}

// ---------------------------------------------------------------------------------------------
// 1. Core: forward + backward, JS vs C

interface CoreRow {
  phi: 'tanh' | 'identity';
  T: number;
  js: number;
  c: number;
  ratio: number;
  diff: number;
  ok: boolean;
  /** The reference pass (src/core/reference.ts), ns/step, or NaN where it was not run. */
  ref: number;
}

function timeJs(pass: BpttPass, model: Model, data: SequenceData, buffers: TraceBuffers, reps: number, runs: number): { ns: number; trace: Trace } {
  const T = data.x.length;
  let trace = pass(model, data, buffers);
  for (let k = 1; k < reps; k++) trace = pass(model, data, buffers); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowNs();
    for (let k = 0; k < reps; k++) trace = pass(model, data, buffers);
    samples.push((nowNs() - t0) / (T * reps));
  }
  return { ns: median(samples), trace };
}

function coreBench(): CoreRow[] {
  const Ts = quick ? [1e3, 1e4, 1e5, 1e6] : [1e3, 1e4, 1e5, 1e6, 1e7];
  // Warm every path of runBptt first, so each timed config runs the one optimized version a
  // long-lived process (the extension's worker) would have.
  {
    const d = gen(1e4);
    const buf = { s: new Float64Array(1e4), h: new Float64Array(1e4), dL_ds: new Float64Array(1e4) };
    for (let i = 0; i < 200; i++) for (const phi of ['tanh', 'identity'] as const) runBptt(benchModel(phi), d, buf);
    for (let i = 0; i < 50; i++) for (const phi of ['tanh', 'identity'] as const) referenceBptt(benchModel(phi), d);
  }
  const rows: CoreRow[] = [];
  for (const T of Ts) {
    const data = gen(T);
    const buffers: TraceBuffers = { s: new Float64Array(T), h: new Float64Array(T), dL_ds: new Float64Array(T) };
    const reps = T >= 1e6 ? 1 : 1e6 / T;
    const runs = T >= 1e7 ? 3 : quick ? 5 : 7;
    for (const phi of ['tanh', 'identity'] as const) {
      const model = benchModel(phi);
      // JS, C, JS, C: each side's figure is the better of its two medians, so a slow phase of the
      // (shared, noisy) machine does not land on one side only.
      const js = timeJs(runBptt, model, data, buffers, reps, runs);
      const c1 = JSON.parse(runC(['run', phi, String(T), String(runs)])) as CRun;
      const js2 = timeJs(runBptt, model, data, buffers, reps, runs);
      const c2 = JSON.parse(runC(['run', phi, String(T), String(runs)])) as CRun;
      const jsNs = Math.min(js.ns, js2.ns);
      const c = c1.nsPerStep <= c2.nsPerStep ? c1 : c2;
      const diff = checksumDiff(js.trace, c);
      const tol = phi === 'identity' ? 1e-12 : 1e-9;
      // The reference pass (its own arrays each call, as it is written), up to T = 10⁶: what the tuning buys.
      const ref = T <= 1e6 ? timeJs(referenceBptt, model, data, buffers, reps, Math.min(runs, 5)) : null;
      const refSame = ref === null || sameSums(ref.trace, js.trace);
      const ok = diff <= tol && js.trace.nTargets === c.nTargets && (js.trace.firstNonFinite === null) === !c.nonFinite && refSame;
      rows.push({ phi, T, js: jsNs, c: c.nsPerStep, ratio: jsNs / c.nsPerStep, diff, ok, ref: ref ? ref.ns : NaN });
      say(
        `  φ=${phi.padEnd(8)} T=${pad(T.toExponential(0), 5)}  JS ${pad(fmt(jsNs), 7)}  C ${pad(fmt(c.nsPerStep), 7)}  ` +
          `JS/C ${fmt(jsNs / c.nsPerStep)}  checksum Δ ${diff.toExponential(1)} ${ok ? 'ok' : 'MISMATCH'}`,
      );
      if (ref) {
        say(
          `    reference           ${pad(fmt(ref.ns), 7)}            ref/C ${fmt(ref.ns / c.nsPerStep)}  ` +
            `ref/kernel ${fmt(ref.ns / jsNs)}  L and ∂L/∂θ ${refSame ? 'same bits' : 'DIFFER'}`,
        );
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 2. tanh alone

interface TanhTimes {
  indep: number;
  chain: number;
}

// One loop per function, and one call per sample: a loop that runs long in its first call would
// be measured in on-stack-replaced code, which keeps its loop variables boxed.
function indepLoop(f: (x: number) => number, x: Float64Array, o: Float64Array): void {
  for (let k = 0; k < x.length; k++) o[k] = f(x[k]);
}
function chainLoop(f: (x: number) => number, x: Float64Array, o: Float64Array): void {
  let h = 0;
  for (let k = 0; k < x.length; k++) {
    h = f(0.5 * h + x[k]);
    o[k] = h;
  }
}
// Math.tanh written out (not passed as f), as runBptt's original loops used it.
function indepLoopMath(x: Float64Array, o: Float64Array): void {
  for (let k = 0; k < x.length; k++) o[k] = Math.tanh(x[k]);
}
function chainLoopMath(x: Float64Array, o: Float64Array): void {
  let h = 0;
  for (let k = 0; k < x.length; k++) {
    h = Math.tanh(0.5 * h + x[k]);
    o[k] = h;
  }
}

function timeTanhJs(which: 'core' | 'math', x: Float64Array, o: Float64Array, runs: number): TanhTimes {
  const n = x.length;
  const ind = which === 'core' ? (): void => indepLoop(coreTanh, x, o) : (): void => indepLoopMath(x, o);
  const chn = which === 'core' ? (): void => chainLoop(coreTanh, x, o) : (): void => chainLoopMath(x, o);
  // Warm-up on short slices, so the loops are compiled whole before the timed calls.
  const xs = x.subarray(0, 256);
  const os = o.subarray(0, 256);
  for (let i = 0; i < 300; i++) {
    if (which === 'core') {
      indepLoop(coreTanh, xs, os);
      chainLoop(coreTanh, xs, os);
    } else {
      indepLoopMath(xs, os);
      chainLoopMath(xs, os);
    }
  }
  const indep: number[] = [];
  const chain: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowNs();
    ind();
    const t1 = nowNs();
    chn();
    const t2 = nowNs();
    indep.push((t1 - t0) / n);
    chain.push((t2 - t1) / n);
  }
  return { indep: median(indep), chain: median(chain) };
}

function tanhBench(): void {
  const n = 1e6;
  const runs = quick ? 5 : 9;
  const { x } = gen(n);
  const o = new Float64Array(n);
  const rows: [string, TanhTimes][] = [];
  for (let round = 0; round < 2; round++) {
    const m = timeTanhJs('math', x, o, runs);
    const f = timeTanhJs('core', x, o, runs);
    const g = JSON.parse(runC(['tanh', String(n), String(runs)])) as TanhTimes;
    const g0 = JSON.parse(runC(['tanh', String(n), String(runs)], { ...process.env, GLIBC_TUNABLES: 'glibc.cpu.hwcaps=-AVX2,-FMA' })) as TanhTimes;
    if (round === 0) {
      rows.push(['Math.tanh (V8: fdlibm tanh → expm1, C call)', m], ['core tanh (src/core/tanh.ts, inlined JS)', f]);
      rows.push(['glibc tanh (fdlibm tanh → expm1, FMA ifunc)', g], ['glibc tanh, FMA/AVX2 ifuncs disabled', g0]);
    } else {
      // Keep the better of two rounds for each, to shed one-off stalls of the machine.
      const best = [m, f, g, g0];
      rows.forEach((r, i) => {
        r[1] = { indep: Math.min(r[1].indep, best[i].indep), chain: Math.min(r[1].chain, best[i].chain) };
      });
    }
  }
  say(`  ${'implementation'.padEnd(46)} ${pad('independent', 11)} ${pad('chain h=tanh(h/2+x)', 19)}  (ns/call, x in [-2, 2))`);
  for (const [name, t] of rows) say(`  ${name.padEnd(46)} ${pad(fmt(t.indep), 11)} ${pad(fmt(t.chain), 19)}`);
  const [m, f, g] = rows.map((r) => r[1]);
  say(`  Math.tanh / glibc: ${fmt(m.indep / g.indep)}× independent, ${fmt(m.chain / g.chain)}× chained`);
  say(`  core tanh / glibc: ${fmt(f.indep / g.indep)}× independent, ${fmt(f.chain / g.chain)}× chained`);
}

// ---------------------------------------------------------------------------------------------
// 3–5. Files: bytes per step, CSV parse MB/s, file → trace end to end

function csvText(T: number): string {
  const { x, y, hasY } = gen(T);
  const parts: string[] = ['# bptt: w=0.9 v=0.5 b=0.1 u=1.2 c=-0.05 phi=tanh theta=identity loss=squared reduction=sum\nx,y\n'];
  for (let t = 0; t < T; t++) parts.push(hasY[t] ? `${x[t].toFixed(6)},${y[t].toFixed(6)}\n` : `${x[t].toFixed(6)},\n`);
  return parts.join('');
}

const PARSED_ARRAYS = ['x', 'y', 'hasY', 'line', 'xStart', 'xEnd', 'yStart', 'yEnd', 'rowStart', 'rowEnd'] as const;
const TRACE_ARRAYS = ['s', 'h', 'dL_ds'] as const;

async function fileBench(): Promise<{ bytesPerStep: number; measuredBytesPerStep: number; e2e: number; mbps: number }> {
  const T = 1e6;
  mkdirSync(benchOut, { recursive: true });
  const path = join(benchOut, `bench-${T}.csv`);
  const text0 = csvText(T);
  writeFileSync(path, text0);
  const size = statSync(path).size;
  say(`  file: ${path} (${T} rows, ${fmt(size / 1e6, 1)} MB)`);

  // Bytes held per step.
  await settle();
  const m0 = process.memoryUsage().arrayBuffers;
  let parsed = parseSequence(text0, 'csv');
  if (parsed.errors.length) throw new Error(`parse errors: ${parsed.errors[0].message}`);
  if (parsed.T !== T) throw new Error(`parsed ${parsed.T} steps, expected ${T}`);
  await settle();
  const m1 = process.memoryUsage().arrayBuffers;
  let trace = runBptt(parsed.model, parsed);
  await settle();
  const m2 = process.memoryUsage().arrayBuffers;
  const parsedBytes = PARSED_ARRAYS.reduce((a, k) => a + parsed[k].byteLength, 0);
  const traceBytes = TRACE_ARRAYS.reduce((a, k) => a + trace[k].byteLength, 0);
  const bytesPerStep = (parsedBytes + traceBytes) / T;
  const measured = (m2 - m0) / T;
  say(
    `  ParsedSequence: ${PARSED_ARRAYS.map((k) => `${k} ${parsed[k].byteLength / T}`).join(', ')} = ${fmt(parsedBytes / T, 1)} B/step` +
      ` (arrayBuffers Δ ${fmt((m1 - m0) / T, 1)})`,
  );
  say(
    `  Trace:          ${TRACE_ARRAYS.map((k) => `${k} ${trace[k].byteLength / T}`).join(', ')} = ${fmt(traceBytes / T, 1)} B/step` +
      ` (arrayBuffers Δ ${fmt((m2 - m1) / T, 1)})`,
  );
  say(`  total held:     ${fmt(bytesPerStep, 1)} B/step by byteLength, ${fmt(measured, 1)} B/step by process.memoryUsage().arrayBuffers`);

  // CSV parse throughput (text already in memory).
  const runs = quick ? 3 : 7;
  const parseNs: number[] = [];
  for (let i = -1; i < runs; i++) {
    const t0 = nowNs();
    parsed = parseSequence(text0, 'csv');
    const dt = nowNs() - t0;
    if (i >= 0) parseNs.push(dt);
  }
  const mbps = size / 1e6 / (median(parseNs) / 1e9);
  say(`  CSV parse: ${fmt(median(parseNs) / 1e6, 1)} ms for ${fmt(size / 1e6, 1)} MB = ${fmt(mbps, 1)} MB/s (${fmt(median(parseNs) / T, 1)} ns/row)`);

  // End to end: read the file, parse, full trace (fresh arrays each time, as the CLI does).
  const e2e: number[] = [];
  const split: [number, number, number][] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = nowNs();
    const text = readFileSync(path, 'utf8');
    const t1 = nowNs();
    parsed = parseSequence(text, 'csv');
    const t2 = nowNs();
    trace = runBptt(parsed.model, parsed);
    const t3 = nowNs();
    if (trace.T !== T) throw new Error('trace length');
    e2e.push(t3 - t0);
    split.push([t1 - t0, t2 - t1, t3 - t2]);
  }
  const med = median(e2e);
  const mid = split[e2e.indexOf(med)] ?? split[0];
  say(
    `  end to end (read + parse + runBptt), ${T} rows: ${fmt(med / 1e6, 0)} ms median of ${runs}, first ${fmt(e2e[0] / 1e6, 0)} ms` +
      `  [read ${fmt(mid[0] / 1e6, 0)} + parse ${fmt(mid[1] / 1e6, 0)} + bptt ${fmt(mid[2] / 1e6, 0)} ms]`,
  );
  return { bytesPerStep, measuredBytesPerStep: measured, e2e: med, mbps };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  say('BPTT Lens benchmark');
  for (const l of machine()) say(l);
  say();
  say('1. Core: runBptt (the kernel, src/core/kernel.ts) forward + backward, ns/step (θ=identity, ℓ=squared, reduction=sum;');
  say('   preallocated TraceBuffers, warm-up, median of 3–7 samples; T < 10⁶ repeated to 10⁶ steps per sample).');
  say('   C: bench/bptt.c, glibc tanh. "reference": referenceBptt (src/core/reference.ts), the plain two-loop pass, T ≤ 10⁶.');
  const core = coreBench();
  say();
  say('2. tanh alone');
  tanhBench();
  say();
  say('3. Files: bytes held per step, CSV parse, file → trace');
  const files = await fileBench();
  say();
  const allOk = core.every((r) => r.ok);
  say('Targets');
  for (const phi of ['tanh', 'identity'] as const) {
    const rows = core.filter((r) => r.phi === phi);
    const worst = Math.max(...rows.map((r) => r.ratio));
    say(
      `  core ≤ 1.0× C, φ=${phi.padEnd(8)} worst JS/C ${fmt(worst)} (${rows.map((r) => `T=${r.T.toExponential(0)}: ${fmt(r.ratio)}`).join(', ')})  ` +
        (worst <= 1 ? 'MET' : 'NOT MET'),
    );
  }
  say(`  checksums JS = C:        ${allOk ? 'all agree' : 'MISMATCH'}`);
  say(`  ≤ 80 bytes/step:         ${fmt(files.bytesPerStep, 1)} (byteLength), ${fmt(files.measuredBytesPerStep, 1)} (measured)  ${Math.max(files.bytesPerStep, files.measuredBytesPerStep) <= 80 ? 'MET' : 'NOT MET'}`);
  say(`  10⁶-row CSV end to end < 1 s: ${fmt(files.e2e / 1e6, 0)} ms  ${files.e2e < 1e9 ? 'MET' : 'NOT MET'}`);
  if (outFile) {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, lines.join('\n') + '\n');
  }
  if (!allOk) process.exitCode = 1;
}

void main();
