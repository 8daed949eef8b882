/**
 * Entry point for the integration suite that runs *inside* the real VS Code
 * extension host. Both launchers use it:
 *   - scripts/test-vscode.mjs   (code-server + Chromium, `payload` query parameter)
 *   - scripts/test-electron.mjs (@vscode/test-electron, needs to download VS Code)
 * It must export `run(): Promise<void>`; it rejects when any test fails.
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

/** All `*.test.js` files below `dir`, sorted, found without a glob dependency. */
export function findTestFiles(dir: string): string[] {
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
        walk(p);
      } else if (e.isFile() && e.name.endsWith('.test.js')) {
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
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 60_000,
    ...(grep ? { grep } : {}),
  });
  // The web extension host forwards console output as plain text without applying
  // printf-style placeholders; format here so the spec reporter stays readable.
  const base = (Mocha as unknown as { reporters: { Base: { consoleLog: (...a: unknown[]) => void } } }).reporters.Base;
  base.consoleLog = (...args: unknown[]) => console.log(util.format(...args));
  const files = findTestFiles(__dirname);
  for (const f of files) {
    mocha.addFile(f);
  }
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files found under ${__dirname}`));
      return;
    }
    try {
      const runner = mocha.run((failures: number) => {
        // A machine-readable line the launcher aggregates into `N passed, N failed`.
        const s = runner.stats;
        console.log(
          `[bptt-suite] passes=${s?.passes ?? 0} failures=${failures} pending=${s?.pending ?? 0} files=${files.length}`,
        );
        if (failures > 0) {
          reject(new Error(`${failures} integration test(s) failed`));
        } else {
          resolve();
        }
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
