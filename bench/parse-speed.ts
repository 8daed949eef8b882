/**
 * Speed of the CSV parse on the extension's large-file case: the 10⁶-row file of test/suite/helpers.ts
 * writeBigCsv (`x,y` rows, a y on every tenth row, 10.2 MB), parsed from bytes in 1 MB chunks as the
 * worker does (parseSequenceBytesSync) and from one string (parseSequence). Median of --runs (7) in one
 * process, after one warm-up run; the runs of the versions and paths alternate.
 *
 *   npx esbuild bench/parse-speed.ts --bundle --platform=node --target=node20 --outfile=bench/out/parse-speed.js
 *   node --expose-gc bench/out/parse-speed.js [--runs 7] [--old old-parse.js]
 *
 * --old: a CommonJS bundle of another version's src/parse/index.ts, to compare before and after in the
 * same process; its results must be identical to this version's, element by element. For main's:
 *
 *   rm -rf /tmp/parse-old && mkdir /tmp/parse-old && git archive main src | tar -x -C /tmp/parse-old
 *   NODE_PATH=$PWD/node_modules npx esbuild /tmp/parse-old/src/parse/index.ts --bundle --platform=node \
 *     --target=node20 --format=cjs --main-fields=module,main --outfile=bench/out/old-parse.js
 *   node --expose-gc bench/out/parse-speed.js --old $PWD/bench/out/old-parse.js
 *
 * The machine may be shared: each line also gives the fastest run and the median CPU time.
 */
import { byteChunks, parseSequence, parseSequenceBytesSync, type ParsedSequence } from '../src/parse';

type Parse = { bytes: (b: Uint8Array) => ParsedSequence; text: (t: string) => ParsedSequence };

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
};
const runs = Number(opt('--runs') ?? 7);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

/** The same text as writeBigCsv(name, rows, directive). */
function bigCsv(rows: number, directive: string): string {
  const parts = [`${directive}\nx,y\n`];
  for (let k0 = 0; k0 < rows; k0 += 10_000) {
    let chunk = '';
    for (let k = k0; k < Math.min(rows, k0 + 10_000); k++) {
      const x = Math.sin(k * 0.37).toFixed(5);
      chunk += k % 10 === 9 ? `${x},${Math.cos(k * 0.11).toFixed(4)}\n` : `${x},\n`;
    }
    parts.push(chunk);
  }
  return parts.join('');
}

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[s.length >> 1];
}

type Timing = { ms: number; min: number; cpu: number; all: number[] };

/** One timed run of f: wall and CPU milliseconds, after a full collection. */
function timeOnce(f: () => ParsedSequence): { wall: number; cpu: number; result: ParsedSequence } {
  gc();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, result };
}

function summary(wall: number[], cpu: number[]): Timing {
  return { ms: median(wall), min: Math.min(...wall), cpu: median(cpu), all: wall };
}

/** Throws unless a and b hold the same T, arrays (bit for bit, NaN and -0 included) and errors. */
function assertSame(a: ParsedSequence, b: ParsedSequence, what: string): void {
  if (a.T !== b.T) throw new Error(`${what}: T ${a.T} vs ${b.T}`);
  for (const key of ['x', 'y', 'hasY', 'line', 'xStart', 'xEnd', 'yStart', 'yEnd', 'rowStart', 'rowEnd'] as const) {
    const p = new Uint8Array(a[key].buffer, a[key].byteOffset, a[key].byteLength);
    const q = new Uint8Array(b[key].buffer, b[key].byteOffset, b[key].byteLength);
    if (p.length !== q.length || p.some((v, i) => v !== q[i])) throw new Error(`${what}: ${key} differs`);
  }
  if (JSON.stringify(a.errors) !== JSON.stringify(b.errors)) throw new Error(`${what}: errors differ`);
}

function main(): void {
  const rows = 1e6;
  const text = bigCsv(rows, '# bptt: w=0.5 v=1 phi=tanh');
  const bytes = new TextEncoder().encode(text);
  const mb = bytes.length / 1e6;
  const versions: [string, Parse][] = [
    ['new', {
      bytes: (b) => parseSequenceBytesSync(byteChunks(b), 'csv', {}, b.length),
      text: (t) => parseSequence(t, 'csv'),
    }],
  ];
  const old = opt('--old');
  if (old) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(old) as typeof import('../src/parse');
    versions.unshift(['old', {
      bytes: (b) => m.parseSequenceBytesSync(m.byteChunks(b), 'csv', {}, b.length),
      text: (t) => m.parseSequence(t, 'csv'),
    }]);
  }
  console.log(`CSV parse, ${rows.toLocaleString('en-US')} rows (writeBigCsv), ${mb.toFixed(1)} MB; median of ${runs} runs (ms)`);
  // Each run times every version in turn, so that a change in the machine's load falls on all of them.
  const cases = versions.flatMap(([name, p]) => [
    { name, label: 'parseSequenceBytesSync', f: () => p.bytes(bytes) },
    { name, label: 'parseSequence (text)  ', f: () => p.text(text) },
  ]);
  const wall = cases.map((): number[] => []);
  const cpu = cases.map((): number[] => []);
  const results = cases.map((c) => c.f()); // warm-up
  for (let r = 0; r < runs; r++) {
    cases.forEach((c, k) => {
      const t = timeOnce(c.f);
      wall[k].push(t.wall);
      cpu[k].push(t.cpu);
    });
  }
  for (const p of results) {
    if (p.errors.length || p.T !== rows) throw new Error(`T ${p.T}, ${p.errors.length} errors`);
    assertSame(results[0], p, 'bytes vs text, old vs new');
  }
  cases.forEach((c, k) => {
    const r = summary(wall[k], cpu[k]);
    console.log(
      `  ${c.name} ${c.label}: ${r.ms.toFixed(1).padStart(6)} ms = ${(mb / (r.ms / 1000)).toFixed(0).padStart(3)} MB/s` +
        `  (fastest ${r.min.toFixed(0)} ms, CPU ${r.cpu.toFixed(0)} ms)  [${r.all.map((v) => v.toFixed(0)).join(' ')}]`,
    );
  });
  console.log(`  results identical${old ? ' (old and new, ' : ' ('}bytes and text: every array bit for bit, errors)`);
}

main();
