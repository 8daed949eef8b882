/**
 * Status bar item for the active sequence file (sequenceDocument.ts): L and ∂L/∂w of its latest pass;
 * click → timeline. Also sets the `bpttLens.hasAnalysis` context key for menus.
 */
import * as vscode from 'vscode';
import { checksCommand, checksSummary } from './checkProblems';
import { readSettings } from './config';
import { Disposable } from './dispose';
import { logError } from './log';
import { compareGrads } from '../flow';
import { formatNumber } from '../shared/format';
import { relBias } from '../shared/flowSeries';
import { activeSequenceUri } from './sequenceDocument';
import { truncatedOf } from './codeLens';
import { gradientParts, statusSummary, truncationParts } from './summary';
import type { Analysis, AnalysisSource } from './types';
import { vectorGradientParts, vectorShape, vectorStatusSummary } from './vector/summary';

export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('bpttLens.summary', vscode.StatusBarAlignment.Left, 100));
  private readonly checksItem = this._register(vscode.window.createStatusBarItem('bpttLens.checks', vscode.StatusBarAlignment.Left, 99));

  constructor(private readonly store: AnalysisSource) {
    super();
    this.item.name = 'BPTT Lens';
    this.checksItem.name = 'BPTT Lens checks';
    const update = (): void => this.update();
    this._register(store.onDidUpdate(update));
    this._register(store.onDidForget(update));
    this._register(vscode.window.onDidChangeActiveTextEditor(update));
    this._register(vscode.window.tabGroups.onDidChangeTabs(update));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document && e.contentChanges.length > 0) update();
      }),
    );
    update();
  }

  private update(): void {
    const item = this.item;
    try {
      const uri = activeSequenceUri();
      const analysis = uri && this.store.latest(uri);
      void vscode.commands.executeCommand('setContext', 'bpttLens.hasAnalysis', !!analysis);
      this.renderChecks(analysis);
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
  }

  /** "checks: 2 ✓ 1 ✗", only when the file has claims. */
  private renderChecks(analysis: Analysis | undefined): void {
    const checks = analysis?.checks;
    if (!analysis || !checks) {
      this.checksItem.hide();
      return;
    }
    const { command, tooltip } = checksCommand(checks);
    this.checksItem.text = `${checks.ok ? '$(pass)' : '$(error)'} ${checksSummary(checks)}`;
    this.checksItem.tooltip = `BPTT Lens: ${tooltip}`;
    this.checksItem.command = { title: checksSummary(checks), command, arguments: checks.ok ? [{ uri: analysis.uri.toString() }] : [] };
    this.checksItem.show();
  }
}

function render(item: vscode.StatusBarItem, analysis: Analysis): void {
  const digits = Math.min(4, readSettings(analysis.uri).precision);
  const { trace, parsed } = analysis;
  item.command = { title: 'Show Timeline', command: 'bpttLens.showTimeline', arguments: [analysis.uri.toString()] };
  const vector = analysis.vector?.trace;
  if (vector) {
    item.text = `$(debug-step-back) ${vectorStatusSummary(vector, digits)}`;
    const parts = vectorGradientParts(vector, readSettings(analysis.uri).precision).join('  \n');
    item.tooltip = new vscode.MarkdownString(`**BPTT Lens** — vector model ${vectorShape(vector)}, T = ${vector.T} steps, ${analysis.durationMs.toFixed(0)} ms\n\n${parts}\n\nClick to open the timeline.`);
    return;
  }
  if (!trace) {
    const errors = analysis.vector?.errors.length ?? parsed.errors.length;
    item.text = `$(error) BPTT: ${errors} problem${errors === 1 ? '' : 's'}`;
    item.tooltip = 'BPTT Lens: the file does not parse; see the Problems panel.';
    item.command = 'workbench.actions.view.problems';
    return;
  }
  // With truncate=k / horizon=k: the truncated ∂L/∂w and its bias beside the full one.
  const tr = truncatedOf(analysis);
  const truncated = tr ? ` (${tr.kind}=${tr.k}: ${formatNumber(tr.grads.w, digits)}, ${relBias(compareGrads(tr.grads, trace.grads).w.relBias)})` : '';
  item.text = `$(debug-step-back) ${statusSummary(trace, digits)}${truncated}`;
  const precision = readSettings(analysis.uri).precision;
  const truncatedTip = tr ? `\n\n**${tr.kind}=${tr.k}** (truncated, bias against the full gradient):  \n${truncationParts(trace, tr, precision).join('  \n')}` : '';
  const tip = new vscode.MarkdownString(
    `**BPTT Lens** — T = ${trace.T} steps, ${analysis.durationMs.toFixed(0)} ms\n\n${gradientParts(trace, precision).join('  \n')}${truncatedTip}\n\nClick to open the timeline.`,
  );
  item.tooltip = tip;
}
