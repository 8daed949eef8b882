/**
 * The editor features as a person uses them, in the real workbench: open a sample with Quick
 * Open, run "BPTT Lens: Run Backward Pass" from the palette, hover a row, read the CodeLens and
 * the Problems panel. Numbers are compared with the core's; screenshots go to
 * BPTT_E2E_SCREENSHOTS (hover.png, codelens.png, problems.png).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { runBptt, stepValues } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { clickCodeLens, closeWorkbench, hoverLine, openFile, openWorkbench, problems, readCodeLenses, runCommand, screenshot, workspacePath, type Workbench } from './workbench';

function reference(name: string) {
  const text = fs.readFileSync(workspacePath(name), 'utf8');
  const parsed = parseSequence(text, name.endsWith('.json') ? 'json' : 'csv');
  assert.deepStrictEqual(parsed.errors, []);
  return { parsed, trace: runBptt(parsed.model, parsed) };
}

describe('editor features (UI)', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openWorkbench();
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it('hovering a row after "Run Backward Pass" shows ∂L/∂h_t and ∂L/∂s_t with the core’s numbers', async () => {
    const page = wb!.page;
    await openFile(page, 'textbook.csv');
    await runCommand(page, 'BPTT Lens: Run Backward Pass');
    const { parsed, trace } = reference('textbook.csv');
    const i = 2;
    const v = stepValues(trace, i);
    const text = (await hoverLine(page, parsed.line[i] + 1, 3)).replace(/\u00a0/g, ' ');
    await page.waitForTimeout(500); // the hover fades in
    await screenshot(page, 'hover');
    assert.ok(text.includes(`Step ${i + 1} of ${trace.T}`), text);
    const f = (n: number) => formatNumber(n, 6);
    assert.match(text, new RegExp(`∂L/∂h_t[^\\n]*\\n[\\s\\S]*= ${escape(f(v.dL_dh_local))} \\+ \\(?${escape(f(v.dL_dh_recurrent))}\\)? = ${escape(f(v.dL_dh))}`));
    assert.ok(text.includes(`= ${f(v.dL_ds)}`), `∂L/∂s_t = ${f(v.dL_ds)} in:\n${text}`);
    assert.ok(text.includes('Show in timeline'), text);
  });

  it('the CodeLens on the first line reads L and the gradients, and opens the timeline', async () => {
    const page = wb!.page;
    const { trace } = reference('textbook.csv');
    await page.keyboard.press('Escape');
    const lenses = await readCodeLenses(page);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    await screenshot(page, 'codelens');
    const summary = lenses.find((l) => l.startsWith('BPTT'));
    assert.ok(summary, JSON.stringify(lenses));
    assert.ok(summary.includes(`L=${formatNumber(trace.loss, 4)}`), summary);
    assert.ok(summary.includes(`∂L/∂w=${formatNumber(trace.grads.w, 4)}`), summary);
    assert.ok(lenses.includes('Export Trace…'), JSON.stringify(lenses));
    await clickCodeLens(page, 'BPTT');
    await page.waitForSelector('.tabs-container .tab[aria-label*="Timeline"]', { state: 'visible' });
  });

  it('vanishing gradients and parse errors are in the Problems panel', async () => {
    const page = wb!.page;
    fs.writeFileSync(workspacePath('broken.csv'), '# bptt: w=0.5 phi=tanhh\nx,y\n1,2\nabc,3\n');
    await openFile(page, 'vanishing.csv');
    await runCommand(page, 'BPTT Lens: Run Backward Pass');
    await openFile(page, 'broken.csv');
    await runCommand(page, 'BPTT Lens: Run Backward Pass');
    let rows = await problems(page);
    for (let k = 0; k < 50 && rows.length < 3; k++) {
      await page.waitForTimeout(200);
      rows = await problems(page);
    }
    await screenshot(page, 'problems');
    const labels = rows.map((r) => r.label || r.text);
    assert.ok(labels.some((l) => /Vanishing gradient: \|∂L\/∂s_t\| < 1e-6/.test(l)), JSON.stringify(labels));
    assert.ok(labels.some((l) => /unknown activation "tanhh"/.test(l)), JSON.stringify(labels));
    assert.ok(labels.some((l) => /abc/.test(l)), JSON.stringify(labels));
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
