/**
 * The vector RNN benchmark (issue 11), in ONE run so every ratio compares figures taken side by
 * side on the same (shared, noisy) machine: forward + backward per step, batch 1, float64, m = 4,
 * k = 1, φ = tanh, θ = identity, ℓ = squared on every step, for n ∈ {1, 8, 32, 128, 256}:
 *   ours — the reference, the kernel in plain JS, the kernel on WebAssembly SIMD, and runVectorBptt
 *   (the backend it picks); the C baseline bench/vbptt.c (-O2, the kernel's loops; built by
 *   scripts/bench.sh into bench/out/vbptt); PyTorch nn.RNN + Linear and a hand-written NumPy BPTT
 *   (bench/peers/), each run only when python3 can import it.
 * Then the memory per step, and the CLI end to end (`--json --no-steps`) on generated files.
 *
 *   node --expose-gc bench/out/vector-bench.js [--quick] [--core-only] [--out FILE]
 * --core-only: n = 32 only, ours, C and PyTorch (no NumPy, memory or CLI rows): the n = 32 target alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVectorBptt, runVectorBpttJs, runVectorBpttWasm, WASM_MIN_N } from '../src/core/vector/kernel';
import { simdModule } from '../src/core/vector/kernelWasm';
import type { VectorModel, VectorPass, VectorSequenceData, VectorTrace } from '../src/core/vector/model';
import { referenceVectorBptt } from '../src/core/vector/reference';
import { median } from './data';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const coreOnly = args.includes('--core-only');
const outIdx = args.indexOf('--out');
const outFile = outIdx >= 0 ? args[outIdx + 1] : undefined;
const root = join(__dirname, '..', '..');
const cBin = join(__dirname, 'vbptt');
const peers = join(root, 'bench', 'peers');
const NS = coreOnly ? [32] : [1, 8, 32, 128, 256];
const M = 4, K = 1;
const RUNS = quick ? 3 : 7;

function say(s = ''): void {
  console.log(s);
  if (outFile) appendFileSync(outFile, s + '\n');
}
const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : '—');
const pad = (s: string | number, w: number): string => String(s).padStart(w);

/** Model and data from the 32-bit LCG of bench/vbptt.c, in the same order, so both see the same bits. */
function vectorBenchCase(n: number, T: number): { model: VectorModel; data: VectorSequenceData } {
  let st = 12345;
  const uni = (lo: number, hi: number): number => lo + (hi - lo) * ((st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 4294967296);
  const fill = (len: number, lo: number, hi: number): Float64Array => Float64Array.from({ length: len }, () => uni(lo, hi));
  const g = 0.9 / Math.sqrt(n);
  const W = fill(n * n, -g, g), V = fill(n * M, -1, 1), b = fill(n, -0.1, 0.1), U = fill(K * n, -1, 1), c = fill(K, -0.1, 0.1);
  const model: VectorModel = { n, m: M, k: K, W, V, b, U, c, h0: new Float64Array(n), phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum' };
  const x = fill(T * M, -2, 2), y = fill(T * K, -1, 1);
  return { model, data: { T, x, y, hasY: new Uint8Array(T).fill(1) } };
}

/** Steps per sample: about 2·10⁷ multiply–adds, within [500, 10⁵]. */
const stepsFor = (n: number): number => Math.max(500, Math.min(quick ? 30_000 : 100_000, Math.floor(2e7 / (3 * n * n + 100 * n))));

/**
 * CPU time of the process (user + system), µs/step: on a shared machine wall time mostly measures
 * the other processes. C (CLOCK_PROCESS_CPUTIME_ID) and the peers (time.process_time) measure the same.
 */
function timeJs(pass: VectorPass, model: VectorModel, data: VectorSequenceData): number {
  const t0 = process.cpuUsage();
  pass(model, data);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / data.T;
}

/** The first python3 that imports `module` (a pyenv `python3` on PATH may not see Debian's python3-torch), or null. */
function pythonWith(module: string): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) if (spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0) return py;
  return null;
}

interface PeerResult { usPerStep: number; version?: string; L?: number }
function runPeer(cmd: string, argv: string[]): PeerResult | null {
  try {
    const out = execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out.trim().split('\n').pop()!) as PeerResult & { nsPerStep?: number };
    return r.nsPerStep !== undefined ? { ...r, usPerStep: r.nsPerStep / 1e3 } : r;
  } catch (e) {
    say(`  ${cmd} ${argv.join(' ')} failed: ${String((e as Error).message).split('\n')[0]}`);
    return null;
  }
}

