// @ts-check
// What the real-VS-Code launcher (scripts/test-vscode.mjs) runs, where, and for how long: the
// command line and environment in one place, plus its log and error helpers.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './package.mjs';

/** @typedef {{ passed: number, failed: number, pending: number }} Counts */

const env = process.env;
const argv = process.argv.slice(2);
const flag = (/** @type {string} */ f) => argv.includes(f);
const grepAt = argv.indexOf('--grep');
const only = ['--integration-only', '--e2e-only', '--web-only', '--vsix-only'].find(flag);
const bench = flag('--bench');

/** Which stages run (--bench runs the benchmarks instead of any test stage). */
export const OPTIONS = {
  bench,
  integration: !bench && (!only || only === '--integration-only'),
  e2e: !bench && (!only || only === '--e2e-only'),
  /** The UI tests again with the extension in the web worker extension host (its `browser` entry). */
  web: !bench && (!only || only === '--web-only') && !flag('--no-web'),
  vsix: !bench && (!only || only === '--vsix-only') && !flag('--no-vsix'),
  grep: grepAt >= 0 ? argv[grepAt + 1] : env.BPTT_SUITE_GREP || '',
  /** Install this .vsix instead of running `npm run package`. */
  vsixFile: env.BPTT_VSIX ? path.resolve(env.BPTT_VSIX) : '',
  keepTmp: Boolean(env.BPTT_KEEP_TMP),
};

export const TIMEOUT_MS = {
  integration: Number(env.BPTT_VSCODE_TIMEOUT_MS || 600_000),
  e2e: Number(env.BPTT_E2E_TIMEOUT_MS || 180_000),
  bench: 600_000,
  total: Number(env.BPTT_VSCODE_TOTAL_TIMEOUT_MS || 1_800_000),
};

export const PATHS = {
  codeServer: path.join(ROOT, '.cache/code-server/out/node/entry.js'),
  /** The extension under test. */
  extension: path.resolve(env.BPTT_EXTENSION_PATH || ROOT),
  results: path.join(ROOT, 'test-results/vscode'),
  perf: path.join(ROOT, 'test-results/perf'),
  screenshots: path.resolve(ROOT, env.BPTT_E2E_SCREENSHOTS || 'test-results/screenshots'),
  // Compiled by `npm run compile-tests` (tsc -p . into out/).
  suite: path.join(ROOT, 'out/test/suite/index.js'),
  e2e: path.join(ROOT, 'out/test/e2e'),
  vsixE2e: path.join(ROOT, 'out/test/e2e-vsix'),
  benchHost: path.join(ROOT, 'out/bench/vscode/index.js'),
  benchUi: path.join(ROOT, 'out/bench/vscode/ui'),
};

/** A failure the launcher reports by its message alone (no stack). */
export class HarnessError extends Error {}

export const log = (/** @type {unknown[]} */ ...a) => console.log('[test-vscode]', ...a);

/** `p` relative to the repository root, for messages. */
export const rel = (/** @type {string} */ p) => path.relative(ROOT, p) || p;

/** The last `n` lines of a log file. */
export function tail(/** @type {string} */ file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

export function writeResult(/** @type {string} */ name, /** @type {object} */ value) {
  fs.mkdirSync(PATHS.results, { recursive: true });
  fs.writeFileSync(path.join(PATHS.results, name), JSON.stringify(value, null, 2));
}

const require = createRequire(import.meta.url);

/** A module of the compiled test tree (out/test/…); a clear error when it is not compiled. */
export function compiled(/** @type {string} */ file) {
  const p = path.join(ROOT, 'out', file);
  if (!fs.existsSync(p)) throw new HarnessError(`${rel(p)} missing: run \`npm run compile-tests\` first`);
  return require(p);
}
