/**
 * Parser throughput and memory (issue 8). Built by scripts/bench.sh with esbuild into
 * bench/out/parse-bench.js and run as `node --expose-gc bench/out/parse-bench.js [--big]`.
 *
 * For CSV and JSON files of 10 and 100 MB (generated in the OS temp directory):
 * - MB/s of parseSequence on the text, and of parseSequenceBytes on the file read in 1 MB chunks;
 * - bytes per element beyond the arrays produced: in a child process, the live memory (V8 heap +
 *   external memory such as ArrayBuffers, after full collections) is sampled at every chunk of a bytes parse; its peak, less the
 *   baseline, the 1 MB chunk and the result's arrays, divided by the elements read (CSV: rows,
 *   JSON: x and y elements).
 * With --big: the CLI (dist/cli.js) on a 600 MB CSV under --max-old-space-size=2048, a 100 MB JSON
 * under 2048 and a 60 MB JSON under 512, timed with /usr/bin/time -v (wall time, peak RSS).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSequence, parseSequenceBytes, type ParsedSequence, type SequenceFormat } from '../src/parse';

const args = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;

/** A file of about `mb` MB: CSV rows "x,y" or a JSON {"bptt", "x", "y"} with ten numbers a line. */
function generate(format: 'csv' | 'json', mb: number, file: string): void {
  const target = mb * 1e6;
  const fd = openSync(file, 'w');
  let seed = 12345;
  const r = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return ((seed / 2 ** 32) * 2 - 1).toFixed(6);
  };
  let size = 0;
  const put = (s: string): void => {
    writeSync(fd, s);
    size += s.length;
  };
  if (format === 'csv') {
    put('# bptt: w=0.5 phi=tanh\nx,y\n');
    while (size < target) {
      let s = '';
      for (let i = 0; i < 20000; i++) s += `${r()},${r()}\n`;
      put(s);
    }
  } else {
    const n = Math.floor(target / 2 / 10.5);
    put('{"bptt": {"w": 0.5, "phi": "tanh"},\n"x": [');
    for (const key of ['x', 'y']) {
      if (key === 'y') put('],\n"y": [');
      for (let i = 0; i < n; i += 10000) {
        const parts: string[] = [];
        for (let j = i; j < Math.min(n, i + 10000); j++) parts.push((j % 10 === 0 ? '\n' : '') + r());
        put((i ? ',' : '') + parts.join(','));
      }
    }
    put(']}\n');
  }
  closeSync(fd);
}

/** Bytes of every typed array in the result. */
function producedBytes(p: ParsedSequence): number {
  let n = 0;
  for (const v of Object.values(p)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  for (const c of p.claimColumns) n += c.values.byteLength + c.digits.byteLength + c.start.byteLength + c.end.byteLength;
  return n;
}

/** V8 heap + memory outside it (ArrayBuffers), after full collections (--single-threaded-gc frees buffers at once). */
function live(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Child: peak live memory while parsing `file` from bytes; prints JSON. */
async function child(file: string, format: SequenceFormat): Promise<void> {
  const base = live();
  let peak = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
      peak = Math.max(peak, live() - base - (c as Buffer).length);
      yield c as Buffer;
    }
  }
  const p = await parseSequenceBytes(chunks(), format);
  const after = live() - base;
  peak = Math.max(peak, after);
  const elements = format === 'json' ? p.T + p.hasY.reduce((a, b) => a + b, 0) : p.T;
  const produced = producedBytes(p);
  console.log(JSON.stringify({ T: p.T, elements, produced, peak, after, errors: p.errors.length }));
}

/** MB/s of wall time and of this process's CPU time (the machine is shared: CPU time is the steadier). */
function rate(mb: number, wallMs: number, cpu: NodeJS.CpuUsage): string {
  return `${(mb / (wallMs / 1000)).toFixed(0).padStart(4)} (cpu ${(mb / ((cpu.user + cpu.system) / 1e6)).toFixed(0).padStart(4)})`;
}

async function timeParse(file: string, format: SequenceFormat): Promise<{ text: string; bytes: string; T: number }> {
  const mb = statSync(file).size / 1e6;
  const text = readFileSync(file, 'utf8');
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  const a = parseSequence(text, format);
  const textRate = rate(mb, performance.now() - t0, process.cpuUsage(c0));
  if (a.errors.length) throw new Error(`${file}: ${a.errors[0].message}`);
  c0 = process.cpuUsage();
  t0 = performance.now();
  const b = await parseSequenceBytes(createReadStream(file, { highWaterMark: 1 << 20 }), format);
  const bytesRate = rate(mb, performance.now() - t0, process.cpuUsage(c0));
  if (b.T !== a.T) throw new Error('text and bytes parses differ');
  return { text: textRate, bytes: bytesRate, T: a.T };
}

function cliRun(file: string, heapMb: number): string {
  const cli = join(__dirname, '..', '..', 'bin', 'bptt-lens.js');
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'cli.js'))) return 'dist/cli.js missing (npm run build)';
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, `--max-old-space-size=${heapMb}`, cli, file, '--rows', '2'], { encoding: 'utf8' });
  const wall = /Elapsed \(wall clock\) time.*: (.*)/.exec(r.stderr)?.[1] ?? '?';
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const T = /T = ([\d,]+)/.exec(r.stdout)?.[1] ?? /(\d[\d,]*) steps/.exec(r.stdout)?.[1] ?? '?';
  return `exit ${r.status}, wall ${wall}, peak RSS ${(rss / 1024).toFixed(0)} MB, T ${T}${r.status ? `; stderr: ${r.stderr.split('\n')[0]}` : ''}`;
}

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1], args[2] as SequenceFormat);
  const dir = tmpdir();
  console.log('Parsers: throughput (MB/s of wall time, and of CPU time) and memory beyond the produced arrays (bytes/element)');
  for (const mb of [10, 100]) {
    for (const format of ['csv', 'json'] as const) {
      const file = join(dir, `bptt-parse-bench-${mb}.${format}`);
      generate(format, mb, file);
      const t = await timeParse(file, format);
      const out = execFileSync(process.execPath, ['--expose-gc', '--single-threaded-gc', __filename, '--child', file, format], { encoding: 'utf8' });
      const m = JSON.parse(out) as { elements: number; produced: number; peak: number; after: number };
      const beyond = (m.peak - m.produced) / m.elements;
      console.log(
        `  ${format.padEnd(4)} ${String(mb).padStart(3)} MB  T=${t.T.toLocaleString('en-US').padStart(11)}  text ${t.text} MB/s  bytes ${t.bytes} MB/s  ` +
          `produced ${(m.produced / m.elements).toFixed(1)} B/element, peak beyond it ${beyond.toFixed(1)} B/element, retained beyond it ${((m.after - m.produced) / m.elements).toFixed(1)}`,
      );
      unlinkSync(file);
    }
  }
  if (!args.includes('--big')) return;
  console.log('CLI on large files (/usr/bin/time -v)');
  for (const [format, mb, heap] of [['csv', 600, 2048], ['json', 100, 2048], ['json', 60, 512]] as const) {
    const file = join(dir, `bptt-parse-bench-big-${mb}.${format}`);
    generate(format, mb, file);
    console.log(`  ${format} ${mb} MB, --max-old-space-size=${heap}: ${cliRun(file, heap)}`);
    unlinkSync(file);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
