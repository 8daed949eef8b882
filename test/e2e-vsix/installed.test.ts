/**
 * The packaged extension as a user gets it: scripts/test-vscode.mjs builds the .vsix
 * (`npm run package`), checks its file list, installs it with code-server's
 * `--install-extension` into a fresh extensions dir and starts a second code-server on it.
 * This test opens that workbench WITHOUT extensionDevelopmentPath (so only the installed copy
 * can answer), opens textbook.csv with Quick Open, runs "BPTT Lens: Run Backward Pass" from F1
 * and hovers a row: ∂L/∂h_t must be there with the core's number. Screenshot: vsix-hover.png.
 *
 * Environment (set by the launcher):
 *   BPTT_VSIX_URL            http://127.0.0.1:PORT of the second code-server
 *   BPTT_VSIX_WORKSPACE      a temp copy of samples/
 *   BPTT_VSIX_EXTENSIONS_DIR its --extensions-dir (holds only the installed .vsix)
 *   BPTT_VSIX_ID             publisher.name
 *   BPTT_E2E_SCREENSHOTS as for test/e2e (the browser is test/chromium.ts's)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { runBptt, stepValues } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { launchChromium } from '../chromium';
import { hoverLine, openFile, runCommand, screenshot, waitForWorkbench } from '../e2e/workbench';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through scripts/test-vscode.mjs (npm run test:vscode)`);
  return v;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the installed .vsix (UI)', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    // No `payload`: no extensionDevelopmentPath, no extensionTestsPath.
    const url = `${env('BPTT_VSIX_URL')}/?folder=${encodeURIComponent(env('BPTT_VSIX_WORKSPACE'))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
    await waitForWorkbench(page, 90_000);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
  });

  it('is the only extension in its extensions dir, unpacked from the .vsix', () => {
    const dir = env('BPTT_VSIX_EXTENSIONS_DIR');
    const id = env('BPTT_VSIX_ID');
    const installed = fs.readdirSync(dir).filter((d) => !d.startsWith('.') && d !== 'extensions.json');
    assert.strictEqual(installed.length, 1, `installed: ${installed.join(', ')}`);
    assert.ok(installed[0].toLowerCase().startsWith(`${id.toLowerCase()}-`), installed[0]);
    const root = path.join(dir, installed[0]);
    for (const f of ['package.json', 'dist/extension.js', 'dist/worker.js', 'media/timeline.js']) {
      assert.ok(fs.existsSync(path.join(root, f)), `${f} in the installed extension`);
    }
    assert.ok(!fs.existsSync(path.join(root, 'src')) && !fs.existsSync(path.join(root, 'node_modules')), 'no sources or node_modules installed');
  });

  it('textbook.csv: Run Backward Pass from F1, hover a row: ∂L/∂h_t is the core’s number', async () => {
    const name = 'textbook.csv';
    const parsed = parseSequence(fs.readFileSync(path.join(env('BPTT_VSIX_WORKSPACE'), name), 'utf8'), 'csv');
    assert.deepStrictEqual(parsed.errors, []);
    const trace = runBptt(parsed.model, parsed);
    const i = 2;
    const v = stepValues(trace, i);
    const f = (n: number): string => formatNumber(n, 6);

    await openFile(page, name);
    await runCommand(page, 'BPTT Lens: Run Backward Pass');
    const text = (await hoverLine(page, parsed.line[i] + 1, 3)).replace(/\u00a0/g, ' ');
    await page.waitForTimeout(500); // the hover fades in
    await screenshot(page, 'vsix-hover');
    assert.ok(text.includes(`Step ${i + 1} of ${trace.T}`), text);
    assert.match(text, /∂L\/∂h_t/, text);
    assert.match(text, new RegExp(`= ${escape(f(v.dL_dh_local))} \\+ \\(?${escape(f(v.dL_dh_recurrent))}\\)? = ${escape(f(v.dL_dh))}`), `∂L/∂h_t = ${f(v.dL_dh)} in:\n${text}`);
    assert.ok(text.includes(`= ${f(v.dL_ds)}`), `∂L/∂s_t = ${f(v.dL_ds)} in:\n${text}`);
  });
});
