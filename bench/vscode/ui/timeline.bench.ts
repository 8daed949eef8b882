/**
 * Timeline webview figures in the real workbench (VS Code 1.100.3 via code-server, Chromium via
 * playwright-core), for a 10⁶-step trace next to a 10³-step one. Runs in Node under mocha,
 * started by `scripts/test-vscode.mjs --bench` (`npm run bench`) after the extension-host bench.
 *
 *   - first paint after the trace arrives: the webview's own `bptt:firstPaint` measure (from the
 *     `didComputeTrace` message to the next animation frame after the charts are built);
 *   - redraw per frame while zooming (wheel), panning (Shift+wheel) and drag-zooming: the webview's
 *     `bptt:draw` measures (one per chart draw), grouped into frames; plus the input handler time
 *     (event → charts redrawn) and event → next animation frame, from listeners this bench adds;
 *   - the size of the overview message for T = 10⁶ and T = 10³ (bounded by the chart width, not T),
 *     read from the messages the webview receives.
 * Targets in the printout: first paint ≤ 300 ms, redraw ≤ 16 ms per frame. Writes
 * test-results/perf/timeline.json. Fails only on functional breakage, never on time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { closeWorkbench, findWebviewFrame, openFile, openWorkbench, runCommand, screenshot, workspacePath, type Workbench } from '../../../test/e2e/workbench';

const BIG = 'bench-1e6.csv';
const SMALL = 'bench-1e3.csv';
const T_BIG = 1_000_000;
const T_SMALL = 1_000;
const SWITCHES = 3;
const TARGET = { firstPaintMs: 300, frameMs: 16 };

// ---------------------------------------------------------------- browser-side declarations
// Functions passed to frame.evaluate run in the webview; the project's tsconfig has no DOM lib.
interface MessageRecord {
  type: string;
  T: number | null;
  points: number;
  overviewBytes: number;
  summaryBytes: number;
}
interface InputRecord {
  type: string;
  handlerMs: number;
  toFrameMs: number;
}
interface BenchState {
  messages: MessageRecord[];
  inputs: InputRecord[];
  t0: number;
}
interface El {
  textContent: string | null;
  clientWidth: number;
  querySelector(s: string): El | null;
}
declare const window: {
  __bpttBench?: BenchState;
  addEventListener(type: string, f: (e: { data?: unknown }) => void, capture?: boolean): void;
};
declare const document: { getElementById(id: string): El | null; querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };
declare const performance: {
  now(): number;
  getEntriesByName(n: string): { startTime: number; duration: number }[];
  clearMeasures(n?: string): void;
};
declare function requestAnimationFrame(f: () => void): number;

// ---------------------------------------------------------------- Node side

/** A CSV of `rows` steps with a directive (so it runs when opened), a target every 10th row. */
function writeCsv(name: string, rows: number): void {
  const fd = fs.openSync(workspacePath(name), 'w');
  try {
    fs.writeSync(fd, `# bptt: w=0.9 v=0.5 phi=tanh\nx,y\n`);
    for (let k0 = 0; k0 < rows; k0 += 10_000) {
      let chunk = '';
      for (let k = k0; k < Math.min(rows, k0 + 10_000); k++) {
        const x = (Math.sin(k / 5000) + 0.3 * Math.sin(k * 1.3)).toFixed(5);
        chunk += k % 10 === 9 ? `${x},${Math.cos(k / 3000).toFixed(4)}\n` : `${x},\n`;
      }
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function perfDir(): string {
  return process.env.BPTT_PERF_DIR || path.resolve(__dirname, '../../../../test-results/perf');
}

function stats(xs: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number): number => (s.length ? +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2) : NaN);
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.length ? +s[s.length - 1].toFixed(2) : NaN };
}

/**
 * Groups `bptt:draw` measures (one per chart) into frames: the three charts draw one after another
 * in the same task; the next frame starts after a gap. Per frame: first start → last end.
 */
function frames(draws: { startTime: number; duration: number }[]): number[] {
  const sorted = [...draws].sort((a, b) => a.startTime - b.startTime);
  const out: number[] = [];
  let start = -Infinity;
  let end = -Infinity;
  for (const d of sorted) {
    if (d.startTime > end + 4) {
      if (end > start) out.push(end - start);
      start = d.startTime;
    }
    end = Math.max(end, d.startTime + d.duration);
  }
  if (end > start && Number.isFinite(start)) out.push(end - start);
  return out;
}

