/**
 * First real test inside the VS Code extension host: the BPTT Lens extension is
 * installed (as the development extension) and activates when a `.csv` file is
 * opened or when one of its `bpttLens.*` commands runs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'bptt-lens.bptt-lens';

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** A `.csv` file in the workspace: a sample if there is one, else a temporary file. */
async function someCsv(): Promise<vscode.Uri> {
  const found = await vscode.workspace.findFiles('**/*.csv', '**/node_modules/**', 1);
  if (found.length > 0) {
    return found[0];
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window should have a workspace folder (samples/ copy)');
  const file = path.join(folder.uri.fsPath, 'smoke-test.csv');
  fs.writeFileSync(file, 't,x,h,y\n1,0.5,0,1\n');
  return vscode.Uri.file(file);
}

describe('BPTT Lens smoke', () => {
  it('is installed', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} should be present`);
    assert.strictEqual(ext.packageJSON.publisher, 'bptt-lens');
  });

  it('activates on a .csv file or a bpttLens.* command', async function () {
    this.timeout(60_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const doc = await vscode.workspace.openTextDocument(await someCsv());
    await vscode.window.showTextDocument(doc);
    if (!(await waitFor(() => ext.isActive, 15_000))) {
      const contributed: { command: string }[] = ext.packageJSON.contributes?.commands ?? [];
      const cmd = contributed.map((c) => c.command).find((c) => c.startsWith('bpttLens.'));
      assert.ok(cmd, 'not active after opening a .csv and no bpttLens.* command is contributed');
      await vscode.commands.executeCommand(cmd);
      await waitFor(() => ext.isActive, 15_000);
    }
    assert.ok(ext.isActive, 'extension should be active');
    // Resolves at once when activation succeeded; rejects with the activation error.
    await ext.activate();
  });

  it('registers every contributed bpttLens.* command', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const contributed: { command: string }[] = ext.packageJSON.contributes?.commands ?? [];
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => c.startsWith('bpttLens.') && !all.has(c));
    assert.deepStrictEqual(missing, [], 'contributed commands without a registered handler');
  });
});
