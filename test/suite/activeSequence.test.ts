/**
 * The one "active sequence URI" (src/extension/sequenceDocument.ts) that commands, the status bar
 * and the timeline fall back to, in the real workbench: editors and tabs as VS Code reports them.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activeSequenceUri } from '../../src/extension/sequenceDocument';
import { closeAllEditors, open, samplePath, store, waitFor, writeTemp } from './helpers';

describe('active sequence URI', () => {
  before(async () => {
    await store();
  });
  afterEach(closeAllEditors);

  it('is the active editor’s CSV or JSON sequence file', async () => {
    for (const name of ['vanishing.csv', 'bias-output.json']) {
      const doc = await open(vscode.Uri.file(samplePath(name)));
      assert.strictEqual(activeSequenceUri()?.toString(), doc.uri.toString(), name);
    }
  });

  it('is an untitled document in the CSV language', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'csv', content: 'x,y\n1,2\n' });
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(activeSequenceUri()?.toString(), doc.uri.toString());
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('is undefined for an editor on a file that is no sequence', async () => {
    await open(writeTemp('notes.md', '# notes\n'));
    assert.strictEqual(vscode.window.activeTextEditor?.document.languageId, 'markdown');
    assert.strictEqual(activeSequenceUri(), undefined);
  });

  it('is undefined, not the editor beside it, while a webview tab is active', async () => {
    await open(vscode.Uri.file(samplePath('textbook.csv')));
    const panel = vscode.window.createWebviewPanel('bpttLensTest.other', 'Other', vscode.ViewColumn.Active);
    try {
      await waitFor('the webview tab is active', () => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputWebview);
      await waitFor('no active text editor', () => vscode.window.activeTextEditor === undefined);
      assert.strictEqual(activeSequenceUri(), undefined);
    } finally {
      panel.dispose();
    }
  });

  it('is what Show Timeline opens on when given no file', async () => {
    await open(vscode.Uri.file(samplePath('exploding.csv')));
    await vscode.commands.executeCommand('bpttLens.showTimeline');
    const timeline = (): vscode.Tab | undefined =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('bpttLens.timeline'));
    const tab = await waitFor('timeline tab', timeline);
    assert.strictEqual(tab.label, 'Timeline: exploding.csv');
  });
});
