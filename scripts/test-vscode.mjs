#!/usr/bin/env node
// Runs BPTT Lens tests in a real VS Code (1.100.3 via code-server) offline:
//   1. integration: the mocha suite out/test/suite/index.js inside the real Node
//      extension host, started through the workbench `payload` query parameter;
//   2. UI end to end: every out/test/e2e/*.test.js with mocha in this process,
//      driving Chromium (playwright-core) against the same code-server.
// See shared/notes/real-vscode-offline.md. Provision first: scripts/provision.sh
// (npm test does it). Build + compile first: npm run build && npm run compile-tests.
//
// Options (flags or env):
//   --integration-only | --e2e-only
//   --grep <re>                        passes BPTT_SUITE_GREP / mocha grep to both
//   BPTT_EXTENSION_PATH                extension under test (default: repo root)
//   BPTT_VSCODE_TIMEOUT_MS             integration timeout (default 600000)
//   BPTT_E2E_TIMEOUT_MS                per-e2e-test timeout (default 180000)
//   BPTT_VSCODE_TOTAL_TIMEOUT_MS       whole run watchdog (default 1800000)
//   BPTT_E2E_SCREENSHOTS               screenshot dir (default test-results/screenshots)
//   BPTT_KEEP_TMP=1                    keep the temp user-data/workspace dirs
//   CHROMIUM_PATH                      default /usr/bin/chromium
// Writes test-results/vscode/summary.json ({passed, failed, pending}) and logs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CS_ENTRY = path.join(ROOT, '.cache/code-server/out/node/entry.js');
const RESULTS = path.join(ROOT, 'test-results/vscode');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const grepIdx = argv.indexOf('--grep');
const GREP = grepIdx >= 0 ? argv[grepIdx + 1] : process.env.BPTT_SUITE_GREP || '';
const RUN_INTEGRATION = !flag('--e2e-only');
const RUN_E2E = !flag('--integration-only');
const EXT_PATH = path.resolve(process.env.BPTT_EXTENSION_PATH || ROOT);
const SUITE = path.join(ROOT, 'out/test/suite/index.js');
const E2E_DIR = path.join(ROOT, 'out/test/e2e');
const INTEGRATION_TIMEOUT = Number(process.env.BPTT_VSCODE_TIMEOUT_MS || 600_000);
const E2E_TIMEOUT = Number(process.env.BPTT_E2E_TIMEOUT_MS || 180_000);
const TOTAL_TIMEOUT = Number(process.env.BPTT_VSCODE_TOTAL_TIMEOUT_MS || 1_800_000);
const SCREENSHOTS = path.resolve(ROOT, process.env.BPTT_E2E_SCREENSHOTS || 'test-results/screenshots');

const log = (...a) => console.log('[test-vscode]', ...a);
const fail = (msg) => {
  const e = new Error(msg);
  e.clean = true;
  return e;
};

// Deterministic, quiet settings for the test profile.
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'workbench.localHistory.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'files.autoSave': 'off',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 300,
  'editor.codeLens': true,
  'breadcrumbs.enabled': false,
  'terminal.integrated.enablePersistentSessions': false,
  'notifications.doNotDisturbMode': false,
};

// ------------------------------------------------------------------ cleanup
let server = null; // ChildProcess of code-server (own process group)
const browsers = new Set();
let tmpRoot = null;
let cleaning = null;

function killServerSync(signal) {
  if (server && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, signal);
    } catch {
      try {
        server.kill(signal);
      } catch {
        /* gone */
      }
    }
  }
}

async function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    await Promise.all(
      [...browsers].map((b) =>
        Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]),
      ),
    );
    try {
      const wb = require(path.join(E2E_DIR, 'workbench.js'));
      if (typeof wb.closeAll === 'function') {
        await Promise.race([wb.closeAll(), new Promise((r) => setTimeout(r, 5000))]);
      }
    } catch {
      /* e2e helper not loaded / not compiled */
    }
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      killServerSync('SIGTERM');
      const t = setTimeout(() => killServerSync('SIGKILL'), 4000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 6000))]);
      clearTimeout(t);
      killServerSync('SIGKILL');
    }
    if (tmpRoot && !process.env.BPTT_KEEP_TMP) {
      fs.rmSync(tmpRoot, { recursive: true, force: true, maxRetries: 3 });
    } else if (tmpRoot) {
      log(`kept temp dir ${tmpRoot}`);
    }
  })();
  return cleaning;
}

