/**
 * "Check my gradients" as a student meets it: open a derivation with the φ′ slip, see the
 * diagnosis in the Problems panel, open the Quick Fix menu on the formula (Ctrl+.) and apply it.
 * Screenshots: check-problems.png, check-quickfix.png, check-fixed.png (BPTT_E2E_SCREENSHOTS).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { closeWorkbench, hoverLine, openFile, openWorkbench, problems, screenshot, workspacePath, type Workbench } from './workbench';

const FILE = 'check-derivation-ui.csv';
const isSlip = (l: string): boolean => /dL_dh is wrong from t = 8/.test(l) && /phi_prime_for_theta_prime/.test(l);

describe('check my gradients (UI)', () => {
  let wb: Workbench | undefined;

  before(async () => {
    fs.copyFileSync(workspacePath('check-derivation.csv'), workspacePath(FILE));
    wb = await openWorkbench();
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it('the φ′ slip is in the Problems panel, and its Quick Fix makes the check pass', async () => {
    const page = wb!.page;
    await openFile(page, FILE);
    let rows = await problems(page);
    for (let k = 0; k < 50 && !rows.some((r) => isSlip(r.label || r.text)); k++) {
      await page.waitForTimeout(200);
      rows = await problems(page);
    }
    const labels = rows.map((r) => r.label || r.text);
    assert.ok(labels.some(isSlip), JSON.stringify(labels));
    await page.mouse.move(5, 5);
    await screenshot(page, 'check-problems');

    // The cursor on the formula (line 4), then Ctrl+. opens the Quick Fix menu.
    await hoverLine(page, 4, 30);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+.');
    const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace with the correct formula' }).first();
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForTimeout(300);
    await screenshot(page, 'check-quickfix');
    // The fix is the menu's first (and preferred) entry: Enter applies it, as a user would.
    await page.keyboard.press('Enter');

    // The formula now reads dL_dyhat * dtheta(h) + … (the editor renders spaces as nbsp).
    const fixed = page.locator('.editor-group-container.active .view-line', { hasText: 'dtheta(h)' }).first();
    await fixed.waitFor({ state: 'visible', timeout: 15_000 });
    assert.strictEqual((await fixed.innerText()).replace(/\u00a0/g, ' '), '# check: dL_dh = dL_dyhat * dtheta(h) + w * dL_ds[t+1]');
    for (let k = 0; k < 50 && rows.some((r) => isSlip(r.label || r.text)); k++) {
      await page.waitForTimeout(200);
      rows = await problems(page);
    }
    assert.ok(!rows.some((r) => isSlip(r.label || r.text)), JSON.stringify(rows.map((r) => r.label)));
    await page.mouse.move(5, 5);
    await screenshot(page, 'check-fixed');
  });
});
