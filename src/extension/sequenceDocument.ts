/**
 * Which document or tab is a sequence file: the format of an open document, a URI from an argument,
 * the open document of a URI, and the one "active sequence URI" every command and view falls back to.
 */
import * as vscode from 'vscode';
import { formatFromFileName, type SequenceFormat } from '../parse';
import { documentFormat } from './documentFormat';

/** The sequence format of a document, by name, then language, then its first lines; undefined if none. */
export function formatOf(document: vscode.TextDocument): SequenceFormat | undefined {
  const head = document.lineCount > 0 ? document.getText(new vscode.Range(0, 0, Math.min(document.lineCount, 20), 0)) : '';
  return documentFormat(document.uri.path, document.languageId, head);
}

/**
 * A Uri from a command argument or the webview's saved state: a Uri, or its string form (CodeLens,
 * hover links and tests pass strings). Anything else, a malformed string included, is undefined.
 */
export function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg !== 'string' || arg === '') return undefined;
  try {
    return vscode.Uri.parse(arg, true);
  } catch {
    return undefined;
  }
}

/** The open TextDocument of `uri`, if VS Code has synced one to extensions. */
export function openDocument(uri: vscode.Uri | string): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/**
 * The sequence file the user is looking at, or undefined:
 * 1. the active text editor's document, when it is a sequence file (by name, language or text, so
 *    an untitled CSV counts);
 * 2. else the active tab's file, when it is a text or custom-editor tab of a .csv/.tsv/.json file.
 *    This is the tab of a file over 50 MB, which VS Code shows without syncing a document to
 *    extensions (so there is no active text editor), or of a sequence file opened in another
 *    editor (a custom CSV viewer).
 * A tab that is neither (the timeline, settings, a diff) gives undefined, not the last editor.
 */
export function activeSequenceUri(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (document && formatOf(document)) return document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri && formatFromFileName(uri.path) ? uri : undefined;
}
