/** "Save as PNG" of the timeline: the webview composes the image, the host asks where and writes it. */
import * as vscode from 'vscode';
import { basename } from '../../shared/basename';

/** Saves a validated PNG data URL next to `source` (or in the first workspace folder), as `<name>-timeline.png`. */
export async function savePng(source: vscode.Uri | undefined, dataUrl: string): Promise<void> {
  const base = source ? basename(source.path).replace(/\.[^.]*$/, '') : 'timeline';
  const folder = source && source.scheme !== 'untitled' ? vscode.Uri.joinPath(source, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}-timeline.png`) : undefined,
    filters: { 'PNG image': ['png'] },
    title: 'Save Timeline as PNG',
  });
  if (!target) return;
  // atob, not Buffer: the same code runs in the web extension host.
  const bytes = Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(',') + 1)), (c) => c.charCodeAt(0));
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`BPTT Lens: saved ${basename(target.path)}`);
}
