/**
 * The web extension host's entry (package.json `browser`, dist/web/extension.js): vscode.dev,
 * github.dev, code-server's web worker host. No Node built-ins (scripts/build.mjs checks): large
 * documents go to a Web Worker, files are read and written through workspace.fs.
 */
import * as vscode from 'vscode';
import { activateOn, type BpttLensApi } from './activate';
import { webWorkerHost } from './workerWeb';

export function activate(context: vscode.ExtensionContext): BpttLensApi {
  return activateOn({ host: 'web', worker: (extensionUri) => webWorkerHost(vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'worker.js')) }, context);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
