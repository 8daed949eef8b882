/**
 * BPTT Lens: wiring only. Every feature lives in its own module and owns its listeners (dispose.ts);
 * every feature goes into context.subscriptions.
 */
import * as vscode from 'vscode';
import { AnalysisStore } from './analysisStore';
import { SummaryLensProvider } from './codeLens';
import { Commands } from './commands';
import { watchSettings } from './config';
import { Diagnostics } from './diagnostics';
import { registerHover } from './hover';
import { createLog } from './log';
import { StatusBar } from './statusBar';
import { TestHooks } from './testHooks';
import { TimelineController } from './timeline';
import type { AnalysisSource } from './types';
import { WorkerClient } from './workerClient';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'csv' },
  { language: 'tsv' },
  { language: 'json' },
  { pattern: '**/*.{csv,tsv,json}' },
  { scheme: 'untitled', language: 'plaintext' },
];

export interface BpttLensApi {
  store: AnalysisSource;
}

export function activate(context: vscode.ExtensionContext): BpttLensApi {
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  // The settings cache first: its listener must run before any other settings listener.
  own(createLog());
  own(watchSettings());
  const worker = own(new WorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath));
  const store = own(new AnalysisStore(worker));
  const timeline = own(new TimelineController(context.extensionUri, store, worker));
  own(new Commands(store, timeline));
  own(registerHover(store, SELECTOR));
  own(new SummaryLensProvider(store, SELECTOR));
  own(new Diagnostics(store));
  own(new StatusBar(store));
  own(new TestHooks(store));
  return { store };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
