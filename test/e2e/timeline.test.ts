/**
 * The timeline in the real workbench, as a person uses it: open a sample, show the timeline,
 * read the summary and the band captions, click a step, move the editor cursor, drive the
 * selection from the keyboard, export the trace as CSV through the save dialog, toggle log
 * scale, switch themes, reload the window, open a file with a parse error. Screenshots of each
 * state go to BPTT_E2E_SCREENSHOTS.
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
  getBoundingClientRect(): { height: number; width: number };
  scrollIntoView(): void;
}
declare const document: { body: { className: string }; querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };
declare const performance: { getEntriesByName(n: string): { duration: number }[] };
declare const window: { scrollTo(x: number, y: number): void };

const CSV_HEADER = 't,line,x,y,s,h,yhat,loss,dL_dyhat,dL_dh,dL_dh_local,dL_dh_recurrent,dL_ds';

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

/** Waits until the selected-step table shows step t. */
async function waitForStep(frame: Frame, t: number): Promise<void> {
  await frame
    .waitForFunction((want) => document.querySelector('.step caption')?.textContent?.includes(`t = ${want} `) ?? false, t, { timeout: 15_000 })
    .catch(async () => assert.fail(`selected step ${await selectedStep(frame)}, expected ${t}`));
}

/** Legend values of one chart (uPlot's inline legend), t first. */
async function legendValues(frame: Frame, chart: string): Promise<string[]> {
  return frame.evaluate((c) => Array.from(document.querySelectorAll(`.chart-${c} .u-legend .u-value`)).map((v) => v.textContent ?? ''), chart);
}

