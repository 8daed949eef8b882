/**
 * Hovers on a step's row (CSV/TSV) or x[t]/y[t] element (JSON). An O(1) read of the analysis of
 * exactly this document version: binary search for the step, then `stepValues` — nothing is
 * recomputed per hover. A large document's step is read in the worker, which keeps its arrays
 * (one message each way).
 */
import * as vscode from 'vscode';
import type { Trace } from '../core';
import { readSettings } from './config';
import { claimsAtStep } from './checkHover';
import { hoverMarkdown, numericCheckLink, timelineCommandLink } from './hoverContent';
import { guardedSync, logError } from './log';
import type { StepRead } from './resident';
import { readStep, stepWhere } from './steps';
import type { Analysis, AnalysisSource } from './types';
import { vectorStepAtOffset } from './vector/analyze';
import { vectorHoverMarkdown } from './vector/hoverContent';
import { vectorStepValues } from '../core/vector/step';

export function provideStepHover(store: AnalysisSource, document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined | Promise<vscode.Hover | undefined> {
  const analysis = store.current(document);
  if (analysis?.vector) return provideVectorHover(analysis.vector, document, position);
  const trace = analysis?.trace;
  if (!analysis || !trace) return undefined;
  const where = stepWhere(analysis, document, position);
  const step = readStep(analysis, where);
  if (step instanceof Promise) return step.then((s) => (s ? stepHover(analysis, trace, document, where, s) : undefined));
  return step ? stepHover(analysis, trace, document, where, step) : undefined;
}

function stepHover(analysis: Analysis, trace: Trace, document: vscode.TextDocument, where: { line: number } | { offset: number }, step: StepRead): vscode.Hover {
  const { i, values: v } = step;
  const uri = document.uri.toString();
  const settings = readSettings(document.uri);
  const text = hoverMarkdown({
    v,
    T: trace.T,
    model: trace.model,
    digits: settings.precision,
    timelineLink: timelineCommandLink(uri, i),
    claims: claimsAtStep(analysis.checks, i, settings.checkRtol, settings.checkAtol),
    numericLink: numericCheckLink(uri, i + 1),
  });
  const markdown = new vscode.MarkdownString(text);
  markdown.isTrusted = { enabledCommands: ['bpttLens.showTimeline', 'bpttLens.checkGradientsNumerically'] };
  // CSV/TSV: the row, which is its whole line (no offsets needed). JSON: whichever element is hovered, x[t] or y[t].
  if ('line' in where) return new vscode.Hover(markdown, new vscode.Range(step.line, 0, step.line, step.rowEnd - step.rowStart));
  const onX = where.offset >= step.xStart && where.offset <= step.xEnd;
  const start = onX ? step.rowStart : step.yStart;
  const end = onX ? step.rowEnd : step.yEnd;
  return new vscode.Hover(markdown, new vscode.Range(document.positionAt(start), document.positionAt(end)));
}

/** A vector model's step: its vectors, the norms of the backward equations' parts, and a link to the full vectors. */
function provideVectorHover(vector: NonNullable<Analysis['vector']>, document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
  const { trace, parsed } = vector;
  if (!trace) return undefined;
  const i = vectorStepAtOffset(parsed, document.offsetAt(position));
  if (i < 0) return undefined;
  const text = vectorHoverMarkdown({
    v: vectorStepValues(trace, i),
    T: trace.T,
    model: trace.model,
    hasTarget: trace.hasY[i] !== 0,
    digits: readSettings(document.uri).precision,
    timelineLink: timelineCommandLink(document.uri.toString(), i),
  });
  const markdown = new vscode.MarkdownString(text);
  markdown.isTrusted = { enabledCommands: ['bpttLens.showTimeline'] };
  return new vscode.Hover(markdown, new vscode.Range(document.positionAt(parsed.rowStart[i]), document.positionAt(parsed.rowEnd[i])));
}

export function registerHover(store: AnalysisSource, selector: vscode.DocumentSelector): vscode.Disposable {
  return vscode.languages.registerHoverProvider(selector, {
    provideHover: (document, position) =>
      guardedSync<vscode.ProviderResult<vscode.Hover>>('hover', undefined, () => {
        const hover = provideStepHover(store, document, position);
        // A read from the worker that fails (a worker restarted since the run): no hover, logged.
        return hover instanceof Promise ? hover.catch((e: unknown) => (logError('hover', e), undefined)) : hover;
      }),
  });
}
