/**
 * Internal measurement commands (not in the palette) for the performance tests, which must time
 * things inside the extension host rather than across the IPC of `executeHoverProvider`.
 */
import * as vscode from 'vscode';
import type { AnalysisStore } from './analysisStore';
import { Disposable } from './dispose';
import { driftMonitor } from './driftMonitor';
import { MEASURE_MARK, takePhases } from './hostTiming';
import { provideStepHover } from './hover';
import { openDocument } from './sequenceDocument';
import { readStep } from './steps';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export class TestHooks extends Disposable {
  /** `loopDelay`: the event loop's delay histogram where the host has one (Node), else NaN is reported. */
  constructor(store: AnalysisStore, loopDelay?: () => { stop(): number }) {
    super();
    // Times `n` hover computations at steps spread over the file: p50/p99/max in ms.
    this._register(
      vscode.commands.registerCommand('bpttLens._measureHover', async (uri: string, n = 1000) => {
        const document = openDocument(uri);
        const analysis = document && store.current(document);
        if (!document || !analysis) return undefined;
        const T = analysis.parsed.T;
        const times: number[] = [];
        let shown = 0;
        for (let k = 0; k < n; k++) {
          const i = Math.floor(((k * 7919) % n) * (T / n));
          const step = await readStep(analysis, { index: i });
          if (!step) continue;
          const position = document.positionAt(step.rowStart);
          // A large document's hover is a read from the worker: timed to its answer.
          const t0 = performance.now();
          if (await provideStepHover(store, document, position)) shown++;
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { n, shown, p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times[times.length - 1] };
      }),
    );
    // Re-runs the pass on an open document (default: the active editor's) and reports the longest
    // event-loop block meanwhile. Also logged, for the UI benchmark that runs it from a keybinding
    // in either extension host (bench/vscode/ui/hosts.bench.ts).
    this._register(
      vscode.commands.registerCommand('bpttLens._measureRun', async (uri?: string) => {
        const document = uri ? openDocument(uri) : vscode.window.activeTextEditor?.document;
        if (!document) {
          console.log('[bptt-lens] measureRun {}');
          return undefined;
        }
        takePhases();
        performance.mark(MEASURE_MARK);
        const histogram = loopDelay?.();
        const drift = driftMonitor();
        const t0 = performance.now();
        const analysis = await store.run(document, true);
        const totalMs = performance.now() - t0;
        // Let the update listeners (diagnostics, CodeLens, status bar) run inside the window too.
        await new Promise((r) => setTimeout(r, 50));
        const longestBlockMs = drift.stop();
        const histogramMaxMs = histogram ? histogram.stop() : Number.NaN;
        const result = {
          T: analysis?.vector?.parsed.T ?? analysis?.parsed.T,
          totalMs,
          longestBlockEndedAt: drift.worstEndedAt() - t0,
          computeMs: analysis?.durationMs,
          longestBlockMs,
          blockP99Ms: drift.p99(),
          histogramMaxMs,
        };
        // The host's phases on a line of their own (the bench reads measureRun's flat object).
        console.log(`[bptt-lens] measurePhases ${JSON.stringify(takePhases())}`);
        console.log(`[bptt-lens] measureRun ${JSON.stringify(result)}`);
        return result;
      }),
    );
  }
}
