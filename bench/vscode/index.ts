/**
 * Entry point of the extension-host benchmarks, run inside the real VS Code extension host by
 * `scripts/test-vscode.mjs --bench` (`npm run bench`) through the workbench `payload` parameter,
 * exactly like test/suite/index.ts. Runs every `*.bench.js` below this folder except `ui/`
 * (the browser-driven benchmarks, which run in Node with playwright-core).
 *
 * Benchmarks print figures and write JSON to test-results/perf/; they compare with the targets in
 * the printout but never fail on timing. `run()` rejects only when a benchmark breaks functionally.
 */
import { runMochaInHost } from '../../test/hostMocha';

export function run(): Promise<void> {
  return runMochaInHost({
    dir: __dirname,
    suffix: '.bench.js',
    skipDirs: ['ui'],
    timeout: 600_000,
    tag: 'bench',
    failureMessage: (failures) => `${failures} benchmark(s) broke`,
  });
}
