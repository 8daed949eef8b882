// @ts-check
// Chromium (test/chromium.ts, compiled) for the launcher's own stage: it opens the workbench with
// an extensionTestsPath in the `payload` query parameter, so that VS Code runs a mocha entry point
// (test/suite/index.js, bench/vscode/index.js) in the real extension host, and collects its result
// through the workbench's automation hooks codeAutomationLog / codeAutomationExit.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { PATHS, TIMEOUT_MS, compiled, log, rel } from './config.mjs';

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('./config.mjs').Counts} Counts */
/** @typedef {import('./codeServer.mjs').CodeServer} CodeServer */

/** @type {Set<Browser>} */
const browsers = new Set();

/** The browser every UI test launches too, tracked so that a signal can close it. */
async function launchBrowser() {
  /** @type {typeof import('../../test/chromium.js')} */
  const { launchChromium } = compiled('test/chromium.js');
  const browser = await launchChromium();
  browsers.add(browser);
  browser.on('disconnected', () => browsers.delete(browser));
  return browser;
}

/** Closes `browser`, giving up after 5 s (a hung browser must not hang the run). */
const closeBrowser = (/** @type {Browser} */ browser) =>
  Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);

export const closeAllBrowsers = () => Promise.all([...browsers].map(closeBrowser));

/** A file-name-safe form of a stage label. */
const slug = (/** @type {string} */ label) => label.replace(/\W+/g, '-');

/**
 * Runs the mocha entry point `entry` (its `run()`) in the extension host of `cs`, with the
 * extension under development loaded and `folder` open; returns the counts it reported.
 * @param {CodeServer} cs
 * @param {string} folder
 * @param {string} entry
 * @param {string} label
 * @param {{ extension?: string, web?: boolean }} [where] the extension's folder (default the repo), and
 *   whether it runs in the web worker host (then `entry` must lie inside `extension`: VS Code runs
 *   the tests in the host of the extension that holds them)
 * @returns {Promise<Counts>}
 */
export async function runInExtensionHost(cs, folder, entry, label, { extension = PATHS.extension, web = false } = {}) {
  log(`${label}: ${rel(entry)} in the ${web ? 'web worker' : 'Node'} extension host (timeout ${TIMEOUT_MS.integration / 1000}s)`);
  const remote = (/** @type {string} */ p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extension)],
    ['extensionTestsPath', remote(entry)],
  ];
  if (web) payload.push(['extensionDevelopmentKind', 'web']);
  const url = `${cs.base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await launchBrowser();
  const consoleLog = fs.createWriteStream(path.join(PATHS.results, `${slug(label)}-browser-console.log`));
  const counts = { passed: 0, failed: 0, pending: 0 };
  /** @type {(exit: { code: number, why?: string }) => void} */
  let resolveExit = () => {};
  /** @type {Promise<{ code: number, why?: string }>} */
  const exited = new Promise((r) => (resolveExit = r));
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack || e}\n`));
    page.on('crash', () => resolveExit({ code: 1, why: 'the browser page crashed' }));
    // The entry point's last line: `[bptt-suite] passes=… failures=… pending=…` (test/hostMocha.ts).
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown} */ args) => {
      // util.format: mocha's browser reporter logs printf-style ('%s (%dms)', title, ms).
      const text = Array.isArray(args) ? util.format(...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))) : String(args);
      const m = /\[bptt-(?:suite|bench)\] passes=(\d+) failures=(\d+) pending=(\d+)/.exec(text);
      if (m) {
        counts.passed = Number(m[1]);
        counts.failed = Number(m[2]);
        counts.pending = Number(m[3]);
      }
      (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (/** @type {unknown} */ code) => resolveExit({ code: Number(code) }));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    const timer = setTimeout(
      () => resolveExit({ code: 1, why: `timed out after ${TIMEOUT_MS.integration / 1000}s waiting for codeAutomationExit` }),
      TIMEOUT_MS.integration,
    );
    const { code, why } = await exited;
    clearTimeout(timer);
    if (why) {
      console.error(`[test-vscode] ${label} FAILED: ${why}`);
      const shot = path.join(PATHS.screenshots, `${slug(label)}-failure.png`);
      try {
        fs.mkdirSync(PATHS.screenshots, { recursive: true });
        await page.screenshot({ path: shot, timeout: 10_000 });
        log(`screenshot: ${rel(shot)}`);
      } catch {
        /* page gone */
      }
    }
    // A non-zero exit without a failing test (no result line, no tests, a load error) is one failure.
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    log(`${label}: exit code ${code}: ${counts.passed} passed, ${counts.failed} failed`);
    return counts;
  } finally {
    consoleLog.end();
    await closeBrowser(browser);
  }
}
