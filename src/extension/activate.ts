/**
 * BPTT Lens: wiring only, the same for both extension hosts (extension.ts: Node; extension.web.ts:
 * the browser's Web Worker host), which differ only in their `Platform`. Every feature lives in its
 * own module and owns its listeners (dispose.ts); every feature goes into context.subscriptions.
 */
import * as vscode from 'vscode';
import { AnalysisStore } from './analysisStore';
import { CheckQuickFix } from './checkQuickFix';
import { SummaryLensProvider } from './codeLens';
import { Commands } from './commands';
import { watchSettings } from './config';
import { Diagnostics } from './diagnostics';
import { GradcheckCommand } from './gradcheckCommand';
import { registerHover } from './hover';
import { createLog } from './log';
import { StatusBar } from './statusBar';
import { TestHooks } from './testHooks';
import { TimelineController } from './timeline';
import type { AnalysisSource } from './types';
import { WorkerClient, type WorkerHost } from './workerClient';

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

/** What differs between the Node and the web extension host. */
export interface Platform {
  host: 'node' | 'web';
  /** How the worker for large documents starts, given the extension's own URI. */
  worker(extensionUri: vscode.Uri): WorkerHost;
  /** The event loop's delay histogram for the measurement commands (Node's perf_hooks; none in a browser). */
  loopDelay?: () => { stop(): number };
}

export function activateOn(platform: Platform, context: vscode.ExtensionContext): BpttLensApi {
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const log = own(createLog());
  // The e2e tests read this line from the page console to know which host really ran.
  const line = `BPTT Lens activated in the ${platform.host} extension host (typeof process: ${typeof process})`;
  log.info(line);
  console.log(`[bptt-lens] ${line}`);
  // The settings cache before any feature: its listener must run before any other settings listener.
  own(watchSettings());
  const worker = own(new WorkerClient(platform.worker(context.extensionUri)));
  const store = own(new AnalysisStore(worker));
  // The timeline's flow analyses on a worker of their own (timeline/flowHost.ts).
  const flowWorker = own(new WorkerClient(platform.worker(context.extensionUri), 'flow'));
  const timeline = own(new TimelineController(context.extensionUri, store, flowWorker));
  own(new Commands(store, timeline));
  own(registerHover(store, SELECTOR));
  own(new SummaryLensProvider(store, SELECTOR));
  own(new Diagnostics(store));
  own(new CheckQuickFix(store, SELECTOR));
  own(new GradcheckCommand(worker));
  own(new StatusBar(store));
  own(new TestHooks(store, platform.loopDelay));
  return { store };
}

