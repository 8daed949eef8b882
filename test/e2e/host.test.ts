/**
 * Which extension host ran the extension, and its worker, in the real workbench. The launcher runs
 * every UI test twice: with the extension in the Node extension host (`main`) and in the web worker
 * extension host (`browser`, as on vscode.dev; BPTT_E2E_HOST=web). Here: the host really is the one
 * asked for (in the web host `typeof process` is 'undefined', a real Web Worker), and a document
 * too large to read in one piece is computed on the worker (worker_threads or a Web Worker) with
 * the core's numbers in its hovers.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { runBptt, stepValues } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { closeWorkbench, extensionHost, hoverLine, openFile, openWorkbench, runCommand, screenshot, waitForConsole, workspacePath, type Workbench } from './workbench';

/**
 * Rows of the large file: over the 20 000 lines the extension reads in one getText(), so always on
 * the worker. BPTT_HOST_ROWS=1000000 gives the figure BENCHMARKS.md compares between the hosts.
 */
const ROWS = Number(process.env.BPTT_HOST_ROWS ?? 30_000);

function largeCsv(): string {
  const rows = ['# bptt: w=0.9 v=0.5 phi=tanh theta=identity loss=squared reduction=sum', 'x,y'];
  for (let t = 1; t <= ROWS; t++) rows.push(`${Math.sin(t / 7).toFixed(4)},${t % 5 === 0 ? '' : Math.cos(t / 11).toFixed(4)}`);
  return `${rows.join('\n')}\n`;
}

describe(`extension host: ${extensionHost()} (UI)`, () => {
  const host = extensionHost();
  let wb: Workbench | undefined;

  before(async () => {
    // Before the workbench opens, so that Quick Open's file index has it.
    fs.writeFileSync(workspacePath('large-worker.csv'), largeCsv());
    wb = await openWorkbench();
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it(`activates in the ${host} extension host (typeof process: ${host === 'web' ? 'undefined' : 'object'})`, async () => {
    await openFile(wb!.page, 'textbook.csv');
    const activated = /BPTT Lens activated in the (node|web) extension host \(typeof process: (\w+)\)/;
    await waitForConsole(wb!, activated, 60_000);
    await wb!.page.waitForTimeout(1000); // a second activation, in the other host, would show by now
    const lines = wb!.console.filter((l) => activated.test(l));
    assert.strictEqual(lines.length, 1, `activated exactly once:\n${lines.join('\n')}`);
    const m = activated.exec(lines[0])!;
    assert.strictEqual(m[1], host, m[0]);
    assert.strictEqual(m[2], host === 'web' ? 'undefined' : 'object', m[0]);
  });

  it(`computes a ${ROWS.toLocaleString('en-US')}-row file on the worker, with the core’s numbers in its hovers`, async () => {
    const page = wb!.page;
    const text = fs.readFileSync(workspacePath('large-worker.csv'), 'utf8');
    const parsed = parseSequence(text, 'csv');
    assert.deepStrictEqual(parsed.errors, []);
    const trace = runBptt(parsed.model, parsed);
    // Opening a document this long starts the worker, before any run asks for it (textbook.csv did not).
    const started = /\[bptt-lens\] worker started/;
    assert.ok(!wb!.console.some((l) => started.test(l)), 'no worker before the large file opens');
    await openFile(page, 'large-worker.csv');
    await waitForConsole(wb!, started, 60_000);
    const t0 = Date.now();
    await runCommand(page, 'BPTT Lens: Run Backward Pass');
    await waitForConsole(wb!, new RegExp(`\\[bptt-lens\\] worker computed ${ROWS} steps`), 300_000);
    const i = ROWS - 3;
    const v = stepValues(trace, i);
    const hover = (await hoverLine(page, parsed.line[i] + 1, 3)).replace(/\u00a0/g, ' ');
    // A figure for BENCHMARKS.md (through the UI, so an upper bound), not an assertion.
    console.log(`      ${host} host: ${ROWS} rows, palette command to hover shown in ${Date.now() - t0} ms`);
    await page.waitForTimeout(500); // the hover fades in
    await screenshot(page, 'large-hover');
    assert.ok(hover.includes(`Step ${i + 1} of ${ROWS}`), hover);
    assert.ok(hover.includes(`= ${formatNumber(v.dL_ds, 6)}`), `∂L/∂s_t = ${formatNumber(v.dL_ds, 6)} in:\n${hover}`);
  });
});
