/**
 * Runs mocha inside the real VS Code extension host, for the two entry points the launchers load:
 * test/suite/index.ts (integration tests) and bench/vscode/index.ts (extension-host benchmarks).
 * Both are started by scripts/test-vscode.mjs through the workbench `payload` parameter, and the
 * suite also by scripts/test-electron.mjs (@vscode/test-electron). The launcher's Node-side
 * stages (scripts/vscode/runner.mjs) use the same `findFiles` and `createMocha`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';

type MochaCtor = typeof import('mocha');

/**
 * mocha >= 11 ships `index.js` as ESM. Electron's Node (test-electron) may not
 * support require(esm), so load the CommonJS build directly when it exists.
 */
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

/**
 * Every file below `dir` whose name ends in `suffix`, sorted, found without a glob dependency.
 * `skipDirs` are folders relative to `dir` (e.g. `ui` is `dir/ui`, not any folder named `ui`).
 */
export function findFiles(dir: string, suffix: string, skipDirs: readonly string[] = []): string[] {
  const skip = new Set(skipDirs.map((d) => path.join(dir, d)));
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!skip.has(p)) walk(p);
      } else if (e.isFile() && e.name.endsWith(suffix)) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found.sort();
}

export interface HostMochaOptions {
  /** The folder to search (the entry point's `__dirname`). */
  dir: string;
  /** The file name ending of the spec files, e.g. `.test.js`. */
  suffix: string;
  /** Folders relative to `dir` not to search. */
  skipDirs?: readonly string[];
  /** mocha's per-test timeout in ms. */
  timeout: number;
  /** The tag of the result line the launcher parses: `[bptt-<tag>] passes=… failures=… pending=… files=…`. */
  tag: 'suite' | 'bench';
  /** The rejection's message when `failures` > 0 tests failed. */
  failureMessage: (failures: number) => string;
}

/** A bdd mocha with the spec reporter, no colours, and the grep from BPTT_SUITE_GREP. */
export function createMocha(timeout: number): InstanceType<MochaCtor> {
  const Mocha = loadMocha();
  const grep = process.env.BPTT_SUITE_GREP;
  return new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout,
    ...(grep ? { grep } : {}),
  });
}

/** Runs every matching file with mocha (grep from BPTT_SUITE_GREP); rejects when any test fails. */
export function runMochaInHost(options: HostMochaOptions): Promise<void> {
  const { dir, suffix, skipDirs, timeout, tag, failureMessage } = options;
  const Mocha = loadMocha();
  const mocha = createMocha(timeout);
  // The web extension host forwards console output as plain text without applying
  // printf-style placeholders; format here so the spec reporter stays readable.
  const base = (Mocha as unknown as { reporters: { Base: { consoleLog: (...a: unknown[]) => void } } }).reporters.Base;
  base.consoleLog = (...args: unknown[]) => console.log(util.format(...args));
  const files = findFiles(dir, suffix, skipDirs);
  for (const f of files) {
    mocha.addFile(f);
  }
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *${suffix} files found under ${dir}`));
      return;
    }
    try {
      const runner = mocha.run((failures: number) => {
        // A machine-readable line the launcher aggregates into `N passed, N failed`.
        const s = runner.stats;
        console.log(`[bptt-${tag}] passes=${s?.passes ?? 0} failures=${failures} pending=${s?.pending ?? 0} files=${files.length}`);
        if (failures > 0) {
          reject(new Error(failureMessage(failures)));
        } else {
          resolve();
        }
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
