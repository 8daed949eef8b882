/**
 * Status bar item for the active editor's (or active tab's) file: L and ∂L/∂w of its latest pass;
 * click → timeline. Also sets the `bpttLens.hasAnalysis` context key for menus.
 */
import * as vscode from 'vscode';
import { readSettings } from './config';
import { logError } from './log';
import { gradientParts, statusSummary } from './summary';
import type { Analysis, AnalysisStore } from './types';

/** The file shown in the active editor: a text editor's document, or a tab VS Code did not sync (> 50 MB). */
export function activeUri(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor) return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText ? input.uri : undefined;
}

export function registerStatusBar(store: AnalysisStore): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('bpttLens.summary', vscode.StatusBarAlignment.Left, 100);
  item.name = 'BPTT Lens';
  const update = (): void => {
    try {
      const uri = activeUri();
      const analysis = uri && store.latest(uri);
      void vscode.commands.executeCommand('setContext', 'bpttLens.hasAnalysis', !!analysis);
      if (!analysis) {
        item.hide();
        return;
      }
      const document = vscode.window.activeTextEditor?.document;
      if (document && document.version !== analysis.version) {
        // The numbers are of another version of the text: say so rather than show them.
        item.text = '$(sync~spin) BPTT';
        item.tooltip = 'BPTT Lens: recomputing for the edited text…';
      } else {
        render(item, analysis);
      }
      item.show();
    } catch (e) {
      logError('status bar', e);
    }
  };
  update();
  return vscode.Disposable.from(
    item,
    store.onDidUpdate(update),
    store.onDidForget(update),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.window.tabGroups.onDidChangeTabs(update),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document && e.contentChanges.length > 0) update();
    }),
  );
}

function render(item: vscode.StatusBarItem, analysis: Analysis): void {
  const digits = Math.min(4, readSettings(analysis.uri).precision);
  const { trace, parsed } = analysis;
  item.command = { title: 'Show Timeline', command: 'bpttLens.showTimeline', arguments: [analysis.uri.toString()] };
  if (!trace) {
    item.text = `$(error) BPTT: ${parsed.errors.length} problem${parsed.errors.length === 1 ? '' : 's'}`;
    item.tooltip = 'BPTT Lens: the file does not parse; see the Problems panel.';
    item.command = 'workbench.actions.view.problems';
    return;
  }
  item.text = `$(debug-step-back) ${statusSummary(trace, digits)}`;
  const tip = new vscode.MarkdownString(
    `**BPTT Lens** — T = ${trace.T} steps, ${analysis.durationMs.toFixed(0)} ms\n\n${gradientParts(trace, readSettings(analysis.uri).precision).join('  \n')}\n\nClick to open the timeline.`,
  );
  item.tooltip = tip;
}
