/**
 * "Where the gradient goes" (issue 10) in the real workbench: on samples/truncation.csv with
 * truncate=5 the flow panel lists the cut points and the bias of each truncated gradient, equal to
 * src/flow's; on samples/vanishing.csv it shows the short horizon of each loss, the heat map, and a
 * click on a heat-map cell selects that step; the hover's factor line is w·φ'(s_t). Screenshots of
 * each state go to BPTT_E2E_SCREENSHOTS.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import type { Frame } from 'playwright-core';
import { runBptt } from '../../src/core';
import { compareGrads, flowInputs, flowSummary, runTruncated } from '../../src/flow';
import { parseSequence } from '../../src/parse';
import { cutPoints } from '../../src/shared/flowSeries';
import { closeWorkbench, findWebviewFrame, hoverLine, openFile, openWorkbench, runCommand, screenshot, workspacePath, type Workbench } from './workbench';

// Browser-side code below runs in the webview; the project's tsconfig has no DOM lib.
interface El {
  textContent: string | null;
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El>;
  scrollIntoView(): void;
}
declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };

/** truncation.csv with truncate=5 added to its directive (the sample itself compares nothing). */
const TRUNCATED = 'flow-truncation.csv';
const K = 5;

function reference(name: string): { parsed: ReturnType<typeof parseSequence>; trace: ReturnType<typeof runBptt> } {
  const parsed = parseSequence(fs.readFileSync(workspacePath(name), 'utf8'), 'csv');
  return { parsed, trace: runBptt(parsed.model, parsed) };
}

async function selectedStep(frame: Frame): Promise<number> {
  const caption = await frame.locator('.step caption').textContent({ timeout: 15_000 });
  return Number(/t = (\d+)/.exec(caption ?? '')?.[1]);
}

/** Opens the panel's collapsible charts (idempotent). */
async function openCharts(frame: Frame): Promise<void> {
  const more = frame.locator('details.flow-more');
  if ((await more.getAttribute('open')) === null) await frame.locator('details.flow-more > summary').click();
  await frame.waitForSelector('.flow .heatmap', { timeout: 20_000 });
}

