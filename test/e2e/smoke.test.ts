/**
 * UI smoke test in the real VS Code workbench: open a workspace file through
 * Quick Open, see it in the editor, and keep a screenshot.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { closeWorkbench, openFile, openWorkbench, screenshot, workspacePath, type Workbench } from './workbench';

/** A sample .csv (vanishing.csv preferred), or a temporary one when samples/ is empty. */
function pickFile(): { name: string; firstLine: string } {
  const dir = workspacePath();
  const csvs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.csv')).sort() : [];
  let name = csvs.includes('vanishing.csv') ? 'vanishing.csv' : csvs[0];
  if (!name) {
    name = 'e2e-smoke.csv';
    fs.writeFileSync(path.join(dir, name), 't,x,h,y\n1,0.5,0,1\n2,0.25,0,0\n');
  }
  const firstLine = fs.readFileSync(path.join(dir, name), 'utf8').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return { name, firstLine };
}

describe('workbench smoke (UI)', () => {
  let wb: Workbench | undefined;

  after(async () => {
    await closeWorkbench(wb);
  });

  it('opens a sample file in the editor', async () => {
    wb = await openWorkbench();
    const { name, firstLine } = pickFile();
    await openFile(wb.page, name);
    const tab = await wb.page.locator('.tabs-container .tab.active').getAttribute('aria-label');
    assert.ok(tab?.startsWith(name), `active tab should be ${name}, got ${tab}`);
    const text = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').innerText();
    // Monaco renders spaces as non-breaking spaces.
    assert.ok(text.replace(/\u00a0/g, ' ').includes(firstLine.slice(0, 40)), `editor should show "${firstLine}", got:\n${text}`);
    const shot = await screenshot(wb.page, 'e2e-smoke');
    assert.ok(fs.statSync(shot).size > 10_000, 'screenshot should not be empty');
  });
});
