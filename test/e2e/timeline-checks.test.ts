/**
 * Check my gradients in the timeline (issue 9), in the real workbench: the student's derivation
 * in samples/check-derivation.csv (φ' where θ' belongs in ∂L/∂h_t) shows a ✗ for dL_dh in the
 * checks strip with its diagnosis, the user's series dashed over the exact ones, and a click on
 * the failing claim selects the step where the error enters and shows its row in the editor.
 * Screenshots go to BPTT_E2E_SCREENSHOTS.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import { runChecks } from '../../src/check';
import { runBptt } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { closeWorkbench, findWebviewFrame, openWorkbench, runCommand, screenshot, screenshotsDir, workspacePath, type Workbench } from './workbench';

// Browser-side code below runs in the webview; the project's tsconfig has no DOM lib.
interface El {
  textContent: string | null;
  className: string;
}
declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };

const SAMPLE = 'check-derivation.csv';

/** The engine's verdict on the sample, computed here independently of the extension. */
function expected(): { t: number; line: number; claims: { quantity: string; ok: boolean }[] } {
  const text = fs.readFileSync(workspacePath(SAMPLE), 'utf8');
  const parsed = parseSequence(text, 'csv');
  const trace = runBptt(parsed.model, parsed);
  const report = runChecks(parsed, trace);
  const bad = report.claims.find((c) => !c.ok);
  assert.ok(bad?.firstMismatch?.t != null && bad.firstMismatch.line != null, 'the sample has a failing per-step claim');
  return { t: bad.firstMismatch.t, line: bad.firstMismatch.line + 1, claims: report.claims.map((c) => ({ quantity: c.quantity, ok: c.ok })) };
}

async function legendLabels(frame: Frame, chart: string): Promise<string[]> {
  return frame.evaluate((c) => Array.from(document.querySelectorAll(`.chart-${c} .u-legend .u-series th`)).map((v) => v.textContent ?? ''), chart);
}

describe('timeline checks (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let frame: Frame;
  const want = (): ReturnType<typeof expected> => expected();

  before(async () => {
    wb = await openWorkbench({ file: SAMPLE });
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it('lists every claim with ✓/✗: dL_dh fails, named phi_prime_for_theta_prime; the others hold', async () => {
    const { page } = wb!;
    await runCommand(page, 'BPTT Lens: Show Timeline');
    frame = await findWebviewFrame(page, '.checks .claim', 60_000);
    const rows = await frame.evaluate(() => Array.from(document.querySelectorAll('.checks .claim')).map((r) => [r.className, r.textContent ?? ''] as const));
    const { claims } = want();
    assert.strictEqual(rows.length, claims.length, rows.map((r) => r[1]).join(' | '));
    claims.forEach((c, i) => {
      const [cls, text] = rows[i];
      assert.ok(text.startsWith(`${c.ok ? '✓' : '✗'}${c.quantity} (`), text);
      assert.ok(cls.includes(c.ok ? 'ok' : 'bad'), cls);
    });
    const [cls, text] = rows[0];
    assert.ok(cls.includes('bad') && text.includes('dL_dh (formula, line 4)') && text.includes('phi_prime_for_theta_prime'), text);
    assert.ok(text.includes(`error enters at t = ${want().t}`), text);
    const title = (await frame.locator('.checks-title').textContent()) ?? '';
    assert.ok(title.includes('2 ✓ 1 ✗'), title);
  });

  it('draws the user’s ∂L/∂h_t and ∂L/∂s_t dashed over the exact ones, with rings where they differ', async () => {
    const labels = await legendLabels(frame, 'gradient');
    assert.ok(labels.some((l) => l.includes('yours: dL_dh (formula, line 4)')), labels.join(' | '));
    assert.ok(labels.some((l) => l.includes('yours: dL_ds (formula, line 5)')), labels.join(' | '));
    assert.ok(labels.some((l) => l.includes('✗ yours ≠ exact')), labels.join(' | '));
    await screenshot(wb!.page, 'timeline-checks-strip');
  });

  it('clicking the failing claim selects the step where its error enters and shows its row in the editor', async () => {
    const { page } = wb!;
    const { t, line } = want();
    const onLine = (timeout: number) =>
      // The status bar names the cursor's line only while an editor has the focus; the gutter's
      // active line number is there either way (the reveal leaves the focus in the panel).
      page.waitForFunction(
        (w) =>
          ((document.querySelector('.part.statusbar') as El | null)?.textContent?.includes(`Ln ${w},`) ?? false) ||
          Array.from(document.querySelectorAll('.monaco-editor .line-numbers.active-line-number')).some((n) => n.textContent?.trim() === String(w)),
        line,
        { timeout },
      ).then(
        () => true,
        () => false,
      );
    // A click that lands while the panel still applies the editor's initial cursor can be undone by
    // it; a person would click again, and so does the test (once).
    await frame.locator('.checks .claim.bad button').first().click();
    if (!(await onLine(5_000))) await frame.locator('.checks .claim.bad button').first().click();
    await frame.waitForFunction((w) => document.querySelector('.step caption')?.textContent?.includes(`t = ${w} `) ?? false, t, { timeout: 15_000 });
    if (!(await onLine(15_000))) {
      const bar = await page.evaluate(() => document.querySelector('.part.statusbar')?.textContent ?? '');
      assert.fail(`editor cursor is not on line ${line}; status bar: ${bar}`);
    }
    // The gradient legend now reads step t: the ring's value is the user's (wrong) ∂L/∂h_t there.
    const values = await frame.evaluate(() => Array.from(document.querySelectorAll('.chart-gradient .u-legend .u-value')).map((v) => v.textContent ?? ''));
    assert.strictEqual(values[0], String(t));
    await page.waitForTimeout(300);
    await screenshot(page, 'timeline-checks');
    const iframe = await frame.frameElement();
    const file = path.join(screenshotsDir(), 'timeline-checks-panel.png');
    await iframe.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 10_000);
  });
});