/** Listeners in the webview: messages it receives (sizes) and input → redraw → frame times. */
async function instrument(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    if (window.__bpttBench) return;
    const b: BenchState = { messages: [], inputs: [], t0: 0 };
    window.__bpttBench = b;
    const bytesOf = (w: { t?: { byteLength?: number; length?: number }; values?: Record<string, { byteLength?: number; length?: number }> } | undefined): number => {
      if (!w) return 0;
      const one = (a: { byteLength?: number; length?: number } | undefined): number => (a ? (a.byteLength ?? (a.length ?? 0) * 8) : 0);
      return one(w.t) + Object.values(w.values ?? {}).reduce((n, a) => n + one(a), 0);
    };
    window.addEventListener(
      'message',
      (e) => {
        const m = e.data as { type?: string; summary?: { T: number }; overview?: { t: { length: number } }; window?: { t: { length: number } } } | undefined;
        if (m?.type !== 'didComputeTrace' && m?.type !== 'didLoadWindow') return;
        const w = (m.type === 'didComputeTrace' ? m.overview : m.window) as Parameters<typeof bytesOf>[0];
        b.messages.push({
          type: m.type,
          T: m.summary?.T ?? null,
          points: w?.t?.length ?? 0,
          overviewBytes: bytesOf(w),
          summaryBytes: m.summary ? JSON.stringify(m.summary).length : 0,
        });
      },
      true,
    );
    // Capture on window runs before the chart's own handler; bubble on window after it and after
    // the microtasks in which uPlot redraws. Then the next animation frame.
    for (const type of ['wheel', 'mouseup', 'dblclick']) {
      window.addEventListener(type, () => (b.t0 = performance.now()), true);
      window.addEventListener(
        type,
        () => {
          const t0 = b.t0;
          const handlerMs = performance.now() - t0;
          requestAnimationFrame(() => b.inputs.push({ type, handlerMs, toFrameMs: performance.now() - t0 }));
        },
        false,
      );
    }
  });
}

async function shownT(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    const items = Array.from(document.querySelectorAll('.summary .item'));
    const item = items.find((i) => i.querySelector('dt')?.textContent === 'T');
    return Number(item?.querySelector('dd')?.textContent ?? NaN);
  });
}

async function firstPaints(frame: Frame): Promise<number[]> {
  return frame.evaluate(() => performance.getEntriesByName('bptt:firstPaint').map((e) => e.duration));
}

/** Activates `name`'s editor tab (the timeline follows it) and returns the first paint of its trace. */
async function switchTo(page: Page, frame: Frame, name: string, T: number): Promise<number> {
  const before = (await firstPaints(frame)).length;
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().click();
  await frame.waitForFunction(
    ({ T, n }) => {
      const items = Array.from(document.querySelectorAll('.summary .item'));
      const item = items.find((i) => i.querySelector('dt')?.textContent === 'T');
      return item?.querySelector('dd')?.textContent === String(T) && performance.getEntriesByName('bptt:firstPaint').length > n;
    },
    { T, n: before },
    { timeout: 120_000 },
  );
  const all = await firstPaints(frame);
  return all[all.length - 1];
}

interface Gesture {
  name: string;
  frames: number[];
  inputs: InputRecord[];
  zoomInfo: string;
}

