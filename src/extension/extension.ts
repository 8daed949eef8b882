/** The Node extension host's entry (package.json `main`): worker_threads and perf_hooks. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { activateOn, type BpttLensApi } from './activate';
import { nodeWorkerHost } from './workerNode';

export type { BpttLensApi } from './activate';

export function activate(context: vscode.ExtensionContext): BpttLensApi {
  return activateOn(
    {
      host: 'node',
      worker: (extensionUri) => nodeWorkerHost(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath),
      loopDelay: () => {
        const histogram = monitorEventLoopDelay({ resolution: 1 });
        histogram.enable();
        return {
          stop: () => {
            histogram.disable();
            return histogram.max / 1e6;
          },
        };
      },
    },
    context,
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
