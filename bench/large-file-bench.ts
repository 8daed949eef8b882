/**
 * The extension's large-file path on a 600 MB CSV (issue 8): files over 50 MB are read from disk
 * as one Uint8Array (largeFile.ts, `workspace.fs.readFile`) and parsed + computed in the worker
 * (workerClient.ts → dist/worker.js) from the bytes in chunks. This drives the same WorkerClient
 * and worker outside VS Code, so it can be timed with /usr/bin/time.
 *
 *   npm run build
 *   npx esbuild bench/large-file-bench.ts --bundle --platform=node --target=node20 --main-fields=module,main --outfile=bench/out/large-file-bench.js
 *   node bench/out/large-file-bench.js [--mb 600] [--heap 2048]
 *
 * Generates the file in the OS temp directory (kept for the next run), then runs the host side in a
 * child `node --max-old-space-size=HEAP` under `/usr/bin/time -v` with the worker's heap limit
 * also HEAP: wall time, CPU, peak RSS (host + worker: one process), the read and compute times,
 * and the host's longest event-loop block while the worker computes (driftMonitor.ts).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ComputeOptions } from '../src/extension/compute';
import { driftMonitor } from '../src/extension/driftMonitor';
import { WorkerClient } from '../src/extension/workerClient';
import { nodeWorkerHost } from '../src/extension/workerNode';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROOT = resolve(__dirname, '../..');
const OPTIONS: ComputeOptions = {
  defaults: {},
  problems: { gradientWarnings: true, vanishingThreshold: 1e-6, explodingThreshold: 1e6 },
  check: { rtol: 1e-8, atol: 0 },
};

/** A CSV of about `mb` MB (10⁶ bytes): rows "x,y" of pseudo-random numbers, as bench/parse-bench.ts writes them. Returns its rows. */
function generate(mb: number, file: string): number {
  const fd = openSync(file, 'w');
  let seed = 12345;
  const r = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return ((seed / 2 ** 32) * 2 - 1).toFixed(6);
  };
  let size = 0;
  let rows = 0;
  const put = (s: string): void => {
    writeSync(fd, s);
    size += s.length;
  };
  put('# bptt: w=0.5 phi=tanh\nx,y\n');
  while (size < mb * 1e6) {
    let s = '';
    for (let i = 0; i < 20000; i++) s += `${r()},${r()}\n`;
    put(s);
    rows += 20000;
  }
  closeSync(fd);
  return rows;
}

/** The host side, in the timed child: read the file, compute in the worker, report as JSON on stdout. */
async function run(file: string, heapMb: number): Promise<void> {
  const client = new WorkerClient(nodeWorkerHost(join(ROOT, 'dist', 'worker.js'), heapMb));
  const t0 = performance.now();
  // One array of the whole file, as workspace.fs.readFile gives it (a Buffer this size owns its ArrayBuffer: it moves to the worker).
  const bytes: Uint8Array = readFileSync(file);
  const readMs = performance.now() - t0;
  const drift = driftMonitor();
  const t1 = performance.now();
  const result = await client.compute({ bytes }, 'csv', OPTIONS);
  const computeMs = performance.now() - t1;
  const longestBlockMs = drift.stop();
  client.dispose();
  const { T, errors } = result.parsed;
  process.stdout.write(
    JSON.stringify({ bytes: statSync(file).size, T, errors: errors.length, firstError: errors[0]?.message, loss: result.trace?.loss, readMs, computeMs, longestBlockMs }) + '\n',
  );
}

function main(): void {
  const mb = arg('--mb', 600);
  const heapMb = arg('--heap', 2048);
  const file = join(tmpdir(), `bptt-large-file-bench-${mb}.csv`);
  const rowsFile = `${file}.rows`;
  if (!existsSync(file) || !existsSync(rowsFile)) {
    process.stderr.write(`generating ${file}…\n`);
    writeSync(openSync(rowsFile, 'w'), String(generate(mb, file)));
  }
  const rows = Number(readFileSync(rowsFile, 'utf8'));
  const child = spawnSync('/usr/bin/time', ['-v', process.execPath, `--max-old-space-size=${heapMb}`, __filename, '--run', file, '--heap', String(heapMb)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const time = (label: string): string => child.stderr.match(new RegExp(`${label}: (.+)`))?.[1]?.trim() ?? '?';
  const line = child.stdout.trim().split('\n').pop() ?? '';
  process.stdout.write(`extension large-file path (WorkerClient + dist/worker.js), ${mb} MB CSV, host and worker heap ${heapMb} MB\n`);
  process.stdout.write(`  exit ${child.status}; expected T = ${rows}; result ${line}\n`);
  process.stdout.write(
    `  wall ${time('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)')}, CPU ${time('User time \\(seconds\\)')} s user + ${time('System time \\(seconds\\)')} s sys, ` +
      `peak RSS ${(Number(time('Maximum resident set size \\(kbytes\\)')) / 1024).toFixed(0)} MB\n`,
  );
  if (child.status !== 0) process.stdout.write(child.stderr.slice(-2000));
}

if (args[0] === '--run') void run(args[1], arg('--heap', 2048));
else main();