describe('Timeline webview in the workbench (10⁶ steps)', function () {
  this.timeout(600_000);
  let wb: Workbench | undefined;
  let frame: Frame;
  const results: Record<string, unknown> = { targets: TARGET };

  before(async () => {
    writeCsv(BIG, T_BIG);
    writeCsv(SMALL, T_SMALL);
    wb = await openWorkbench({ file: SMALL, viewport: { width: 1600, height: 1000 } });
  });

  after(async () => {
    fs.mkdirSync(perfDir(), { recursive: true });
    fs.writeFileSync(path.join(perfDir(), 'timeline.json'), JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2));
    await closeWorkbench(wb);
  });

  it('first paint and overview message size, T = 10⁶ vs T = 10³', async () => {
    const { page } = wb!;
    await runCommand(page, 'BPTT Lens: Show Timeline');
    frame = await findWebviewFrame(page, '.summary dl', 60_000);
    await instrument(frame);
    await frame.waitForFunction((T) => document.querySelector('.summary dd')?.textContent === String(T), T_SMALL, { timeout: 60_000 });
    // Open the big file in the editor's group (not the timeline's), then switch back and forth.
    await page.locator(`.tabs-container .tab[aria-label^="${SMALL}"]`).first().click();
    let t = Date.now();
    await openFile(page, BIG);
    const firstOpen = { openToPaintMs: 0, firstPaintMs: 0 };
    await frame.waitForFunction((T) => document.querySelector('.summary dd')?.textContent === String(T), T_BIG, { timeout: 180_000 });
    firstOpen.openToPaintMs = Date.now() - t;
    firstOpen.firstPaintMs = +(await firstPaints(frame)).slice(-1)[0].toFixed(1);
    const paints: Record<string, number[]> = { [T_SMALL]: [], [T_BIG]: [] };
    const switchMs: Record<string, number[]> = { [T_SMALL]: [], [T_BIG]: [] };
    for (let k = 0; k < SWITCHES; k++) {
      for (const [name, T] of [[SMALL, T_SMALL], [BIG, T_BIG]] as const) {
        t = Date.now();
        paints[T].push(+(await switchTo(page, frame, name, T)).toFixed(1));
        switchMs[T].push(Date.now() - t);
      }
    }
    assert.strictEqual(await shownT(frame), T_BIG);
    await screenshot(page, 'bench-timeline-1e6');

    const messages = await frame.evaluate(() => window.__bpttBench!.messages);
    const last = (T: number): MessageRecord | undefined => messages.filter((m) => m.type === 'didComputeTrace' && m.T === T).pop();
    const big = last(T_BIG);
    const small = last(T_SMALL);
    assert.ok(big && small, `didComputeTrace messages seen: ${JSON.stringify(messages)}`);
    assert.ok(big.points > 0 && big.overviewBytes > 0, 'the 10⁶-step overview has points');
    const chartWidth = await frame.evaluate(() => document.getElementById('app')?.clientWidth ?? 0);
    results.chartWidthPx = chartWidth;
    results.firstOpenBig = firstOpen;
    results.firstPaintMs = { [T_SMALL]: paints[T_SMALL], [T_BIG]: paints[T_BIG] };
    results.switchToPaintedMs = switchMs;
    results.overview = {
      [T_SMALL]: { points: small.points, bytes: small.overviewBytes, summaryBytes: small.summaryBytes },
      [T_BIG]: { points: big.points, bytes: big.overviewBytes, summaryBytes: big.summaryBytes },
      bytesRatio: +(big.overviewBytes / small.overviewBytes).toFixed(2),
      pointsPerPixel: +(big.points / chartWidth).toFixed(2),
    };
  });

  it('zoom (wheel), pan (Shift+wheel) and drag-zoom redraw per frame at T = 10⁶', async () => {
    const { page } = wb!;
    const over = frame.locator('.u-over').nth(1);
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    assert.ok(box, 'the gradient chart is on screen');
    const cx = box.x + box.width * 0.5;
    const cy = box.y + box.height * 0.5;
    const zoomInfo = (): Promise<string> => frame.locator('.zoom-info').innerText();

    const gesture = async (name: string, act: () => Promise<void>): Promise<Gesture> => {
      await frame.evaluate(() => {
        performance.clearMeasures('bptt:draw');
        window.__bpttBench!.inputs = [];
      });
      await act();
      await page.waitForTimeout(600); // window requests (80 ms debounce) answered and drawn
      const draws = await frame.evaluate(() => performance.getEntriesByName('bptt:draw').map((e) => ({ startTime: e.startTime, duration: e.duration })));
      const inputs = await frame.evaluate(() => window.__bpttBench!.inputs);
      return { name, frames: frames(draws), inputs, zoomInfo: await zoomInfo() };
    };
    const wheel = async (n: number, dy: number, shift = false): Promise<void> => {
      await page.mouse.move(cx, cy);
      if (shift) await page.keyboard.down('Shift');
      for (let k = 0; k < n; k++) {
        await page.mouse.wheel(0, dy);
        await page.waitForTimeout(60);
      }
      if (shift) await page.keyboard.up('Shift');
    };
    const reset = async (): Promise<void> => {
      await over.dblclick({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
      await frame.waitForFunction((T) => document.querySelector('.zoom-info')?.textContent === `all ${T} steps`, T_BIG, { timeout: 10_000 });
    };

    /**
     * What the charts really show: the t in the legend (live under the pointer) at the plot's left
     * and right edges, against the range the toolbar claims. A mismatch is a functional failure.
     * Where a pixel holds many steps the legend names them as a range ("500407–500424"): its
     * first step at the left edge, its last at the right.
     */
    const mismatches: string[] = [];
    const checkShown = async (after: string): Promise<void> => {
      const legendT = async (fx: number, end: 'first' | 'last'): Promise<number> => {
        await page.mouse.move(box.x + box.width * fx, cy, { steps: 2 });
        await page.waitForTimeout(50);
        const text = await frame.evaluate(() => document.querySelectorAll('.u-legend')[1]?.querySelector('.u-series .u-value')?.textContent ?? '');
        const steps = text.split('–').map((x) => Number(x.replace(/[^\d.-]/g, '')));
        return steps.length === 1 || steps.length === 2 ? steps[end === 'first' ? 0 : steps.length - 1] : NaN;
      };
      const left = await legendT(0.002, 'first');
      const right = await legendT(0.998, 'last');
      await page.mouse.move(5, 5);
      const info = await zoomInfo();
      const m = /^t (\d+)–(\d+) of/.exec(info);
      const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : /^all/.test(info) ? [1, T_BIG] : [NaN, NaN];
      const tol = Math.max(2, 0.03 * (hi - lo));
      if (!(Math.abs(left - lo) <= tol && Math.abs(right - hi) <= tol)) {
        mismatches.push(`after ${after}: the toolbar says "${info}" but the charts show t ≈ ${left}…${right}`);
      }
    };

    await reset();
    await checkShown('double-click reset');
    const gestures: Gesture[] = [];
    const drags: string[] = [];
    // 0.8³⁰ · 10⁶ ≈ 1200 steps: from the overview down to full resolution.
    gestures.push(await gesture('wheel zoom in ×30', () => wheel(30, -100)));
    await checkShown('wheel zoom in');
    const zoomedIn = gestures[0].zoomInfo;
    assert.match(zoomedIn, /^t \d+–\d+ of 1000000$/, `zoomed in: ${zoomedIn}`);
    const [lo, hi] = /t (\d+)–(\d+)/.exec(zoomedIn)!.slice(1).map(Number);
    assert.ok(hi - lo < 5000, `30 wheel steps zoom in below 5000 steps (${zoomedIn})`);
    gestures.push(await gesture('Shift+wheel pan ×20', () => wheel(20, 100, true)));
    assert.notStrictEqual(gestures[1].zoomInfo, zoomedIn, 'panning moved the range');
    await checkShown('Shift+wheel pan');
    gestures.push(await gesture('wheel zoom out ×30', () => wheel(30, 100)));
    await checkShown('wheel zoom out');
    await reset();
    gestures.push(
      await gesture('drag-zoom ×4', async () => {
        for (let k = 0; k < 4; k++) {
          const x0 = box.x + box.width * (0.3 + 0.05 * k);
          await page.mouse.move(x0, cy);
          await page.mouse.down();
          await page.mouse.move(x0 + box.width * 0.2, cy, { steps: 6 });
          await page.mouse.up();
          await page.waitForTimeout(250);
          drags.push(await zoomInfo());
        }
      }),
    );
    assert.match(gestures[3].zoomInfo, /^t \d+–\d+ of 1000000$/, `drag-zoomed: ${gestures[3].zoomInfo}`);
    await checkShown('drag-zoom');
    console.log(`      drag-zoom ranges: ${drags.join(' → ')}`);
    await screenshot(page, 'bench-timeline-zoomed');
    gestures.push(await gesture('double-click reset ×1', reset));
    await checkShown('double-click reset after drag-zoom');
    await screenshot(page, 'bench-timeline-reset');

    const all = gestures.flatMap((g) => g.frames);
    const handler = gestures.flatMap((g) => g.inputs.map((i) => i.handlerMs));
    const toFrame = gestures.flatMap((g) => g.inputs.map((i) => i.toFrameMs));
    results.redraw = {
      perGesture: gestures.map((g) => ({ name: g.name, frames: stats(g.frames), handlerMs: stats(g.inputs.map((i) => i.handlerMs)), toFrameMs: stats(g.inputs.map((i) => i.toFrameMs)) })),
      framesMs: stats(all),
      inputHandlerMs: stats(handler),
      inputToFrameMs: stats(toFrame),
    };
    results.rangeMismatches = mismatches;
    assert.ok(all.length > 0, 'the charts redrew while zooming');
    assert.deepStrictEqual(mismatches, [], 'the charts show the range the toolbar reports');
  });

  after(() => {
    const r = results as {
      chartWidthPx?: number;
      firstOpenBig?: { openToPaintMs: number; firstPaintMs: number };
      firstPaintMs?: Record<string, number[]>;
      switchToPaintedMs?: Record<string, number[]>;
      overview?: Record<string, { points: number; bytes: number; summaryBytes: number }> & { bytesRatio: number; pointsPerPixel: number };
      redraw?: { perGesture: { name: string; frames: ReturnType<typeof stats>; handlerMs: ReturnType<typeof stats> }[]; framesMs: ReturnType<typeof stats>; inputHandlerMs: ReturnType<typeof stats>; inputToFrameMs: ReturnType<typeof stats> };
    };
    const ok = (v: number, target: number): string => (v <= target ? 'ok' : 'OVER');
    const lines = [`timeline webview (chart width ${r.chartWidthPx ?? '?'} px)`];
    if (r.firstPaintMs) {
      const big = r.firstPaintMs[T_BIG];
      const worst = Math.max(...big);
      lines.push(
        `  first paint, T = 10⁶ (per switch)    ${big.join(', ')} ms   target ≤ ${TARGET.firstPaintMs} ms: ${ok(worst, TARGET.firstPaintMs)}`,
        `  first paint, T = 10³ (per switch)    ${r.firstPaintMs[T_SMALL].join(', ')} ms`,
        `  first paint, T = 10⁶ on first open   ${r.firstOpenBig?.firstPaintMs} ms (open → painted ${r.firstOpenBig?.openToPaintMs} ms)`,
        `  tab switch → painted, 10⁶ / 10³      ${r.switchToPaintedMs?.[T_BIG].join(', ')} / ${r.switchToPaintedMs?.[T_SMALL].join(', ')} ms`,
      );
    }
    if (r.overview) {
      const o = r.overview;
      lines.push(
        `  overview message, T = 10³            ${o[T_SMALL].points} points, ${(o[T_SMALL].bytes / 1024).toFixed(1)} KiB (+ ${o[T_SMALL].summaryBytes} B summary)`,
        `  overview message, T = 10⁶            ${o[T_BIG].points} points, ${(o[T_BIG].bytes / 1024).toFixed(1)} KiB (+ ${o[T_BIG].summaryBytes} B summary)`,
        `  size ratio 10⁶ / 10³                 ${o.bytesRatio}× for 1000× the steps; ${o.pointsPerPixel} points per chart pixel`,
      );
    }
    if (r.redraw) {
      for (const g of r.redraw.perGesture) {
        lines.push(`  ${g.name.padEnd(37)}${g.frames.n} frames, draw p50/p95/max ${g.frames.p50} / ${g.frames.p95} / ${g.frames.max} ms; handler p50/max ${g.handlerMs.p50} / ${g.handlerMs.max} ms`);
      }
      const f = r.redraw.framesMs;
      lines.push(
        `  redraw per frame, all gestures       p50/p95/max ${f.p50} / ${f.p95} / ${f.max} ms (${f.n} frames)   target ≤ ${TARGET.frameMs} ms: ${ok(f.p95, TARGET.frameMs)} (p95)`,
        `  input → redrawn (handler)            p50/p95/max ${r.redraw.inputHandlerMs.p50} / ${r.redraw.inputHandlerMs.p95} / ${r.redraw.inputHandlerMs.max} ms`,
        `  input → next animation frame         p50/p95/max ${r.redraw.inputToFrameMs.p50} / ${r.redraw.inputToFrameMs.p95} / ${r.redraw.inputToFrameMs.max} ms`,
      );
    }
    console.log(lines.join('\n'));
  });
});
