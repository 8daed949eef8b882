/**
 * Problems panel entries (source "BPTT Lens") for each analysis: parse errors, the first
 * non-finite step, vanishing/exploding gradients.
 */
import * as vscode from 'vscode';
import type { AnalysisStore } from './analysisStore';
import { Disposable } from './dispose';
import { logError } from './log';
import type { Problem, ProblemSeverity } from './problems';
import { openDocument } from './sequenceDocument';
import type { Analysis } from './types';

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

/** The "bpttLens" diagnostic collection, set from each analysis and cleared when its document closes. */
export class Diagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('bpttLens'));

  constructor(private readonly store: AnalysisStore) {
    super();
    this._register(store.onDidUpdate((a) => this.update(a)));
    this._register(store.onDidForget((uri) => this.collection.delete(uri)));
  }

  private update(analysis: Analysis): void {
    try {
      // Offsets are positions only in the document version the analysis was computed from.
      const document = openDocument(analysis.uri);
      const same = document?.version === analysis.version ? document : undefined;
      this.collection.set(analysis.uri, toDiagnostics(this.store.problems(analysis), same));
    } catch (e) {
      logError('diagnostics', e);
    }
  }
}
