/**
 * Files over 50 MB: VS Code does not sync them to extensions (no TextDocument, no events), so
 * they are read through `workspace.fs` and computed in the worker. Results go to the status bar
 * and the timeline; hovers, CodeLens and positioned diagnostics need a document.
 */
import * as vscode from 'vscode';
import { formatFromFileName } from '../parse';
import type { LensStore } from './analysisStore';
import type { Analysis } from './types';

/** VS Code's limit for syncing a file to extensions. */
export const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;

export async function fileSize(uri: vscode.Uri): Promise<number | undefined> {
  try {
    return (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    return undefined;
  }
}

export async function analyzeLargeFile(store: LensStore, uri: vscode.Uri, size: number): Promise<Analysis | undefined> {
  const format = formatFromFileName(uri.path);
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  if (!format) {
    void vscode.window.showWarningMessage(`BPTT Lens: ${name} is not a .csv, .tsv or .json file.`);
    return undefined;
  }
  const mb = (size / (1024 * 1024)).toFixed(0);
  void vscode.window.showInformationMessage(
    `BPTT Lens: ${name} is ${mb} MB. VS Code does not give files over 50 MB to extensions as documents, so BPTT Lens reads it from disk. ` +
      'Results appear in the status bar and the timeline; hovers, CodeLens and Problems need an open document (split the file to get them).',
  );
  const bytes = await vscode.workspace.fs.readFile(uri);
  return store.runBytes(uri, bytes, format);
}
