/**
 * The editor side of the timeline: the followed document's editor beside the panel, the step under
 * its cursor, and a step's row flashed when the chart reveals it.
 */
import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../dispose';
import { stepIndexAt } from '../steps';
import type { Analysis } from '../types';

const HIGHLIGHT_MS = 1500;

/** The editor of `uri`, beside the panel, without taking the focus. */
export async function showEditorBeside(uri: vscode.Uri | undefined): Promise<vscode.TextEditor | undefined> {
  if (!uri) return undefined;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const document = visible?.document ?? (await vscode.workspace.openTextDocument(uri));
  return vscode.window.showTextDocument(document, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
    preserveFocus: true,
  });
}

/** The 1-based step at the cursor of a visible editor showing exactly this analysis, or null. */
export async function stepUnderCursor(analysis: Analysis): Promise<number | null> {
  const uri = analysis.uri.toString();
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri && e.document.version === analysis.version);
  if (!editor) return null;
  const i = await stepIndexAt(analysis, editor.document, editor.selection.active).catch(() => -1);
  return i >= 0 ? i + 1 : null;
}

/** Puts the cursor on a line and highlights the line for a moment. */
export class LineFlash extends Disposable {
  private readonly highlight = this._register(
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
      borderColor: new vscode.ThemeColor('editor.findMatchHighlightBorder'),
    }),
  );
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this._register(toDisposable(() => clearTimeout(this.timer)));
  }

  /** Puts the cursor at `start` and flashes its line. */
  flash(editor: vscode.TextEditor, start: vscode.Position): void {
    const line = editor.document.lineAt(start.line).range;
    editor.selection = new vscode.Selection(start, start);
    editor.revealRange(line, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.setDecorations(this.highlight, [line]);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => editor.setDecorations(this.highlight, []), HIGHLIGHT_MS);
  }
}