const torchPy = pythonWith('torch'), numpyPy = pythonWith('numpy'), hasC = existsSync(cBin);
const hasTorch = torchPy !== null, hasNumpy = numpyPy !== null && !coreOnly;
say('== Vector RNN (issue 11): forward + backward, µs/step, batch 1, float64, m = 4, k = 1, tanh, squared ==');
say(`node ${process.version}; WebAssembly SIMD: ${simdModule() ? 'yes' : 'NO (the SIMD column is plain JS)'}; runVectorBptt uses SIMD from n = ${WASM_MIN_N}`);
say(`C baseline: ${hasC ? cBin : 'not built (scripts/bench.sh builds bench/vbptt.c)'}`);
say(`PyTorch (${torchPy ?? "no python3 with torch"}): ${hasTorch ? runPeer(torchPy!, ['-c', 'import torch; print(\'{"usPerStep":0,"version":"\' + torch.__version__ + \'"}\')'])?.version : 'not importable: peer skipped (apt-get install python3-torch)'}`);
if (!coreOnly) say(`NumPy (${numpyPy ?? "no python3 with numpy"}): ${hasNumpy ? runPeer(numpyPy!, ['-c', 'import numpy; print(\'{"usPerStep":0,"version":"\' + numpy.__version__ + \'"}\')'])?.version : 'not importable: peer skipped (apt-get install python3-numpy)'}`);
say(`CPU time of each process (user + system), ${RUNS} samples each, median; ours and C at T = stepsFor(n), the Python peers at T = 2000 (${quick ? '--quick' : 'full'})`);
say();
say(`${pad('n', 4)} ${pad('T', 7)} ${pad('reference', 10)} ${pad('plain JS', 10)} ${pad('SIMD', 10)} ${pad('ours', 10)} ${pad('C -O2', 10)} ${pad('PyTorch', 10)} ${pad('NumPy', 10)}`);

interface Row { n: number; ours: number; js: number; simd: number; c: number; torch: number; numpy: number }
const rows: Row[] = [];
for (const n of NS) {
  const T = stepsFor(n);
  const { model, data } = vectorBenchCase(n, T);
  const passes: [string, VectorPass][] = [['reference', referenceVectorBptt], ['js', runVectorBpttJs], ['simd', runVectorBpttWasm], ['ours', runVectorBptt]];
  const samples = new Map<string, number[]>(passes.map(([name]) => [name, []]));
  let trace: VectorTrace | undefined;
  for (const [, pass] of passes) trace = pass(model, data); // warm-up
  // Alternate the variants sample by sample, so the machine's load falls on all of them alike.
  for (let r = 0; r < RUNS; r++) for (const [name, pass] of passes) samples.get(name)!.push(timeJs(pass, model, data));
  const med = (name: string): number => median(samples.get(name)!);
  const c = hasC ? runPeer(cBin, [String(n), String(M), String(K), String(T), String(RUNS)]) : null;
  if (c && c.L !== undefined && trace) {
    const rel = Math.abs(c.L - trace.loss) / Math.abs(trace.loss);
    if (rel > 1e-12) say(`  ! C's L ${c.L} differs from ours ${trace.loss} (rel ${rel.toExponential(2)})`);
  }
  const Tp = String(Math.min(T, 2000));
  const torch = hasTorch ? runPeer(torchPy!, [join(peers, 'torch_rnn.py'), String(n), String(M), String(K), Tp, String(RUNS)]) : null;
  const numpy = hasNumpy ? runPeer(numpyPy!, [join(peers, 'numpy_bptt.py'), String(n), String(M), String(K), Tp, String(RUNS)]) : null;
  const row: Row = { n, ours: med('ours'), js: med('js'), simd: med('simd'), c: c?.usPerStep ?? NaN, torch: torch?.usPerStep ?? NaN, numpy: numpy?.usPerStep ?? NaN };
  rows.push(row);
  say(`${pad(n, 4)} ${pad(T, 7)} ${pad(fmt(med('reference'), 3), 10)} ${pad(fmt(row.js, 3), 10)} ${pad(fmt(row.simd, 3), 10)} ${pad(fmt(row.ours, 3), 10)} ${pad(fmt(row.c, 3), 10)} ${pad(fmt(row.torch, 1), 10)} ${pad(fmt(row.numpy, 1), 10)}`);
}

