/**
 * A large vector-model document in the real workbench, in whichever extension host the launcher
 * asks for (Node, or the web worker host with BPTT_E2E_HOST=web): 30 000 rows naming the pytorch16
 * weights (n = 16) of samples/vector, over the 20 000 lines read in one getText(), so computed on
 * the worker (worker_threads or a Web Worker) with the weights read through workspace.fs. The
 * hover shows the kernel's numbers.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { runVectorBptt } from '../../src/core/vector/kernel';
import { vectorStepValues } from '../../src/core/vector/step';
import { parseVectorSequence, resolveVectorModel } from '../../src/parse/vector';
import { readTensorFile } from '../../src/parse/weights';
import { formatNumber } from '../../src/shared/format';
import { norm2 } from '../../src/core/vector/norm';
import { closeWorkbench, extensionHost, hoverLine, openFile, openWorkbench, runCommand, screenshot, waitForConsole, workspacePath, type Workbench } from './workbench';

const ROWS = 30_000;

function largeVectorCsv(): string {
  const rows = ['# bptt: weights=vector/pytorch16.safetensors phi=tanh theta=identity loss=squared reduction=mean', 'x1,x2,x3,x4,y'];
  for (let t = 1; t <= ROWS; t++) {
    const x = [Math.sin(t / 7), Math.cos(t / 5), Math.sin(t / 3) * 0.5, Math.cos(t / 13)].map((v) => v.toFixed(3));
    rows.push(`${x.join(',')},${t % 10 === 0 ? Math.sin(t / 17).toFixed(3) : ''}`);
  }
  return `${rows.join('\n')}\n`;
}

describe(`large vector model on the worker: ${extensionHost()} host (UI)`, () => {
  let wb: Workbench | undefined;

  before(async () => {
    // Before the workbench opens, so that Quick Open's file index has it.
    fs.writeFileSync(workspacePath('vector-large.csv'), largeVectorCsv());
    wb = await openWorkbench();
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it(`${ROWS.toLocaleString('en-US')} rows, n = 16: the worker computes it and the hover shows the kernel's ‖∂L/∂s_t‖`, async () => {
    const page = wb!.page;
    const text = fs.readFileSync(workspacePath('vector-large.csv'), 'utf8');
    const parsed = parseVectorSequence(text, 'csv');
    assert.deepStrictEqual(parsed.errors, []);
    const read = await readTensorFile(new Uint8Array(fs.readFileSync(workspacePath('vector', 'pytorch16.safetensors'))), 'pytorch16.safetensors');
    assert.ok(read.ok);
    const model = resolveVectorModel(parsed, read.tensors);
    assert.ok(model.ok);
    const trace = runVectorBptt(model.model, parsed);

    await openFile(page, 'vector-large.csv');
    const t0 = Date.now();
    await runCommand(page, 'BPTT Lens: Run Backward Pass');
    await waitForConsole(wb!, new RegExp(`\\[bptt-lens\\] worker computed ${ROWS} vector steps`), 300_000);
    const i = ROWS - 3;
    const v = vectorStepValues(trace, i);
    const hover = (await hoverLine(page, parsed.line[i] + 1, 3)).replace(/\u00a0/g, ' ');
    console.log(`      ${extensionHost()} host: vector ${ROWS} rows, n = 16, palette command to hover shown in ${Date.now() - t0} ms`);
    await page.waitForTimeout(500); // the hover fades in
    await screenshot(page, `vector-large-hover-${extensionHost()}`);
    assert.ok(hover.includes(`Step ${i + 1} of ${ROWS}`), hover);
    assert.ok(hover.includes(`‖∂L/∂s_t‖ = ${formatNumber(norm2(v.dL_ds), 6)}`), `‖∂L/∂s_t‖ = ${formatNumber(norm2(v.dL_ds), 6)} in:\n${hover}`);
    assert.ok(hover.includes('n = 16, m = 4, k = 1'), hover);
    // The file has a directive (a vector one): no notice that the scalar defaults were used.
    assert.strictEqual(await page.getByText('has no directive', { exact: false }).count(), 0, 'a "has no directive" notice is shown');
  });
});
