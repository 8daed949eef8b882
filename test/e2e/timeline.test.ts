/**
 * The timeline in the real workbench, as a person uses it: open a sample, show the timeline,
 * read the summary, click a step, move the editor cursor, toggle log scale, switch themes,
 * reload the window. Screenshots of each state go to BPTT_E2E_SCREENSHOTS.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import type { Frame, Page } from 'playwright-core';
import { runBptt } from '../../src/core';
import { parseSequence, type ParsedSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { closeWorkbench, findWebviewFrame, openFile, openWorkbench, reloadWindow, runCommand, screenshot, setTheme, workspacePath, type Workbench } from './workbench';

// Browser-side code below runs in the webview; the project's tsconfig has no DOM lib.
interface El {
  textContent: string | null;
  getAttribute(n: string): string | null;
  querySelector(s: string): El | null;
}
declare const document: { body: { className: string }; querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };
declare const performance: { getEntriesByName(n: string): { duration: number }[] };

function reference(name: string): { parsed: ParsedSequence; trace: ReturnType<typeof runBptt> } {
  const parsed = parseSequence(fs.readFileSync(workspacePath(name), 'utf8'), 'csv');
  return { parsed, trace: runBptt(parsed.model, parsed) };
}

async function summaryValue(frame: Frame, label: string): Promise<string> {
  return frame.evaluate((l) => {
    const items = Array.from(document.querySelectorAll('.summary .item'));
    const item = items.find((i) => i.querySelector('dt')?.textContent === l);
    return item?.querySelector('dd')?.textContent ?? '';
  }, label);
}

async function selectedStep(frame: Frame): Promise<number> {
  const caption = await frame.locator('.step caption').textContent({ timeout: 15_000 });
  return Number(/t = (\d+)/.exec(caption ?? '')?.[1]);
}

/** 1-based line of the cursor in the sample's editor (its line-number gutter row with the current-line highlight). */
async function editorCursorLine(page: Page): Promise<number> {
  return page.evaluate(() => {
    for (const row of Array.from(document.querySelectorAll('.monaco-editor .margin-view-overlays > div'))) {
      if (row.querySelector('.current-line')) return Number(row.querySelector('.line-numbers')?.textContent?.trim());
    }
    return -1;
  });
}

async function goToLine(page: Page, line: number): Promise<void> {
  await page.locator('.tabs-container .tab[aria-label^="vanishing.csv"]').first().click();
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible' });
  await page.fill('.quick-input-widget .quick-input-box input', `:${line}`);
  await page.keyboard.press('Enter');
}