process.on('exit', () => killServerSync('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping code-server and browsers`);
    cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}
process.on('unhandledRejection', (err) => {
  console.error('[test-vscode] unhandled rejection:', err);
});

// ------------------------------------------------------------------ helpers
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

function copyDir(src, dst) {
  fs.mkdirSync(dst, { recursive: true });
  if (fs.existsSync(src)) fs.cpSync(src, dst, { recursive: true });
}

function workbenchUrl(base, port, folder, payload) {
  let url = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

async function startCodeServer(userData, extensions, folder) {
  const port = await freePort();
  fs.mkdirSync(RESULTS, { recursive: true });
  const logFile = path.join(RESULTS, 'code-server.log');
  const out = fs.openSync(logFile, 'w');
  const cfgDir = path.join(tmpRoot, 'config');
  fs.mkdirSync(cfgDir, { recursive: true });
  fs.writeFileSync(path.join(cfgDir, 'config.yaml'), 'auth: none\ncert: false\n');
  const args = [
    CS_ENTRY,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', path.join(cfgDir, 'config.yaml'),
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    folder,
  ];
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: cfgDir,
    XDG_DATA_HOME: path.join(tmpRoot, 'data'),
    XDG_CACHE_HOME: path.join(tmpRoot, 'cache'),
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  server = spawn(process.execPath, args, {
    cwd: tmpRoot,
    env,
    stdio: ['ignore', out, out],
    detached: true, // own process group: we kill the whole tree
  });
  fs.closeSync(out);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw fail(`code-server exited early (${server.exitCode ?? server.signalCode}); log:\n${tail(logFile)}`);
    }
    if (await httpOk(`${base}/healthz`)) {
      log(`code-server ready at ${base} (log: ${path.relative(ROOT, logFile)})`);
      return { port, base, logFile };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw fail(`code-server did not answer on ${base} within 90s; log:\n${tail(logFile)}`);
}

function tail(file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM)) {
    throw fail(`${CHROMIUM} not found: run scripts/provision.sh (Debian package chromium)`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  browsers.add(browser);
  browser.on('disconnected', () => browsers.delete(browser));
  return browser;
}

// ------------------------------------------------------------------ 1. integration
async function runIntegration(cs, folder) {
  log(`integration: ${path.relative(ROOT, SUITE)} in the extension host (timeout ${INTEGRATION_TIMEOUT / 1000}s)`);
  const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(EXT_PATH)],
    ['extensionTestsPath', remote(SUITE)],
  ];
  const url = workbenchUrl(cs.base, cs.port, folder, payload);
  const browser = await launchBrowser();
  const consoleLog = fs.createWriteStream(path.join(RESULTS, 'integration-browser-console.log'));
  const counts = { passed: 0, failed: 0, pending: 0, reported: false };
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack || e}\n`));
    page.on('crash', () => resolveExit({ code: 1, why: 'the browser page crashed' }));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
      const m = /\[bptt-suite\] passes=(\d+) failures=(\d+) pending=(\d+)/.exec(text);
      if (m) {
        counts.passed = Number(m[1]);
        counts.failed = Number(m[2]);
        counts.pending = Number(m[3]);
        counts.reported = true;
      }
      (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit({ code: Number(code) }));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    const timer = setTimeout(
      () => resolveExit({ code: 1, why: `timed out after ${INTEGRATION_TIMEOUT / 1000}s waiting for codeAutomationExit` }),
      INTEGRATION_TIMEOUT,
    );
    const { code, why } = await exited;
    clearTimeout(timer);
    if (why) {
      console.error(`[test-vscode] integration FAILED: ${why}`);
      try {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, 'integration-failure.png'), timeout: 10_000 });
        log(`screenshot: ${path.relative(ROOT, path.join(SCREENSHOTS, 'integration-failure.png'))}`);
      } catch {
        /* page gone */
      }
    }
    if (code !== 0 && !counts.reported) {
      counts.failed = Math.max(1, counts.failed);
    } else if (code !== 0 && counts.failed === 0) {
      counts.failed = 1; // run() rejected without test failures (e.g. no tests / load error)
    }
    log(`integration: exit code ${code}: ${counts.passed} passed, ${counts.failed} failed`);
    return counts;
  } finally {
    consoleLog.end();
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  }
}

// ------------------------------------------------------------------ 2. e2e
function findE2eFiles() {
  if (!fs.existsSync(E2E_DIR)) return [];
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) out.push(p);
    }
  };
  walk(E2E_DIR);
  return out.sort();
}

async function runE2e(cs, folder) {
  const files = findE2eFiles();
  if (files.length === 0) {
    log(`e2e: no ${path.relative(ROOT, E2E_DIR)}/*.test.js`);
    return { passed: 0, failed: 0, pending: 0 };
  }
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  Object.assign(process.env, {
    BPTT_E2E_URL: cs.base,
    BPTT_E2E_PORT: String(cs.port),
    BPTT_E2E_WORKSPACE: folder,
    BPTT_E2E_EXTENSION_PATH: EXT_PATH,
    BPTT_E2E_SCREENSHOTS: SCREENSHOTS,
    BPTT_E2E_CHROMIUM: CHROMIUM,
    BPTT_E2E_CHROMIUM_ARGS: JSON.stringify(CHROMIUM_ARGS),
  });
  log(`e2e: ${files.length} file(s), screenshots in ${path.relative(ROOT, SCREENSHOTS) || SCREENSHOTS}`);
  const Mocha = require('mocha/lib/mocha.cjs');
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: E2E_TIMEOUT, ...(GREP ? { grep: GREP } : {}) });
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  return await new Promise((resolve) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats || {};
      resolve({ passed: s.passes || 0, failed: failures, pending: s.pending || 0 });
    });
  });
}

// ------------------------------------------------------------------ main
async function main() {
  const t0 = Date.now();
  if (!fs.existsSync(CS_ENTRY)) {
    throw fail('code-server is not installed in .cache/code-server: run `bash scripts/provision.sh` first');
  }
  if (RUN_INTEGRATION && !fs.existsSync(SUITE)) {
    throw fail(`${path.relative(ROOT, SUITE)} missing: run \`npm run compile-tests\` first`);
  }
  if (!fs.existsSync(path.join(EXT_PATH, 'package.json'))) {
    throw fail(`no package.json in extension path ${EXT_PATH}`);
  }
  const main = JSON.parse(fs.readFileSync(path.join(EXT_PATH, 'package.json'), 'utf8')).main;
  if (main && !fs.existsSync(path.resolve(EXT_PATH, main)) && !fs.existsSync(path.resolve(EXT_PATH, `${main}.js`))) {
    log(`WARNING: extension main ${main} does not exist (run \`npm run build\`)`);
  }
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bptt-vscode-'));
  const userData = path.join(tmpRoot, 'user-data');
  const extensions = path.join(tmpRoot, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify(SETTINGS, null, 2));
  fs.writeFileSync(path.join(userData, 'Machine/settings.json'), JSON.stringify(SETTINGS, null, 2));
  const wsIntegration = path.join(tmpRoot, 'ws-integration', 'samples');
  const wsE2e = path.join(tmpRoot, 'ws-e2e', 'samples');
  copyDir(path.join(ROOT, 'samples'), wsIntegration);
  copyDir(path.join(ROOT, 'samples'), wsE2e);

  const cs = await startCodeServer(userData, extensions, wsE2e);
  const results = {};
  if (RUN_INTEGRATION) results.integration = await runIntegration(cs, wsIntegration);
  if (RUN_E2E) results.e2e = await runE2e(cs, wsE2e);

  const total = { passed: 0, failed: 0, pending: 0 };
  for (const r of Object.values(results)) {
    total.passed += r.passed;
    total.failed += r.failed;
    total.pending += r.pending;
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'summary.json'), JSON.stringify({ ...total, stages: results }, null, 2));
  for (const [k, r] of Object.entries(results)) log(`${k}: ${r.passed} passed, ${r.failed} failed, ${r.pending} pending`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  console.log(`vscode: ${total.passed} passed, ${total.failed} failed${total.pending ? `, ${total.pending} skipped` : ''}`);
  return total.failed > 0 ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`[test-vscode] FAILED: whole run exceeded ${TOTAL_TIMEOUT / 1000}s`);
  try {
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, 'summary.json'), JSON.stringify({ passed: 0, failed: 1, pending: 0, timeout: true }));
  } catch {
    /* ignore */
  }
  cleanup().finally(() => process.exit(1));
}, TOTAL_TIMEOUT);
watchdog.unref();

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`[test-vscode] FAILED: ${err && err.clean ? err.message : err && err.stack ? err.stack : err}`);
  try {
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, 'summary.json'), JSON.stringify({ passed: 0, failed: 1, pending: 0, error: String(err && err.message) }));
  } catch {
    /* ignore */
  }
  code = 1;
} finally {
  await cleanup();
}
// Leftover handles (e.g. a hung browser) must not keep us alive.
spawnSync('true');
process.exit(code);