say();
say('Targets (ours = runVectorBptt):');
for (const r of rows) {
  const parts = [`n = ${pad(r.n, 3)}:`];
  if (hasTorch) {
    const need = r.n <= 32 ? 30 : r.n === 256 ? 2 : 0;
    parts.push(`nn.RNN/ours ${fmt(r.torch / r.ours, 1)}×${need ? ` (target ≥ ${need}×: ${r.torch / r.ours >= need ? 'met' : 'NOT met'})` : ''}`);
  }
  if (hasNumpy) parts.push(`NumPy/ours ${fmt(r.numpy / r.ours, 1)}×`);
  if (hasC) {
    const ratio = r.ours / r.c;
    parts.push(`ours/C ${fmt(ratio, 2)}${r.n === 32 || r.n === 128 ? ` (target ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'})` : ''}`);
  }
  parts.push(`plain JS/SIMD ${fmt(r.js / r.simd, 2)}`);
  say('  ' + parts.join('   '));
}
if (!hasTorch) say('  (PyTorch not importable: the nn.RNN targets are not measured in this run)');
if (coreOnly) process.exit(0);

// Memory: what a kept trace holds, per step, against 24·n + 64 bytes: arrayBuffers released when it is dropped.
say();
say('Memory per step above the inputs, target ≤ 24·n + 64 B (arrayBuffers released when the trace is dropped, after full GCs):');
const gc = (globalThis as { gc?: () => void }).gc;
/** Full GCs, with time for V8 to release freed ArrayBuffer memory (it is swept concurrently). */
function settle(): void {
  for (let i = 0; i < 3; i++) {
    gc?.();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
  }
}
for (const n of [8, 32, 128]) {
  const T = quick ? 10_000 : 50_000;
  const { model, data } = vectorBenchCase(n, T);
  let trace: VectorTrace | null = runVectorBptt(model, data);
  const held = trace.s.byteLength + trace.h.byteLength + trace.dL_ds.byteLength;
  settle();
  const m1 = process.memoryUsage().arrayBuffers;
  trace = null;
  settle();
  const m2 = process.memoryUsage().arrayBuffers;
  // The SIMD pass also holds its wasm memory (h and ∂L/∂s, 16·n B/step) until it has copied them out.
  const peak = n >= WASM_MIN_N ? held + 16 * n * T : held;
  say(`  n = ${pad(n, 3)}, T = ${T}: ${fmt((m1 - m2) / T, 1)} B/step measured, ${fmt(held / T, 1)} by byteLength, target ${24 * n + 64}; peak during the pass ${fmt(peak / T, 0)}${gc ? '' : ' (run with --expose-gc for the measured figure)'}`);
}

/**
 * CPU seconds (user + system) of this process's waited-for children, from /proc/self/stat
 * (cutime, cstime; clock ticks of 10 ms), or NaN where there is no /proc.
 */
function childrenCpu(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

// The CLI end to end, on generated files: a CSV with `# bptt: weights=…` and the weights as JSON.
say();
say('CLI end to end (`node bin/bptt-lens.js FILE --json --no-steps`, process start included; CPU time of the process, wall in brackets):');
const cli = join(root, 'bin', 'bptt-lens.js');
const dir = mkdtempSync(join(tmpdir(), 'vbench-'));
try {
  for (const [n, T, need] of [[32, 100_000, 15], [128, 10_000, 2]] as const) {
    const { model, data } = vectorBenchCase(n, T);
    const rowsOf = (a: Float64Array, r: number, c: number): number[][] => Array.from({ length: r }, (_, i) => Array.from(a.subarray(i * c, (i + 1) * c)));
    const weights = { W: rowsOf(model.W, n, n), V: rowsOf(model.V, n, M), b: Array.from(model.b), U: rowsOf(model.U, K, n), c: Array.from(model.c), h0: Array.from(model.h0) };
    writeFileSync(join(dir, `w${n}.json`), JSON.stringify(weights));
    const lines = [`# bptt: weights=w${n}.json phi=tanh theta=identity loss=squared reduction=sum`, 'x1,x2,x3,x4,y'];
    for (let i = 0; i < T; i++) lines.push(`${Array.from(data.x.subarray(i * M, (i + 1) * M)).join(',')},${data.y[i]}`);
    const file = join(dir, `seq${n}.csv`);
    writeFileSync(file, lines.join('\n') + '\n');
    const t0 = process.hrtime.bigint(), c0 = childrenCpu();
    const res = spawnSync(process.execPath, [cli, file, '--json', '--no-steps'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9, seconds = childrenCpu() - c0;
    let grads: unknown;
    try { grads = (JSON.parse(res.stdout) as { grads?: { W?: unknown } }).grads?.W; } catch { grads = undefined; }
    if (res.status !== 0 || !Array.isArray(grads)) {
      say(`  n = ${n}, T = ${T}: the CLI has no vector support yet (exit ${res.status}: ${(res.stderr || res.stdout).split('\n')[0].slice(0, 120)})`);
      continue;
    }
    // One pass, no warm-up: ours pays its process start and JIT, PyTorch its first call (not its start).
    const torch = hasTorch ? runPeer(torchPy!, [join(peers, 'torch_rnn.py'), String(n), String(M), String(K), String(T), '1', '0']) : null;
    const torchS = torch ? (torch.usPerStep * T) / 1e6 : NaN;
    const ratio = torchS / seconds;
    say(`  n = ${n}, T = ${T}: CLI ${fmt(seconds, 2)} s [${fmt(wall, 2)} s]; nn.RNN + Linear forward + backward ${fmt(torchS, 2)} s (no process start) → ${fmt(ratio, 1)}× (target ≥ ${need}×: ${ratio >= need ? 'met' : 'NOT met'})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
