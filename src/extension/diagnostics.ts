/**
 * Problems panel entries (source "BPTT Lens") for each analysis: parse errors, the first
 * non-finite step, vanishing/exploding gradients.
 */
import * as vscode from 'vscode';
import type { LensStore } from './analysisStore';
import type { Problem, ProblemSeverity } from './problems';
import type { Analysis } from './types';
import { logError } from './log';

const SEVERITY: Record<ProblemSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

function rangeOf(p: Problem, document: vscode.TextDocument | undefined): vscode.Range {
  const r = p.range;
  if (r.kind === 'lineCol') return new vscode.Range(r.line, r.col, r.endLine, r.endCol);
  // Offsets need the document's text; a file read from disk (no document) gets its whole line.
  if (document) return new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
  return new vscode.Range(r.line, 0, r.line, Number.MAX_SAFE_INTEGER);
}

export function toDiagnostics(problems: Problem[], document: vscode.TextDocument | undefined): vscode.Diagnostic[] {
  return problems.map((p) => {
    const d = new vscode.Diagnostic(rangeOf(p, document), p.message, SEVERITY[p.severity]);
    d.source = 'BPTT Lens';
    d.code = p.code;
    return d;
  });
}

export function registerDiagnostics(store: LensStore): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('bpttLens');
  const update = (analysis: Analysis): void => {
    try {
      const key = analysis.uri.toString();
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && d.version === analysis.version);
      collection.set(analysis.uri, toDiagnostics(store.problems(analysis), document));
    } catch (e) {
      logError('diagnostics', e);
    }
  };
  return vscode.Disposable.from(collection, store.onDidUpdate(update), store.onDidForget((uri) => collection.delete(uri)));
}
