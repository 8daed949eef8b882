// @ts-check
// The Node-side stages: mocha in this process (with playwright-core) over the compiled UI tests,
// which open the workbench of a running code-server themselves (test/e2e/workbench.ts).
import fs from 'node:fs';
import path from 'node:path';
import { PATHS, TIMEOUT_MS, compiled, log, rel } from './config.mjs';

/** @typedef {import('./config.mjs').Counts} Counts */
/** @typedef {import('./codeServer.mjs').CodeServer} CodeServer */

/** @returns {typeof import('../../test/hostMocha.js')} */
const hostMocha = () => compiled('test/hostMocha.js');

/** Every file below `dir` whose name ends in `suffix`, sorted. */
export const findFiles = (/** @type {string} */ dir, /** @type {string} */ suffix) => hostMocha().findFiles(dir, suffix);

/**
 * Runs mocha `files` in this process with `env` added to process.env; resolves with the counts.
 * @param {string} label
 * @param {string[]} files
 * @param {Record<string, string>} env
 * @param {number} timeout per test, in ms
 * @returns {Promise<Counts>}
 */
export async function runMocha(label, files, env, timeout = TIMEOUT_MS.e2e) {
  fs.mkdirSync(PATHS.screenshots, { recursive: true });
  Object.assign(process.env, { BPTT_E2E_SCREENSHOTS: PATHS.screenshots, ...env });
  log(`${label}: ${files.length} file(s), screenshots in ${rel(PATHS.screenshots)}`);
  const mocha = hostMocha().createMocha(timeout);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => {
    const runner = mocha.run((failures) => {
      // The same files run again for the other extension host: out of require's cache.
      mocha.unloadFiles();
      resolve({ passed: runner.stats?.passes ?? 0, failed: failures, pending: runner.stats?.pending ?? 0 });
    });
  });
}

/**
 * The extension under test as vscode.dev sees it, a web extension with no Node host to run in: its
 * package.json without `main` (and `extensionKind`, whose "workspace" picks code-server's Node host
 * when there is one), in `tmp`; every other top-level entry is a symlink to the real one.
 * The payload's extensionDevelopmentKind cannot do this in VS Code 1.100's web workbench: it is
 * read into `extensionDevelopmentLocationKind`, but the host is picked from `extensionDevelopmentKind`
 * (undefined), so an extension with a `main` runs in the Node host whatever the payload says.
 */
export function webOnlyCopy(/** @type {string} */ tmp) {
  const dir = path.join(tmp, 'extension-web');
  if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(PATHS.extension)) {
    if (entry === 'package.json' || entry === '.git') continue;
    fs.symlinkSync(path.join(PATHS.extension, entry), path.join(dir, entry));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(PATHS.extension, 'package.json'), 'utf8'));
  delete manifest.main;
  delete manifest.extensionKind;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/**
 * What test/e2e/workbench.ts needs to open the workbench of `cs` on `folder`, with the extension
 * in the Node extension host or (`host` 'web') in the web worker extension host.
 * @param {CodeServer} cs
 * @param {string} folder
 * @param {'node' | 'web'} host
 * @param {string} extension the extension's folder
 */
export function e2eEnv(cs, folder, host = 'node', extension = PATHS.extension) {
  return {
    BPTT_E2E_URL: cs.base,
    BPTT_E2E_PORT: String(cs.port),
    BPTT_E2E_WORKSPACE: folder,
    BPTT_E2E_EXTENSION_PATH: extension,
    BPTT_E2E_HOST: host,
  };
}

/**
 * Stage 2: every out/test/e2e/*.test.js against `cs`, the extension in the `host` extension host
 * (stage `e2e` in Node, `e2e-web` in the browser's Web Worker host, as on vscode.dev).
 * @param {CodeServer} cs
 * @param {string} folder
 * @param {'node' | 'web'} host
 * @param {string} tmp the run's temp dir (for the web-only copy of the extension)
 */
export async function runE2e(cs, folder, host = 'node', tmp = '') {
  const label = host === 'web' ? 'e2e-web' : 'e2e';
  const files = findFiles(PATHS.e2e, '.test.js');
  if (files.length === 0) {
    log(`${label}: no ${rel(PATHS.e2e)}/*.test.js`);
    return { passed: 0, failed: 0, pending: 0 };
  }
  return runMocha(label, files, e2eEnv(cs, folder, host, host === 'web' ? webOnlyCopy(tmp) : PATHS.extension));
}

/** Closes the browsers test/e2e/workbench.ts left open (a test that failed mid-way). */
export async function closeWorkbenches() {
  /** @type {typeof import('../../test/e2e/workbench.js')} */
  const workbench = compiled('test/e2e/workbench.js');
  await Promise.race([workbench.closeAll(), new Promise((r) => setTimeout(r, 5000))]);
}
