/**
 * The timeline panel in the real extension host: the command opens one webview panel on the
 * sample, it follows the active sequence editor, and closing it leaves nothing behind.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { open, samplePath, store, waitFor } from './helpers';

function timelineTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('bpttLens.timeline'));
}

describe('timeline panel', () => {
  before(async () => {
    await store();
  });

  after(async () => {
    await vscode.window.tabGroups.close(timelineTabs());
  });

  it('opens on the active sample with the file in its title', async () => {
    const doc = await open(vscode.Uri.file(samplePath('vanishing.csv')));
    await vscode.commands.executeCommand('bpttLens.showTimeline', doc.uri, 9);
    const tab = await waitFor('timeline tab', () => timelineTabs()[0]);
    assert.strictEqual(tab.label, 'Timeline: vanishing.csv');
  });

  it('reuses the one panel when shown again', async () => {
    await vscode.commands.executeCommand('bpttLens.showTimeline');
    await vscode.commands.executeCommand('bpttLens.showTimeline', vscode.Uri.file(samplePath('vanishing.csv')));
    assert.strictEqual(timelineTabs().length, 1);
  });

  it('follows the active sequence editor', async () => {
    await open(vscode.Uri.file(samplePath('exploding.csv')));
    await waitFor('title follows exploding.csv', () => timelineTabs()[0]?.label === 'Timeline: exploding.csv');
  });

  it('is gone after closing, and opens again', async () => {
    await vscode.window.tabGroups.close(timelineTabs());
    await waitFor('no timeline tab', () => timelineTabs().length === 0);
    await vscode.commands.executeCommand('bpttLens.showTimeline', vscode.Uri.file(samplePath('textbook.csv')));
    await waitFor('timeline tab again', () => timelineTabs()[0]?.label === 'Timeline: textbook.csv');
  });
});