describe('timeline webview (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let frame: Frame;
  const perf: Record<string, number[]> = {};

  before(async () => {
    wb = await openWorkbench({ file: 'vanishing.csv' });
  });

  after(async () => {
    console.log(`      timeline perf (ms): ${JSON.stringify(perf)}`);
    await closeWorkbench(wb);
  });

  it('shows the summary of the vanishing sample, equal to the core’s numbers', async () => {
    const { page } = wb!;
    await runCommand(page, 'BPTT Lens: Show Timeline');
    frame = await findWebviewFrame(page, '.summary dl', 60_000);
    const { trace } = reference('vanishing.csv');
    await frame.waitForFunction(() => performance.getEntriesByName('bptt:firstPaint').length > 0);
    assert.strictEqual(await summaryValue(frame, 'T'), String(trace.T));
    assert.strictEqual(await summaryValue(frame, 'L'), formatNumber(trace.loss, 6));
    assert.strictEqual(await summaryValue(frame, '∂L/∂w'), formatNumber(trace.grads.w, 6));
    assert.strictEqual(await summaryValue(frame, '∂L/∂v'), formatNumber(trace.grads.v, 6));
    assert.strictEqual(await summaryValue(frame, '∂L/∂h0'), formatNumber(trace.grads.h0, 6));
    assert.strictEqual(await frame.locator('canvas').count(), 3);
    // |∂L/∂s| spans many decades here, so log scale is on by default.
    assert.strictEqual(await frame.locator('button', { hasText: 'Log scale' }).getAttribute('aria-pressed'), 'true');
    perf.firstPaint = await frame.evaluate(() => performance.getEntriesByName('bptt:firstPaint').map((e) => e.duration));
    await screenshot(page, 'timeline-vanishing');
  });

  it('clicking a step selects it and moves the editor cursor to its line', async () => {
    const { page } = wb!;
    const { parsed } = reference('vanishing.csv');
    const over = frame.locator('.u-over').nth(1);
    const box = await over.boundingBox();
    assert.ok(box);
    await over.click({ position: { x: box.width * 0.4, y: box.height / 2 } });
    await frame.waitForSelector('.step caption');
    const t = await selectedStep(frame);
    assert.ok(t >= 1 && t <= parsed.T, `selected t = ${t}`);
    const line = parsed.line[t - 1] + 1;
    await page.waitForFunction(
      (l) => {
        for (const row of Array.from(document.querySelectorAll('.monaco-editor .margin-view-overlays > div'))) {
          if (row.querySelector('.current-line')) return Number(row.querySelector('.line-numbers')?.textContent?.trim()) === l;
        }
        return false;
      },
      line,
      { timeout: 15_000 },
    ).catch(async () => assert.fail(`editor cursor on line ${await editorCursorLine(page)}, expected ${line} (t = ${t})`));
    await screenshot(page, 'timeline-click');
  });

  it('moving the editor cursor moves the selected step and its table', async () => {
    const { page } = wb!;
    const { parsed } = reference('vanishing.csv');
    const t = 7;
    await goToLine(page, parsed.line[t - 1] + 1);
    await frame.waitForFunction((want) => document.querySelector('.step caption')?.textContent?.includes(`t = ${want} `) ?? false, t, { timeout: 15_000 });
    assert.strictEqual(await selectedStep(frame), t);
  });

  it('toggles log scale from the toolbar', async () => {
    const button = frame.locator('button', { hasText: 'Log scale' });
    await button.click();
    assert.strictEqual(await button.getAttribute('aria-pressed'), 'false');
    await screenshot(wb!.page, 'timeline-vanishing-linear');
    await button.click();
    assert.strictEqual(await button.getAttribute('aria-pressed'), 'true');
  });

  it('follows the active editor to the exploding sample', async () => {
    const { page } = wb!;
    // Open it in the editor's group, not the timeline's (which would hide the panel).
    await page.locator('.tabs-container .tab[aria-label^="vanishing.csv"]').first().click();
    await openFile(page, 'exploding.csv');
    frame = await findWebviewFrame(page, '.summary dl', 30_000);
    const { trace } = reference('exploding.csv');
    await frame.waitForFunction((w) => Array.from(document.querySelectorAll('.summary dd')).some((d) => d.textContent === w), formatNumber(trace.grads.w, 6), { timeout: 20_000 });
    await screenshot(page, 'timeline-exploding');
  });

  it('repaints for a light, dark and high-contrast theme', async () => {
    const { page } = wb!;
    for (const [theme, cls, shot] of [
      ['Light Modern', 'vscode-light', 'timeline-light'],
      ['Dark Modern', 'vscode-dark', 'timeline-dark'],
      ['Dark High Contrast', 'vscode-high-contrast', 'timeline-hc'],
    ]) {
      await setTheme(page, theme);
      await frame.waitForFunction((c) => document.body.className.split(' ').includes(c), cls, { timeout: 15_000 });
      assert.strictEqual(await frame.locator('canvas').count(), 3);
      await page.waitForTimeout(300);
      await screenshot(page, shot);
    }
  });

  it('comes back after a window reload', async () => {
    const { page } = wb!;
    await reloadWindow(page);
    frame = await findWebviewFrame(page, '.summary dl', 90_000);
    const { trace } = reference('exploding.csv');
    await frame.waitForFunction((T) => Array.from(document.querySelectorAll('.summary dd')).some((d) => d.textContent === T), String(trace.T), { timeout: 30_000 });
    await screenshot(page, 'timeline-reloaded');
  });
});
