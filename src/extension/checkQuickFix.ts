/**
 * Quick Fix for a wrong `# check:` formula: replaces its right side with the engine's correct
 * formula, written in the user's notation and verified to pass (src/check/fix.ts).
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { guardedSync } from './log';
import type { AnalysisSource } from './types';

export class CheckQuickFix extends Disposable implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(
    private readonly store: AnalysisSource,
    selector: vscode.DocumentSelector,
  ) {
    super();
    this._register(vscode.languages.registerCodeActionsProvider(selector, this, CheckQuickFix.metadata));
  }

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return guardedSync('quick fix', [], () => {
      // Offsets are positions only in the version the checks were computed from.
      const checks = this.store.current(document)?.checks;
      if (!checks) return [];
      const actions: vscode.CodeAction[] = [];
      for (const c of checks.claims) {
        if (c.ok || c.fix === null || c.source !== 'formula') continue;
        const at = new vscode.Range(document.positionAt(c.offset), document.positionAt(c.offset + c.length));
        if (!at.intersection(range) && !at.contains(range)) continue;
        const action = new vscode.CodeAction(`Replace with the correct formula: ${c.quantity} = ${c.fix}`, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, at, c.fix);
        action.isPreferred = true;
        action.diagnostics = context.diagnostics.filter((d) => d.source === 'BPTT Lens' && d.range.isEqual(at));
        actions.push(action);
      }
      return actions;
    });
  }
}
