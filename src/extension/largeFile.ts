/**
 * Files over 50 MB: VS Code does not sync them to extensions (no TextDocument, no events), so
 * they are read through `workspace.fs` and computed in the worker. Results go to the status bar
 * and the timeline; hovers, CodeLens and positioned diagnostics need a document.
 */
import * as vscode from 'vscode';
import { formatFromFileName } from '../parse';
import { basename } from '../shared/basename';
import { formatMB, MB } from '../shared/mb';
import type { AnalysisStore } from './analysisStore';
import type { Analysis } from './types';

/** VS Code's limit for syncing a file to extensions. */
export const SYNC_LIMIT_BYTES = 50 * MB;

export async function fileSize(uri: vscode.Uri): Promise<number | undefined> {
  try {
    return (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    return undefined;
  }
}

export async function analyzeLargeFile(store: AnalysisStore, uri: vscode.Uri, size: number): Promise<Analysis | undefined> {
  const format = formatFromFileName(uri.path);
  const name = basename(uri.path);
  if (!format) {
    void vscode.window.showWarningMessage(`BPTT Lens: ${name} is not a .csv, .tsv or .json file.`);
    return undefined;
  }
  void vscode.window.showInformationMessage(
    `BPTT Lens: ${name} is ${formatMB(size)}. VS Code does not give files over 50 MB to extensions as documents, so BPTT Lens reads it from disk. ` +
      'Results appear in the status bar and the timeline; hovers, CodeLens and Problems need an open document (split the file to get them).',
  );
  const bytes = await vscode.workspace.fs.readFile(uri);
  return store.runBytes(uri, bytes, format);
}