async function waitForEditorLine(page: Page, line: number, what: string): Promise<void> {
  await page
    .waitForFunction(
      (l) => {
        for (const row of Array.from(document.querySelectorAll('.monaco-editor .margin-view-overlays > div'))) {
          if (row.querySelector('.current-line')) return Number(row.querySelector('.line-numbers')?.textContent?.trim()) === l;
        }
        return false;
      },
      line,
      { timeout: 15_000 },
    )
    .catch(async () => assert.fail(`editor cursor on line ${await editorCursorLine(page)}, expected ${line} (${what})`));
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

  it('explains the shading, and shows the last target step’s numbers before any click', async () => {
    const { trace, parsed } = reference('vanishing.csv');
    // The last step with a target is selected, and every legend shows its values.
    let last = parsed.T - 1;
    while (!parsed.hasY[last]) last--;
    await waitForStep(frame, last + 1);
    for (const chart of ['signal', 'gradient', 'params']) {
      const values = await legendValues(frame, chart);
      assert.strictEqual(values[0], String(last + 1), `${chart} legend t`);
      assert.ok(values.length >= 3 && values.every((v) => v !== '—' && v !== ''), `${chart} legend: ${values.join(' | ')}`);
    }
    const charts = frame.locator('.charts');
    assert.strictEqual(await charts.getAttribute('aria-valuenow'), String(last + 1));
    assert.strictEqual(await charts.getAttribute('aria-valuetext'), `t = ${last + 1} of ${trace.T}, ∂L/∂s_t = ${formatNumber(trace.dL_ds[last], 3)}`);
    // The key next to the gradient chart, with the thresholds of the settings.
    const key = (await frame.locator('.chart-gradient .key').textContent()) ?? '';
    assert.ok(key.includes('shaded blue: |∂L/∂s_t| < 1e-6 — vanishing') && key.includes('shaded red: > 1e+6 — exploding'), key);
    // The caption says in words where the gradient vanished: below 1e-6 from t = 1 up to some t.
    let lastVanished = 0;
    for (let i = 0; i < trace.T; i++) if (Math.abs(trace.dL_ds[i]) < 1e-6) lastVanished = i + 1;
    assert.strictEqual(
      await frame.locator('.band-caption.vanished').textContent(),
      `|∂L/∂s_t| falls below 1e-6 for t ≤ ${lastVanished}: the gradient has vanished there.`,
    );
    assert.strictEqual(await frame.locator('.band-caption.exploded').count(), 0);
    // Titles stay on one line in this ~500 px panel.
    const titles = await frame.evaluate(() => Array.from(document.querySelectorAll('.chart-title')).map((t) => [t.textContent ?? '', t.getBoundingClientRect().height] as const));
    assert.strictEqual(titles.length, 3);
    for (const [text, height] of titles) assert.ok(height < 24, `title wraps (${height}px): ${text}`);
    for (const name of ['Log scale', 'Reset zoom', 'Export PNG', 'Export CSV', 'Export JSON']) {
      assert.strictEqual(await frame.getByRole('button', { name, exact: true }).count(), 1, `button named ${name}`);
    }
  });

  it('clicking a step selects it and moves the editor cursor to its line', async () => {
    const { page } = wb!;
    const { parsed } = reference('vanishing.csv');
    const over = frame.locator('.u-over').nth(1);
    const box = await over.boundingBox();
    assert.ok(box);
    const before = await selectedStep(frame);
    await over.click({ position: { x: box.width * 0.4, y: box.height / 2 } });
    // 40 % across is far from the step selected before (the last target).
    await frame.waitForFunction((b) => !(document.querySelector('.step caption')?.textContent?.includes(`t = ${b} `) ?? true), before, { timeout: 15_000 });
    const t = await selectedStep(frame);
    assert.ok(Math.abs(t - 0.4 * parsed.T) < 0.15 * parsed.T, `clicked 40 % across, selected t = ${t}`);
    assert.ok(t >= 1 && t <= parsed.T, `selected t = ${t}`);
    await waitForEditorLine(page, parsed.line[t - 1] + 1, `t = ${t}`);
    await screenshot(page, 'timeline-click');
  });

  it('moving the editor cursor moves the selected step and its table', async () => {
    const { page } = wb!;
    const { parsed } = reference('vanishing.csv');
    const t = 7;
    await goToLine(page, parsed.line[t - 1] + 1);
    await waitForStep(frame, t);
    assert.strictEqual(await selectedStep(frame), t);
  });

  it('moves the selection with the keyboard; Enter moves the editor cursor there', async () => {
    const { page } = wb!;
    const { parsed, trace } = reference('vanishing.csv');
    const T = trace.T;
    const charts = frame.locator('.charts');
    await charts.focus();
    const t0 = await selectedStep(frame);
    assert.ok(t0 > 1 && t0 < T, `start at t = ${t0}`);
    await charts.press('ArrowRight');
    await waitForStep(frame, t0 + 1);
    await charts.press('ArrowLeft');
    await charts.press('ArrowLeft');
    await waitForStep(frame, t0 - 1);
    await charts.press('Home');
    await waitForStep(frame, 1);
    await charts.press('ArrowLeft'); // stays at the first step
    await charts.press('End');
    await waitForStep(frame, T);
    await charts.press('ArrowLeft');
    await charts.press('ArrowLeft');
    const t = T - 2;
    await waitForStep(frame, t);
    assert.strictEqual(await charts.getAttribute('aria-valuenow'), String(t));
    assert.strictEqual(await charts.getAttribute('aria-valuetext'), `t = ${t} of ${T}, ∂L/∂s_t = ${formatNumber(trace.dL_ds[t - 1], 3)}`);
    // Selecting from the keyboard leaves the editor alone until Enter.
    const before = await editorCursorLine(page);
    assert.notStrictEqual(before, parsed.line[t - 1] + 1);
    await charts.press('Enter');
    await waitForEditorLine(page, parsed.line[t - 1] + 1, `Enter at t = ${t}`);
    await screenshot(page, 'timeline-keyboard');
    // The table and its two equations, scrolled into view.
    await frame.evaluate(() => document.querySelector('.step')?.scrollIntoView());
    await page.waitForTimeout(200);
    await screenshot(page, 'timeline-table');
    await frame.evaluate(() => window.scrollTo(0, 0));
  });

  it('Export CSV in the toolbar writes the trace where the save dialog says', async () => {
    const { page } = wb!;
    const target = workspacePath('vanishing-exported.csv');
    fs.rmSync(target, { force: true });
    await frame.getByRole('button', { name: 'Export CSV', exact: true }).click();
    // code-server's save dialog is the workbench's simple file dialog: a quick input holding the path.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForFunction(() => (document.querySelector('.quick-input-widget .quick-input-box input') as unknown as { value: string } | null)?.value.endsWith('.csv') ?? false, undefined, { timeout: 10_000 });
    const proposed = await input.inputValue();
    assert.ok(proposed.endsWith('vanishing.trace.csv'), `proposed ${proposed}`);
    await screenshot(page, 'timeline-export-dialog');
    await input.fill(target);
    await page.waitForFunction((want) => (document.querySelector('.quick-input-widget .quick-input-box input') as unknown as { value: string } | null)?.value === want, target);
    await page.keyboard.press('Enter');
    const end = Date.now() + 20_000;
    while (!fs.existsSync(target) || fs.statSync(target).size === 0) {
      if (Date.now() > end) assert.fail(`${target} was not written`);
      await page.waitForTimeout(200);
    }
    const { trace } = reference('vanishing.csv');
    const lines = fs.readFileSync(target, 'utf8').trimEnd().split(/\r?\n/);
    assert.strictEqual(lines[0], CSV_HEADER);
    assert.strictEqual(lines.length, trace.T + 1);
    assert.strictEqual(lines[1].split(',')[0], '1');
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
    const caption = (await frame.locator('.band-caption.exploded').textContent({ timeout: 10_000 })) ?? '';
    assert.ok(/^\|∂L\/∂s_t\| exceeds 1e\+6 for .+: the gradient has exploded there\.$/.test(caption), caption);
    await screenshot(page, 'timeline-exploding');
  });

  it('repaints for a light, dark and high-contrast theme', async () => {
    const { page } = wb!;
    // Light last, so the later screenshots are in the default theme.
    for (const [theme, cls, shot] of [
      ['Dark Modern', 'vscode-dark', 'timeline-dark'],
      ['Dark High Contrast', 'vscode-high-contrast', 'timeline-hc'],
      ['Light Modern', 'vscode-light', 'timeline-light'],
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

  it('lists the parse errors of a broken file with their line:col', async () => {
    const { page } = wb!;
    const name = 'timeline-broken.csv';
    const text = 'x,y\n1,abc\n';
    fs.writeFileSync(workspacePath(name), text);
    const expected = parseSequence(text, 'csv').errors;
    assert.ok(expected.length > 0);
    // Open it in the editor's group, not the timeline's.
    await page.locator('.tabs-container .tab[aria-label^="exploding.csv"]').first().click();
    await openFile(page, name);
    frame = await findWebviewFrame(page, '.errors li', 30_000);
    const items = await frame.locator('.errors li').allTextContents();
    assert.strictEqual(items.length, expected.length);
    expected.forEach((e, i) => assert.ok(items[i].startsWith(`${name}:${e.line + 1}:${e.col + 1} `) && items[i].includes(e.message), items[i]));
    assert.ok(((await frame.locator('.message h2').textContent()) ?? '').startsWith(name));
    await screenshot(page, 'timeline-errors');
  });
});
