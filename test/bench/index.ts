/**
 * Entry point of the extension-host benchmarks, run inside the real VS Code extension host by
 * `scripts/test-vscode.mjs --bench` (`npm run bench`) through the workbench `payload` parameter,
 * exactly like test/suite/index.ts. Runs every `*.bench.js` below this folder except `ui/`
 * (the browser-driven benchmarks, which run in Node with playwright-core).
 *
 * Benchmarks print figures and write JSON to test-results/perf/; they compare with the targets in
 * the printout but never fail on timing. `run()` rejects only when a benchmark breaks functionally.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';

type MochaCtor = typeof import('mocha');

function loadMocha(): MochaCtor {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('mocha/lib/mocha.cjs') as MochaCtor;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('mocha') as MochaCtor & { Mocha?: MochaCtor; default?: MochaCtor };
    return mod.Mocha ?? mod.default ?? mod;
  }
}

/** Every `*.bench.js` below `dir` (not in `ui/`), sorted. */
export function findBenchFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!(d === dir && e.name === 'ui')) walk(p);
      } else if (e.isFile() && e.name.endsWith('.bench.js')) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found.sort();
}

export function run(): Promise<void> {
  const Mocha = loadMocha();
  const grep = process.env.BPTT_SUITE_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 600_000, ...(grep ? { grep } : {}) });
  const base = (Mocha as unknown as { reporters: { Base: { consoleLog: (...a: unknown[]) => void } } }).reporters.Base;
  base.consoleLog = (...args: unknown[]) => console.log(util.format(...args));
  const files = findBenchFiles(__dirname);
  for (const f of files) mocha.addFile(f);
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.bench.js files found under ${__dirname}`));
      return;
    }
    try {
      const runner = mocha.run((failures: number) => {
        const s = runner.stats;
        // The launcher reads this line (same format as the test suite's).
        console.log(`[bptt-bench] passes=${s?.passes ?? 0} failures=${failures} pending=${s?.pending ?? 0} files=${files.length}`);
        if (failures > 0) reject(new Error(`${failures} benchmark(s) broke`));
        else resolve();
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
