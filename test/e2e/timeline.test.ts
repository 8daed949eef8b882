/**
 * The timeline in the real workbench, as a person uses it: open a sample, show the timeline,
 * read the summary and the band captions, click a step, move the editor cursor, drive the
 * selection from the keyboard, export the trace as CSV, JSON and PNG through the save dialog,
 * toggle log scale, switch themes, reload the window, open a file with a parse error, edit the
 * file while zoomed. Screenshots of each state go to BPTT_E2E_SCREENSHOTS.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { runBptt } from '../../src/core';
import { stepValues } from '../../src/core/trace';
import { parseSequence, type ParsedSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { closeWorkbench, findWebviewFrame, openFile, openWorkbench, reloadWindow, runCommand, screenshot, screenshotsDir, setTheme, workspacePath, type Workbench } from './workbench';

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
// Browser-side decoding of the exported PNG, in the workbench page.
interface Canvas2D {
  drawImage(img: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}
declare const Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
declare const OffscreenCanvas: new (w: number, h: number) => { getContext(kind: '2d'): Canvas2D | null };

const STEP_FIELDS = ['t', 'line', 'x', 'y', 's', 'h', 'yhat', 'loss', 'dL_dyhat', 'dL_dh', 'dL_dh_local', 'dL_dh_recurrent', 'dL_ds'];
const CSV_HEADER = STEP_FIELDS.join(',');
/** A copy of vanishing.csv that the live-update test edits. */
const LIVE = 'timeline-live.csv';
/** A sequence long enough that the charts show min/max per pixel (SeriesWindow.full false). */
const LONG = 'timeline-long.csv';
const LONG_T = 5000;

