#!/usr/bin/env node
// @ts-check
// Runs BPTT Lens tests in a real VS Code (1.100.3 via code-server) offline:
//   1. integration: the mocha suite out/test/suite/index.js inside the real Node extension host,
//      started through the workbench `payload` query parameter (vscode/browser.mjs);
//   2. UI end to end: every out/test/e2e/*.test.js with mocha in this process, driving Chromium
//      (playwright-core) against the same code-server (vscode/runner.mjs); then the same tests
//      again with the extension in the web worker extension host (its `browser` entry, as on
//      vscode.dev), stage e2e-web, after stage integration-web: the mocha suite
//      test/e2e/webSuite.ts, bundled for the browser, inside that web host (vscode/webSuite.mjs);
//   3. the .vsix as a user gets it: packaged before stage 1 (then the dev build is restored), its
//      file list checked, installed into a fresh extensions dir, and out/test/e2e-vsix/*.test.js
//      driving a SECOND code-server that loads it without extensionDevelopmentPath (vscode/vsix.mjs).
// With --bench (npm run bench) it runs the benchmarks instead (vscode/bench.mjs): bench/vscode/
// compiled to out/bench/vscode/, figures printed and written as JSON to test-results/perf/.
// Provision first: scripts/provision.sh (npm test does it). Build + compile first:
// npm run build && npm run compile-tests.
//
// Options (flags or env):
//   --integration-only | --e2e-only | --web-only | --vsix-only | --no-vsix | --no-web
//                                      (--web-only / --no-web: stages integration-web and e2e-web)
//   --bench                            benchmarks only (fail only on functional breakage)
//   --grep <re>                        passes BPTT_SUITE_GREP / mocha grep to every stage
//   BPTT_VSIX                          install this .vsix instead of running `npm run package`
//   BPTT_EXTENSION_PATH                extension under test (default: repo root)
//   BPTT_VSCODE_TIMEOUT_MS             integration timeout (default 600000)
//   BPTT_E2E_TIMEOUT_MS                per-e2e-test timeout (default 180000)
//   BPTT_VSCODE_TOTAL_TIMEOUT_MS       whole run watchdog (default 1800000)
//   BPTT_E2E_SCREENSHOTS               screenshot dir (default test-results/screenshots)
//   BPTT_KEEP_TMP=1                    keep the temp user-data/workspace dirs
//   CHROMIUM_PATH                      default /usr/bin/chromium (test/chromium.ts)
// Writes test-results/vscode/summary.json ({passed, failed, pending}) and logs
// (test-results/vscode/bench-summary.json with --bench).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HarnessError, OPTIONS, PATHS, TIMEOUT_MS, log, rel, writeResult } from './vscode/config.mjs';
import { runBench } from './vscode/bench.mjs';
import { closeAllBrowsers, runInExtensionHost } from './vscode/browser.mjs';
import { killServersSync, startCodeServer, stopAllServers, stopServer } from './vscode/codeServer.mjs';
import { packageOf } from './vscode/package.mjs';
import { copySamples, makeProfile } from './vscode/profile.mjs';
import { closeWorkbenches, runE2e } from './vscode/runner.mjs';
import { packageVsix, runVsix } from './vscode/vsix.mjs';
import { runWebSuite } from './vscode/webSuite.mjs';

/** @typedef {import('./vscode/config.mjs').Counts} Counts */

// The extension host inherits code-server's environment: test/hostMocha.ts reads the grep from it.
if (OPTIONS.grep) process.env.BPTT_SUITE_GREP = OPTIONS.grep;
const SUMMARY = OPTIONS.bench ? 'bench-summary.json' : 'summary.json';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bptt-vscode-'));

