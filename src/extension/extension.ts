/**
 * BPTT Lens: wiring only. Every feature lives in its own module; every disposable goes into
 * context.subscriptions.
 */
import * as vscode from 'vscode';
import { LensStore } from './analysisStore';
import { SummaryLensProvider } from './codeLens';
import { Commands } from './commands';
import { onDidChangeSettings, watchSettings } from './config';
import { registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { createLog } from './log';
import { registerStatusBar } from './statusBar';
import { registerTestHooks } from './testHooks';
import { registerTimeline } from './timeline';
import type { AnalysisStore } from './types';
import { WorkerClient } from './workerClient';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'csv' },
  { language: 'tsv' },
  { language: 'json' },
  { pattern: '**/*.{csv,tsv,json}' },
  { scheme: 'untitled', language: 'plaintext' },
];

export interface BpttLensApi {
  store: AnalysisStore;
}

export function activate(context: vscode.ExtensionContext): BpttLensApi {
  const sub = (...d: vscode.Disposable[]): void => {
    context.subscriptions.push(...d);
  };
  sub(createLog(), watchSettings());
  const worker = new WorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const store = new LensStore(worker);
  const lenses = new SummaryLensProvider(store);
  const timeline = registerTimeline(context, store);
  sub(
    worker,
    store,
    new Commands(store, timeline).register(),
    registerHover(store, SELECTOR),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    store.onDidUpdate(() => lenses.refresh()),
    registerDiagnostics(store),
    registerStatusBar(store),
    registerTestHooks(store),
    onDidChangeSettings(() => {
      lenses.refresh();
      store.rerunAll();
    }),
  );
  return { store };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
