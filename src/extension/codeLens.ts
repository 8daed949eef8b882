/**
 * A CodeLens on the first line: L and every parameter gradient of the pass (click → timeline),
 * or the number of problems when the file does not parse.
 */
import * as vscode from 'vscode';
import type { AnalysisStore } from './analysisStore';
import { onDidChangeSettings, readFlowSettings, readSettings } from './config';
import { Disposable } from './dispose';
import { guarded } from './log';
import { gradientSummary, truncatedGrads, truncationParts, type TruncatedGrads } from './summary';
import { truncationOf } from './timeline/flowData';
import type { Analysis } from './types';
import { checksCommand, checksSummary } from './checkProblems';
import type { CheckReport } from '../check';
import { vectorGradientParts, vectorShape } from './vector/summary';
import { gradsSummary } from './vector/gradsCheck';

/** CodeLens shows a compact number: at most 4 significant digits, fewer if the user asks for fewer. */
const LENS_DIGITS = 4;

/** Asks VS Code for new lenses after every run and every settings change (digits may change). */
export class SummaryLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly store: AnalysisStore,
    selector: vscode.DocumentSelector,
  ) {
    super();
    this._register(vscode.languages.registerCodeLensProvider(selector, this));
    this._register(store.onDidUpdate(() => this.changed.fire()));
    this._register(onDidChangeSettings(() => this.changed.fire()));
  }

  provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    return guarded('codeLens', [], async () => {
      // While a run for this version is pending, wait for it rather than flicker the lens away.
      const analysis = this.store.current(document) ?? (this.store.isPending(document) ? await this.store.run(document) : undefined);
      if (!analysis || analysis.version !== document.version) return [];
      const top = new vscode.Range(0, 0, 0, 0);
      const errors = analysis.vector?.errors.length ?? analysis.parsed.errors.length;
      if (!analysis.trace && !analysis.vector?.trace) {
        return [
          new vscode.CodeLens(top, {
            title: `$(error) BPTT Lens: ${errors} problem${errors === 1 ? '' : 's'} in this file — see Problems`,
            command: 'workbench.actions.view.problems',
          }),
        ];
      }
      const digits = Math.min(LENS_DIGITS, readSettings(document.uri).precision);
      const args = [document.uri.toString()];
      const vector = analysis.vector?.trace;
      if (vector) {
        return [
          new vscode.CodeLens(top, {
            title: `BPTT  ${vectorShape(vector)}  ${vectorGradientParts(vector, digits).join('  ')}`,
            tooltip: `Backward pass of the vector model over T = ${vector.T} steps (${analysis.durationMs.toFixed(0)} ms). Click to open the timeline.`,
            command: 'bpttLens.showTimeline',
            arguments: args,
          }),
          ...vectorGradsLens(top, analysis),
        ];
      }
      if (!analysis.trace) return [];
      return [
        new vscode.CodeLens(top, {
          title: `BPTT  ${gradientSummary(analysis.trace, digits)}`,
          tooltip: `Backward pass over T = ${analysis.trace.T} steps (${analysis.durationMs.toFixed(0)} ms). Click to open the timeline.`,
          command: 'bpttLens.showTimeline',
          arguments: args,
        }),
        ...truncationLens(top, analysis, digits, args),
        new vscode.CodeLens(top, { title: 'Export Trace…', command: 'bpttLens.exportTrace', arguments: args }),
        ...(analysis.checks ? [checksLens(top, analysis.checks, args)] : []),
      ];
    });
  }
}

/** The truncated gradients of each pass, computed once per trace and truncation. */
const truncatedCache = new WeakMap<object, { key: string; value: TruncatedGrads | null }>();

/** With truncate=k or horizon=k (directive, else settings), the truncated gradient beside the full one. */
export function truncatedOf(analysis: Analysis): TruncatedGrads | null {
  // A large document's: computed by the worker with the result (the host has no per-step arrays).
  if (analysis.remote) return analysis.truncated ?? null;
  const trace = analysis.trace;
  const which = trace && truncationOf(analysis.parsed.truncation, readFlowSettings(analysis.uri));
  if (!trace || !which) return null;
  const key = `${which.kind}=${which.k}`;
  const cached = truncatedCache.get(trace);
  if (cached?.key === key) return cached.value;
  const value = truncatedGrads(trace, which);
  truncatedCache.set(trace, { key, value });
  return value;
}

function truncationLens(top: vscode.Range, analysis: Analysis, digits: number, args: string[]): vscode.CodeLens[] {
  const t = truncatedOf(analysis);
  if (!t || !analysis.trace) return [];
  return [
    new vscode.CodeLens(top, {
      title: `${t.kind}=${t.k}:  ${truncationParts(analysis.trace, t, digits).join('  ')}`,
      tooltip: `The gradients under ${t.kind === 'truncate' ? `truncated BPTT (state detached every ${t.k} steps)` : `depth-${t.k} truncation (each loss backpropagates ${t.k} steps)`}, each with its bias against the full gradient. Click to open the timeline.`,
      command: 'bpttLens.showTimeline',
      arguments: args,
    }),
  ];
}

/** "grads: 2 ✓ 6 ✗ — transposed_W": a vector document's grads= check; opens the Problems panel. */
function vectorGradsLens(top: vscode.Range, analysis: Analysis): vscode.CodeLens[] {
  const g = gradsSummary(analysis.vector?.grads);
  return g ? [new vscode.CodeLens(top, { title: g.text, tooltip: g.tooltip, command: g.command })] : [];
}

/** "checks: 2 ✓ 1 ✗": a failing claim opens the Problems panel; all passing, the numerical check. */
function checksLens(top: vscode.Range, checks: CheckReport, args: string[]): vscode.CodeLens {
  const { command, tooltip } = checksCommand(checks);
  return new vscode.CodeLens(top, { title: checksSummary(checks), tooltip, command, arguments: checks.ok ? [{ uri: args[0] }] : [] });
}