describe('where the gradient goes (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let frame: Frame;

  before(async () => {
    // Written before the workbench starts, so Quick Open's file search knows it.
    const text = fs.readFileSync(workspacePath('truncation.csv'), 'utf8').replace(/^(# bptt:.*)$/m, `$1 truncate=${K}`);
    assert.ok(text.includes(`truncate=${K}`), 'the sample has a directive line');
    fs.writeFileSync(workspacePath(TRUNCATED), text);
    wb = await openWorkbench({ file: TRUNCATED });
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it('the hover’s factor line is w·φ′(s_t) of the step', async () => {
    const { page } = wb!;
    const { parsed, trace } = reference(TRUNCATED);
    const i = 9;
    const text = await hoverLine(page, parsed.line[i] + 1, 1);
    // The step the mouse landed on (the hover names it): its own φ'(s_t).
    const shown = Number(/Step (\d+) of/.exec(text)?.[1]);
    assert.ok(Math.abs(shown - (i + 1)) <= 2, `hovered step ${shown}, aimed at ${i + 1}`);
    const m = /∂s_\{t\+1\}\/∂s_t = w·φ'\(s_t\) = (\S+) · (\S+) = (\S+)/.exec(text);
    assert.ok(m, text);
    const s = trace.s[shown - 1];
    const phiPrime = 1 - Math.tanh(s) ** 2; // the sample's φ is tanh
    assert.strictEqual(trace.model.phi, 'tanh');
    const num = (x: string): number => Number(x.replace(/[()]/g, ''));
    assert.ok(Math.abs(num(m[1]) - trace.model.w) < 1e-9, `w ${m[1]}`);
    assert.ok(Math.abs(num(m[2]) - phiPrime) <= 1e-5 * Math.abs(phiPrime), `φ' ${m[2]} vs ${phiPrime}`);
    assert.ok(Math.abs(num(m[3]) - trace.model.w * phiPrime) <= 1e-5 * Math.abs(trace.model.w * phiPrime), `factor ${m[3]} vs ${trace.model.w * phiPrime}`);
    await screenshot(page, 'flow-hover');
  });

  it(`truncate=${K}: the cut points and each truncated gradient's bias, equal to src/flow's`, async () => {
    const { page } = wb!;
    const { parsed, trace } = reference(TRUNCATED);
    assert.strictEqual(parsed.truncation?.truncate, K);
    const cmp = compareGrads(runTruncated(parsed.model, parsed, K).grads, trace.grads);
    await runCommand(page, 'BPTT Lens: Show Timeline');
    frame = await findWebviewFrame(page, '.flow-truncation tbody', 90_000);
    const rows = await frame.evaluate(() =>
      Array.from(document.querySelectorAll('.flow-truncation tbody tr')).map((r) => Array.from(r.querySelectorAll('th, td')).map((c) => c.textContent ?? '')),
    );
    const w = rows.find((r) => r[0] === '∂L/∂w');
    assert.ok(w, `rows: ${JSON.stringify(rows)}`);
    const pct = (r: number): string => `${r > 0 ? '+' : ''}${(100 * r).toFixed(1)} %`;
    const bias = pct(cmp.w.relBias);
    assert.strictEqual(w[3], bias);
    // The figure the sample's header promises.
    assert.strictEqual(bias, '-44.2 %');
    assert.ok(Math.abs(Number(w[1]) - cmp.w.truncated) <= 1e-4 * Math.abs(cmp.w.full), `truncated ${w[1]} vs ${cmp.w.truncated}`);
    assert.ok(Math.abs(Number(w[2]) - cmp.w.full) <= 1e-4 * Math.abs(cmp.w.full), `full ${w[2]} vs ${cmp.w.full}`);
    for (const p of ['v', 'b', 'h0'] as const) {
      const r = rows.find((x) => x[0] === `∂L/∂${p}`);
      assert.ok(r, `row ∂L/∂${p}`);
      if (Number.isFinite(cmp[p].relBias)) assert.strictEqual(r[3], pct(cmp[p].relBias), `∂L/∂${p} bias`);
    }
    // The cut points, in words: detached after t = 5, 10, …
    const caption = (await frame.locator('.flow-truncation-what').textContent()) ?? '';
    const cuts = cutPoints(trace.T, K);
    assert.ok(cuts.length > 3);
    assert.ok(caption.includes(`t = ${cuts.slice(0, 3).join(', ')}, …, ${cuts[cuts.length - 1]}`), caption);
    await frame.locator('.flow h2').evaluate((h) => (h as unknown as El).scrollIntoView());
    await screenshot(page, 'flow-truncation');
    // The charts: the factor with the cut points, the bias against k.
    await openCharts(frame);
    await frame.waitForSelector('.flow-sweep canvas');
    const titles = await frame.evaluate(() => Array.from(document.querySelectorAll('.flow .chart-title')).map((t) => t.textContent ?? ''));
    assert.ok(titles.some((t) => t.includes('cut points')), titles.join(' | '));
    assert.ok(titles.some((t) => t.startsWith(`Bias of the truncate=k gradient`)), titles.join(' | '));
    await frame.locator('.flow .chart').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'flow-truncation-charts');
    await frame.locator('.flow-sweep').scrollIntoViewIfNeeded();
    await screenshot(page, 'flow-truncation-sweep');
  });

  it('vanishing: a short horizon equal to src/flow’s, the heat map, and a click on a cell selects its step', async () => {
    const { page } = wb!;
    const { trace } = reference('vanishing.csv');
    const hz = flowSummary(trace, flowInputs(trace)).horizons;
    // Opened beside the timeline (in the editor group of the truncation sample), the timeline follows it.
    await page.locator(`.tabs-container .tab[aria-label^="${TRUNCATED}"]`).first().click();
    await openFile(page, 'vanishing.csv');
    frame = await findWebviewFrame(page, '.flow-summary', 60_000);
    await frame.waitForFunction(
      (m) => Array.from(document.querySelectorAll('.flow-summary p')).some((p) => (p.textContent ?? '').includes(m)),
      `median ${hz.median} steps, max ${hz.max}`,
      { timeout: 60_000 },
    ).catch(async () => assert.fail(`flow summary: ${await frame.locator('.flow-summary').textContent()}`));
    assert.ok(hz.max < trace.T / 2, `a short horizon: max ${hz.max} of T = ${trace.T}`);
    await openCharts(frame);
    // Every chart is drawn at the panel's width, not at a size measured while it had none (the
    // |G(d)| chart once came out 94 × 47 px when this file replaced another one with the charts open).
    await frame.waitForSelector('.flow-lag canvas');
    const sizes = await frame.evaluate(() => {
      const panel = document.querySelector('.flow') as unknown as { clientWidth: number };
      return { panel: panel.clientWidth, charts: Array.from(document.querySelectorAll('.flow .chart .u-over')).map((c) => {
        const r = (c as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height)];
      }) };
    });
    console.log(`flow chart plot areas (panel ${sizes.panel} px wide): ${JSON.stringify(sizes.charts)}`);
    assert.ok(sizes.charts.length >= 2, JSON.stringify(sizes));
    for (const [w, h] of sizes.charts) assert.ok(w >= 0.6 * sizes.panel && h >= 60, `a chart's plot area is ${w} × ${h} px in a ${sizes.panel} px panel`);
    await frame.locator('.flow-lag').evaluate((e) => (e as unknown as El).scrollIntoView());
    await screenshot(page, 'flow-vanishing-lag');
    // The heat map is drawn and has its legend.
    const legend = await frame.evaluate(() => Array.from(document.querySelectorAll('.heat-legend .key-item')).map((i) => i.textContent ?? ''));
    assert.ok(legend.length >= 3 && legend[0].startsWith('0'), legend.join(' | '));
    const map = frame.locator('.flow .heatmap');
    // The map's title, caption and the map itself at the top of the panel.
    await frame.locator('.flow .heat h4').evaluate((h) => (h as unknown as El).scrollIntoView());
    await screenshot(page, 'flow-heatmap');
    const box = await map.boundingBox();
    assert.ok(box && box.width > 100, 'heat map size');
    const label = (await map.getAttribute('aria-label')) ?? '';
    const m = /t = (\d+)…(\d+)/.exec(label);
    assert.ok(m, label);
    const [from, to] = [Number(m[1]), Number(m[2])];
    const before = await selectedStep(frame);
    // A column a quarter of the way across: a step other than the selected one.
    const col = Math.floor(0.25 * (to - from + 1));
    const want = from + col;
    assert.notStrictEqual(want, before);
    await map.click({ position: { x: ((col + 0.5) / (to - from + 1)) * box.width, y: 0.75 * box.height } });
    await frame
      .waitForFunction((t) => document.querySelector('.step caption')?.textContent?.includes(`t = ${t} `) ?? false, want, { timeout: 15_000 })
      .catch(async () => assert.fail(`selected ${await selectedStep(frame)}, expected ${want}`));
    await frame.waitForFunction((t) => document.querySelector('.flow-step h3')?.textContent?.includes(`t = ${t}:`) ?? false, want, { timeout: 15_000 });
    await map.scrollIntoViewIfNeeded();
    await screenshot(page, 'flow-heatmap-click');
  });

});