// ------------------------------------------------------------------ cleanup, on every exit path
/** @type {Promise<void> | null} */
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    await closeAllBrowsers();
    await closeWorkbenches().catch(() => {}); // e2e helper not compiled
    await stopAllServers();
    if (OPTIONS.keepTmp) log(`kept temp dir ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  })();
  return cleaning;
}

process.on('exit', () => killServersSync('SIGKILL'));
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => {
    log(`${sig}: stopping code-server and browsers`);
    cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}
process.on('unhandledRejection', (err) => console.error('[test-vscode] unhandled rejection:', err));

const watchdog = setTimeout(() => {
  console.error(`[test-vscode] FAILED: whole run exceeded ${TIMEOUT_MS.total / 1000}s`);
  writeResult(SUMMARY, { passed: 0, failed: 1, pending: 0, timeout: true });
  cleanup().finally(() => process.exit(1));
}, TIMEOUT_MS.total);
watchdog.unref();

// ------------------------------------------------------------------ the stages
/** @returns {Promise<number>} the exit code */
async function main() {
  const t0 = Date.now();
  if (!fs.existsSync(PATHS.codeServer)) {
    throw new HarnessError('code-server is not installed in .cache/code-server: run `bash scripts/provision.sh` first');
  }
  if (OPTIONS.integration && !fs.existsSync(PATHS.suite)) {
    throw new HarnessError(`${rel(PATHS.suite)} missing: run \`npm run compile-tests\` first`);
  }
  const extPackage = path.join(PATHS.extension, 'package.json');
  if (!fs.existsSync(extPackage)) throw new HarnessError(`no package.json in extension path ${PATHS.extension}`);
  const { main } = packageOf(PATHS.extension);
  if (main && !fs.existsSync(path.resolve(PATHS.extension, main)) && !fs.existsSync(path.resolve(PATHS.extension, `${main}.js`))) {
    log(`WARNING: extension main ${main} does not exist (run \`npm run build\`)`);
  }
  if (OPTIONS.bench) return runBench(tmp, t0);

  // Packaging rebuilds dist/: do it before any code-server loads the extension from there.
  const vsix = OPTIONS.vsix ? packageVsix() : null;
  /** @type {Record<string, Counts>} */
  const stages = {};
  if (OPTIONS.integration || OPTIONS.e2e || OPTIONS.web) {
    const wsIntegration = copySamples(tmp, 'ws-integration');
    const wsE2e = copySamples(tmp, 'ws-e2e');
    const cs = await startCodeServer({ tmp, profile: makeProfile(tmp, 'dev'), folder: wsE2e, name: 'code-server' });
    if (OPTIONS.integration) stages.integration = await runInExtensionHost(cs, wsIntegration, PATHS.suite, 'integration');
    if (OPTIONS.e2e) stages.e2e = await runE2e(cs, wsE2e);
    if (OPTIONS.web) stages['integration-web'] = await runWebSuite(cs, copySamples(tmp, 'ws-integration-web'), tmp);
    if (OPTIONS.web) stages['e2e-web'] = await runE2e(cs, copySamples(tmp, 'ws-e2e-web'), 'web', tmp);
    await stopServer(cs.server);
  }
  if (vsix) stages.vsix = await runVsix(vsix, tmp, copySamples(tmp, 'ws-vsix'));

  const total = { passed: 0, failed: 0, pending: 0 };
  for (const r of Object.values(stages)) {
    total.passed += r.passed;
    total.failed += r.failed;
    total.pending += r.pending;
  }
  writeResult(SUMMARY, { ...total, stages });
  for (const [k, r] of Object.entries(stages)) log(`${k}: ${r.passed} passed, ${r.failed} failed, ${r.pending} pending`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  console.log(`vscode: ${total.passed} passed, ${total.failed} failed${total.pending ? `, ${total.pending} skipped` : ''}`);
  return total.failed > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  const message = err instanceof HarnessError ? err.message : err instanceof Error ? err.stack : String(err);
  console.error(`[test-vscode] FAILED: ${message}`);
  writeResult(SUMMARY, { passed: 0, failed: 1, pending: 0, error: err instanceof Error ? err.message : String(err) });
} finally {
  await cleanup();
}
// Leftover handles (e.g. a hung browser) must not keep us alive.
process.exit(code);
