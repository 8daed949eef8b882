/**
 * The commands: Run Backward Pass, Show Timeline, Export Trace…, Insert Directive.
 */
import * as vscode from 'vscode';
import { directiveEdit } from '../parse';
import { basename } from '../shared/basename';
import type { ExportFormat } from '../shared/protocol';
import type { AnalysisStore } from './analysisStore';
import { Disposable } from './dispose';
import { pickFormat, pickTarget, writeTrace } from './exportTrace';
import { analyzeLargeFile, fileSize, SYNC_LIMIT_BYTES } from './largeFile';
import { guarded } from './log';
import { activeSequenceUri, openDocument, toUri } from './sequenceDocument';
import { modelSummary } from './summary';
import type { Analysis, Timeline } from './types';

/** What tests and other callers get back from "Run Backward Pass". */
export interface RunSummary {
  uri: string;
  version: number;
  T: number;
  errors: number;
  loss: number | undefined;
  grads: Record<string, number> | undefined;
  hasDirective: boolean;
}

function summarize(a: Analysis): RunSummary {
  return {
    uri: a.uri.toString(),
    version: a.version,
    T: a.parsed.T,
    errors: a.parsed.errors.length,
    loss: a.trace?.loss,
    grads: a.trace ? { ...a.trace.grads } : undefined,
    hasDirective: a.parsed.hasDirective,
  };
}

/** Registers the commands; a missing Uri argument means the active sequence file (sequenceDocument.ts). */
export class Commands extends Disposable {
  constructor(
    private readonly store: AnalysisStore,
    private readonly timeline: Timeline,
  ) {
    super();
    const r = (id: string, f: (...args: unknown[]) => unknown): void => {
      this._register(vscode.commands.registerCommand(id, f));
    };
    r('bpttLens.runBackwardPass', (uri?: unknown) => this.guard('Run Backward Pass', () => this.runBackwardPass(toUri(uri))));
    r('bpttLens.showTimeline', (uri?: unknown, step?: unknown) =>
      this.guard('Show Timeline', () => this.timeline.show(toUri(uri), typeof step === 'number' ? step : undefined)),
    );
    r('bpttLens.exportTrace', (uri?: unknown, format?: unknown, target?: unknown) =>
      this.guard('Export Trace', () => this.exportTrace(toUri(uri), format === 'csv' || format === 'json' ? format : undefined, toUri(target))),
    );
    r('bpttLens.insertDirective', (uri?: unknown) => this.guard('Insert Directive', () => this.insertDirective(toUri(uri))));
  }

  /** Commands never throw into VS Code: errors are logged and shown once. */
  private guard<T>(name: string, f: () => Promise<T>): Promise<T | undefined> {
    return guarded<T | undefined>(name, undefined, f, (e) => {
      void vscode.window.showErrorMessage(`BPTT Lens: ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** The analysis of `uri` (or the active file), running the pass when there is none for its current text. */
  private async analysisOf(uri: vscode.Uri | undefined): Promise<Analysis | undefined> {
    const target = uri ?? activeSequenceUri();
    if (!target) {
      void vscode.window.showWarningMessage('BPTT Lens: open a CSV, TSV or JSON sequence file first.');
      return undefined;
    }
    let document = openDocument(target);
    if (!document) {
      const size = await fileSize(target);
      if (size !== undefined && size > SYNC_LIMIT_BYTES) {
        return this.store.latest(target) ?? analyzeLargeFile(this.store, target, size);
      }
      document = await vscode.workspace.openTextDocument(target);
    }
    this.store.track(document.uri);
    const analysis = await this.store.run(document);
    if (!analysis) {
      void vscode.window.showWarningMessage(`BPTT Lens: ${basename(target.path)} is not a CSV, TSV or JSON sequence file.`);
    }
    return analysis;
  }

  async runBackwardPass(uri: vscode.Uri | undefined): Promise<RunSummary | undefined> {
    const analysis = await this.analysisOf(uri);
    if (!analysis) return undefined;
    this.report(analysis);
    await this.timeline.show(analysis.uri);
    return summarize(analysis);
  }

  /** Tells the user what happened; messages are not awaited so the command resolves at once. */
  private report(analysis: Analysis): void {
    const name = basename(analysis.uri.path);
    // A vector-model document's errors and directive are its vector parse's (its scalar `parsed` is empty).
    const errors = analysis.vector?.errors.length ?? analysis.parsed.errors.length;
    if (errors > 0) {
      void vscode.window
        .showErrorMessage(`BPTT Lens: ${errors} problem${errors === 1 ? '' : 's'} in ${name}; see the Problems panel.`, 'Show Problems')
        .then((choice) => choice && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return;
    }
    if (analysis.vector || analysis.parsed.hasDirective) return;
    const kind = analysis.parsed.format === 'json' ? 'a "bptt" key' : 'a "# bptt:" line';
    void vscode.window
      .showInformationMessage(
        `BPTT Lens: ${name} has no directive (${kind}), so the bpttLens.defaults settings were used: ${modelSummary({ ...analysis.parsed.model })}`,
        'Insert directive',
        'Open settings',
      )
      .then((choice) => {
        if (choice === 'Insert directive') return vscode.commands.executeCommand('bpttLens.insertDirective', analysis.uri.toString());
        if (choice === 'Open settings') return vscode.commands.executeCommand('workbench.action.openSettings', 'bpttLens.defaults');
        return undefined;
      });
  }

  /** Makes the file self-describing: the model it was computed with, as a directive, via a WorkspaceEdit. */
  async insertDirective(uri: vscode.Uri | undefined): Promise<boolean> {
    const target = uri ?? activeSequenceUri();
    const document = target && (openDocument(target) ?? (await vscode.workspace.openTextDocument(target)));
    if (!document) return false;
    const analysis = this.store.current(document) ?? (await this.store.run(document));
    if (!analysis) return false;
    const edit = directiveEdit(analysis.parsed, analysis.parsed.model);
    const range = new vscode.Range(document.positionAt(edit.offset), document.positionAt(edit.offset + edit.length));
    const workspaceEdit = new vscode.WorkspaceEdit();
    workspaceEdit.replace(document.uri, range, edit.text);
    return vscode.workspace.applyEdit(workspaceEdit);
  }

  async exportTrace(uri: vscode.Uri | undefined, format: ExportFormat | undefined, target: vscode.Uri | undefined): Promise<string | undefined> {
    const analysis = await this.analysisOf(uri);
    if (!analysis) return undefined;
    if (!analysis.trace) {
      void vscode.window.showErrorMessage(`BPTT Lens: ${basename(analysis.uri.path)} has parse errors; fix them to export a trace.`);
      return undefined;
    }
    const chosen = format ?? (await pickFormat());
    if (!chosen) return undefined;
    const file = target ?? (await pickTarget(analysis.uri, chosen));
    if (!file) return undefined;
    await writeTrace(analysis, chosen, file);
    if (!target) void vscode.window.showInformationMessage(`BPTT Lens: trace written to ${basename(file.path)}.`);
    return file.toString();
  }
}