/** Targets on even steps up to T − 40; step T has x = 0.5496, inside the range of its bucket's x. */
function longCsv(): string {
  const rows = ['# bptt: w=0.5 v=1 phi=tanh theta=identity loss=squared', 't,x,y'];
  for (let t = 1; t <= LONG_T; t++) {
    const x = t === LONG_T ? 0.5496 : Math.round(Math.sin(0.37 * t) * 1e4) / 1e4;
    rows.push(`${t},${x},${t % 2 === 0 && t <= LONG_T - 40 ? Math.round(Math.cos(0.11 * t) * 1e4) / 1e4 : ''}`);
  }
  return rows.join('\n') + '\n';
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The IEND chunk (length 0, type, CRC) that ends every complete PNG. */
const PNG_END = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function reference(name: string): { parsed: ParsedSequence; trace: ReturnType<typeof runBptt> } {
  return referenceOf(fs.readFileSync(workspacePath(name), 'utf8'));
}

function referenceOf(text: string): { parsed: ParsedSequence; trace: ReturnType<typeof runBptt> } {
  const parsed = parseSequence(text, 'csv');
  return { parsed, trace: runBptt(parsed.model, parsed) };
}

/**
 * Drives code-server's save dialog (the workbench's simple file dialog: a quick input holding the
 * path) after an export button was clicked: checks the proposed name, types `target`, Enter.
 */
async function saveThroughDialog(page: Page, proposedSuffix: string, target: string, shot?: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  const ext = path.extname(proposedSuffix);
  await page.waitForFunction((e) => (document.querySelector('.quick-input-widget .quick-input-box input') as unknown as { value: string } | null)?.value.endsWith(e) ?? false, ext, {
    timeout: 10_000,
  });
  const proposed = await input.inputValue();
  assert.ok(proposed.endsWith(proposedSuffix), `proposed ${proposed}`);
  if (shot) await screenshot(page, shot);
  await input.fill(target);
  await page.waitForFunction((want) => (document.querySelector('.quick-input-widget .quick-input-box input') as unknown as { value: string } | null)?.value === want, target);
  await page.keyboard.press('Enter');
}

/** Polls (the host writes it, not the page) until `file` exists and `complete` says it is whole. */
async function waitForFile(page: Page, file: string, complete: (b: Buffer) => boolean): Promise<Buffer> {
  const end = Date.now() + 20_000;
  for (;;) {
    if (fs.existsSync(file)) {
      const bytes = fs.readFileSync(file);
      if (bytes.length > 0 && complete(bytes)) return bytes;
    }
    if (Date.now() > end) assert.fail(`${file} was not written${fs.existsSync(file) ? ` completely (${fs.statSync(file).size} bytes)` : ''}`);
    await page.waitForTimeout(200);
  }
}

const isJson = (b: Buffer): boolean => {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
};

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

async function goToLine(page: Page, line: number, column?: number, file = 'vanishing.csv'): Promise<void> {
  // Arrow keys from the top of the file rather than the Go to Line quick input: the quick input
  // closes whenever the workbench moves focus (a panel updating), which made this flaky under load.
  await page.locator(`.tabs-container .tab[aria-label^="${file}"]`).first().click();
  await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  for (let i = 1; i < (column ?? 1); i++) await page.keyboard.press('ArrowRight');
}

/** Waits for the status bar's cursor position, e.g. "Ln 62, Col 13". */
async function waitForCursor(page: Page, line: number, column: number): Promise<void> {
  const want = `Ln ${line}, Col ${column}`;
  await page
    .waitForFunction((w) => document.querySelector('.part.statusbar')?.textContent?.includes(w) ?? false, want, { timeout: 15_000 })
    .catch(() => assert.fail(`editor cursor is not at ${want}`));
}

/** Waits until the summary item `label` reads `value`. */
async function waitForSummary(frame: Frame, label: string, value: string, what: string): Promise<void> {
  await frame
    .waitForFunction(
      ([l, v]) => {
        const items = Array.from(document.querySelectorAll('.summary .item'));
        return items.find((i) => i.querySelector('dt')?.textContent === l)?.querySelector('dd')?.textContent === v;
      },
      [label, value] as const,
      { timeout: 20_000 },
    )
    .catch(async () => assert.fail(`summary ${label} = ${await summaryValue(frame, label)}, expected ${value} (${what})`));
}

async function zoomText(frame: Frame): Promise<string> {
  return (await frame.locator('.zoom-info').textContent()) ?? '';
}

describe('timeline webview (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let frame: Frame;
  const perf: Record<string, number[]> = {};

  before(async () => {
    // Written before the workbench starts, so Quick Open's file search knows it by the last test.
    fs.writeFileSync(workspacePath(LIVE), fs.readFileSync(workspacePath('vanishing.csv'), 'utf8'));
    fs.writeFileSync(workspacePath(LONG), longCsv());
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
    const { trace } = reference('vanishing.csv');
    await frame.getByRole('button', { name: 'Export CSV', exact: true }).click();
    await saveThroughDialog(page, 'vanishing.trace.csv', target, 'timeline-export-dialog');
    const text = (await waitForFile(page, target, (b) => b.toString('utf8').trimEnd().split(/\r?\n/).length === trace.T + 1)).toString('utf8');
    const lines = text.trimEnd().split(/\r?\n/);
    assert.strictEqual(lines[0], CSV_HEADER);
    assert.strictEqual(lines.length, trace.T + 1);
    assert.strictEqual(lines[1].split(',')[0], '1');
  });

  it('Export JSON in the toolbar writes the core’s trace with every step field', async () => {
    const { page } = wb!;
    const target = workspacePath('vanishing-exported.json');
    fs.rmSync(target, { force: true });
    await frame.getByRole('button', { name: 'Export JSON', exact: true }).click();
    await saveThroughDialog(page, 'vanishing.trace.json', target);
    const json = JSON.parse((await waitForFile(page, target, isJson)).toString('utf8')) as {
      T: number;
      loss: number;
      grads: Record<string, number>;
      steps: Record<string, unknown>[];
    };
    const { trace } = reference('vanishing.csv');
    assert.strictEqual(json.T, trace.T);
    assert.strictEqual(json.loss, trace.loss);
    assert.strictEqual(json.grads.w, trace.grads.w);
    assert.strictEqual(json.grads.v, trace.grads.v);
    assert.strictEqual(json.steps.length, trace.T);
    assert.deepStrictEqual(Object.keys(json.steps[0]), STEP_FIELDS);
    assert.strictEqual(json.steps[0].t, 1);
    assert.strictEqual(json.steps[trace.T - 1].dL_ds, trace.dL_ds[trace.T - 1]);
  });

  it('Export PNG in the toolbar saves the three charts on the theme’s background', async () => {
    const { page } = wb!;
    // The workbench opens in the light theme; the theme test switches later.
    assert.ok((await frame.evaluate(() => document.body.className)).split(' ').includes('vscode-light'), 'light theme');
    const target = workspacePath('vanishing-exported.png');
    fs.rmSync(target, { force: true });
    await frame.getByRole('button', { name: 'Export PNG', exact: true }).click();
    await saveThroughDialog(page, 'vanishing-timeline.png', target);
    const png = await waitForFile(page, target, (b) => b.length > PNG_END.length && b.subarray(b.length - PNG_END.length).equals(PNG_END));
    assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), `signature ${png.subarray(0, 8).toString('hex')}`);
    assert.ok(png.length > 10_000, `${png.length} bytes`);
    fs.copyFileSync(target, path.join(screenshotsDir(), 'timeline-export.png'));
    // IHDR: width and height right after the signature and the chunk header.
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const chartWidth = await frame.evaluate(() => Math.max(...Array.from(document.querySelectorAll('.chart canvas')).map((c) => (c as unknown as { width: number }).width)));
    assert.strictEqual(width, chartWidth);
    assert.ok(height > 3 * 168, `height ${height}`);
    // Decoded in the browser: the corners are opaque and light, as the light editor background.
    const corners = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const ctx = new OffscreenCanvas(img.width, img.height).getContext('2d');
      if (!ctx) return [];
      ctx.drawImage(img, 0, 0);
      return [
        [1, 1],
        [img.width - 2, 1],
        [1, img.height - 2],
        [img.width - 2, img.height - 2],
      ].map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
    }, png.toString('base64'));
    assert.strictEqual(corners.length, 4);
    for (const [r, g, b, a] of corners) {
      assert.strictEqual(a, 255, `corner alpha ${a}: transparent background`);
      assert.ok(r > 200 && g > 200 && b > 200, `corner rgb(${r}, ${g}, ${b}) is not a light background`);
    }
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

  it('an edit that keeps T keeps the zoom and the selected step; one that changes T shows every step', async () => {
    const { page } = wb!;
    const name = LIVE;
    const original = fs.readFileSync(workspacePath(name), 'utf8');
    const before = referenceOf(original);
    // Open it in the editor's group, not the timeline's.
    await page.locator('.editor-group-container').first().locator('.tab.active').click();
    await openFile(page, name);
    frame = await findWebviewFrame(page, '.summary dl', 30_000);
    await waitForSummary(frame, 'L', formatNumber(before.trace.loss, 6), 'opened');
    await waitForSummary(frame, 'T', String(before.trace.T), 'opened');

    // Step 59 has a target; its y cell is where the edit goes.
    const t = 59;
    const lines = original.split('\n');
    const line = before.parsed.line[t - 1];
    assert.strictEqual(lines[line], '59,0.7602,0.3251');
    const column = '59,0.7602,0.'.length + 1; // before the '3' of y
    await goToLine(page, line + 1, column, name);
    await waitForCursor(page, line + 1, column);
    await waitForStep(frame, t);

    // Zoom in twice around the selected step from the keyboard.
    const charts = frame.locator('.charts');
    await charts.focus();
    await charts.press('+');
    await charts.press('+');
    await frame.waitForFunction(() => /^t \d+–\d+ of 60$/.test(document.querySelector('.zoom-info')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const zoomed = await zoomText(frame);
    const [, lo, hi] = /^t (\d+)–(\d+)/.exec(zoomed)!.map(Number);
    assert.ok(lo > 1 && lo <= t && t <= hi && hi - lo < 30, `zoomed to ${zoomed}`);
    await waitForStep(frame, t);

    // Type a digit into y: 0.3251 → 0.93251; T stays 60.
    lines[line] = '59,0.7602,0.93251';
    const edited = lines.join('\n');
    const after = referenceOf(edited);
    assert.strictEqual(after.trace.T, before.trace.T);
    const newL = formatNumber(after.trace.loss, 6);
    assert.notStrictEqual(newL, formatNumber(before.trace.loss, 6));
    // Back to the editor, whose cursor is still before the '3' (walking there again would move
    // the selection through every step and pan the zoomed charts).
    await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().click();
    await waitForCursor(page, line + 1, column);
    await page.keyboard.type('9');
    await waitForSummary(frame, 'L', newL, 'after the edit of y');
    await waitForSummary(frame, '∂L/∂w', formatNumber(after.trace.grads.w, 6), 'after the edit of y');
    assert.strictEqual(await zoomText(frame), zoomed, 'zoom range after an edit that keeps T');
    assert.strictEqual(await selectedStep(frame), t, 'selected step after an edit that keeps T');
    // The table shows the step's new numbers.
    await frame
      .waitForFunction(
        (y) => Array.from(document.querySelectorAll('.step tbody tr')).some((r) => r.querySelector('th')?.textContent === 'y_t' && r.querySelector('td')?.textContent === y),
        formatNumber(0.93251, 6),
        { timeout: 15_000 },
      )
      .catch(() => assert.fail('the step table does not show the new y_t'));
    await screenshot(page, 'timeline-live-edit');

    // Append a row: T becomes 61, and the charts show every step again.
    await page.keyboard.press('Control+End');
    await waitForCursor(page, lines.length, 1);
    await page.keyboard.insertText('61,0.1,0.2');
    await page.keyboard.press('Escape');
    const appended = referenceOf(edited + '61,0.1,0.2');
    assert.strictEqual(appended.trace.T, 61);
    await waitForSummary(frame, 'T', '61', 'after appending a row');
    await waitForSummary(frame, 'L', formatNumber(appended.trace.loss, 6), 'after appending a row');
    await frame
      .waitForFunction(() => document.querySelector('.zoom-info')?.textContent === 'all 61 steps', undefined, { timeout: 10_000 })
      .catch(async () => assert.fail(`zoom after T changed: ${await zoomText(frame)}`));
    await screenshot(page, 'timeline-live-append');
  });

  it('a long trace drawn as min/max per pixel: the legends show the selected step’s exact values, and a bucket’s range under the pointer', async () => {
    const { page } = wb!;
    const { trace } = referenceOf(longCsv());
    const T = LONG_T;
    await page.locator('.editor-group-container').first().locator('.tab.active').click();
    await openFile(page, LONG);
    frame = await findWebviewFrame(page, '.summary dl', 30_000);
    await waitForSummary(frame, 'T', String(T), 'opened');
    const charts = frame.locator('.charts');
    await charts.focus();
    await charts.press('End');
    await waitForStep(frame, T);
    // Step T: x = 0.5496, no target; the last bucket's x spans about −1…1, which the legend used to show as step T's.
    const v = stepValues(trace, T - 1);
    const exact = [String(T), formatNumber(v.x, 6), '—', formatNumber(v.yhat, 6), formatNumber(v.h, 6)];
    await frame
      .waitForFunction((want) => Array.from(document.querySelectorAll('.chart-signal .u-legend .u-value')).map((e) => e.textContent).join('|') === want.join('|'), exact, { timeout: 15_000 })
      .catch(async () => assert.fail(`signal legend at t = ${T}: ${(await legendValues(frame, 'signal')).join(' | ')}, expected ${exact.join(' | ')}`));
    // The gradient chart's legend is the step's too (log or linear, as drawn); the running sums have no exact value here.
    const gradient = await legendValues(frame, 'gradient');
    assert.strictEqual(gradient[0], String(T));
    assert.ok(gradient.every((e) => !e.includes('…')), `gradient legend: ${gradient.join(' | ')}`);
    assert.deepStrictEqual(await legendValues(frame, 'params'), [String(T), '—', '—']);
    await screenshot(page, 'timeline-long-selected');

    // Under the pointer at the right edge: the last bucket's steps and each series' min … max over them.
    const over = frame.locator('.chart-signal .u-over');
    const box = await over.boundingBox();
    assert.ok(box);
    await over.hover({ position: { x: box.width - 1, y: box.height / 2 } });
    await frame
      .waitForFunction((end) => new RegExp(`^\\d+–${end}$`).test(document.querySelector('.chart-signal .u-legend .u-value')?.textContent ?? ''), T, { timeout: 10_000 })
      .catch(async () => assert.fail(`signal legend under the pointer: ${(await legendValues(frame, 'signal')).join(' | ')}`));
    const hovered = await legendValues(frame, 'signal');
    const from = Number(/^(\d+)–/.exec(hovered[0])![1]);
    assert.ok(from > 1 && from < T, hovered[0]);
    const h = Array.from(trace.h.subarray(from - 1, T));
    assert.strictEqual(hovered[4], `${formatNumber(Math.min(...h), 6)} … ${formatNumber(Math.max(...h), 6)}`, `h_t over t = ${from}…${T}`);
    assert.ok(hovered[1].includes(' … '), `x_t: ${hovered[1]}`);
    // The synced charts say the same steps.
    assert.strictEqual((await legendValues(frame, 'params'))[0], hovered[0]);
    await screenshot(page, 'timeline-long-hover');
    // Off the charts again: the selected step's exact values.
    await frame.locator('.summary').hover();
    await frame
      .waitForFunction((want) => Array.from(document.querySelectorAll('.chart-signal .u-legend .u-value')).map((e) => e.textContent).join('|') === want.join('|'), exact, { timeout: 10_000 })
      .catch(async () => assert.fail(`signal legend after the pointer left: ${(await legendValues(frame, 'signal')).join(' | ')}`));
  });
});
