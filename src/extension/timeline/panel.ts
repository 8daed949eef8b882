/**
 * Host side of the timeline: one WebviewPanel that follows the active sequence editor, pushes
 * each new analysis to the webview, answers zoom requests at full resolution and keeps the
 * chart's selected step and the editor's cursor in step.
 *
 * Everything the webview sends is validated first; anything malformed is logged and dropped.
 */
import * as vscode from 'vscode';
import type { Trace } from '../../core/bptt';
import { formatFromFileName } from '../../parse';
import { basename } from '../../shared/basename';
import { assertNever, validateWebviewMessage, type HostToWebviewMessage, type WebviewToHostMessage } from '../../shared/protocol';
import { readSettings, SECTION } from '../config';
import { Disposable } from '../dispose';
import { yieldToEventLoop } from '../eventLoop';
import { log, logError } from '../log';
import { openDocument } from '../sequenceDocument';
import type { Analysis, AnalysisSource } from '../types';
import { readStep, stepIndexAt } from '../steps';
import { TraceSeries, type SeriesSource } from './data';
import { FlowHost } from './flowHost';
import type { WorkerClient } from '../workerClient';
import { timelineHtml } from './html';
import { savePng } from './png';
import { LineFlash, showEditorBeside, stepUnderCursor } from './reveal';
import { vectorStepMessage, vectorTraceMessage, vectorWindowMessage } from './vectorPanel';

export const VIEW_TYPE = 'bpttLens.timeline';

/** What the webview persisted (shared/protocol's PersistedState), as VS Code hands it back on restore: unchecked. */
export type { StoredState as PersistedState } from '../../shared/protocol';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
    enableFindWidget: false,
  };
}

export class TimelinePanel extends Disposable {
  private uri: vscode.Uri | undefined;
  private analysis: Analysis | undefined;
  /** Chart width in px, known once the webview said `ready`. */
  private width = 0;
  /** Step (1-based) last sent to the webview, so the echo of our own editor reveal is not sent twice. */
  private lastSentT = 0;
  /** The document whose trace the webview shows, so a re-push (edit, resize) keeps its selection. */
  private shownUri: string | undefined;
  /** Step to select once the analysis of `uri` is pushed (from show(uri, step)). */
  private pendingStep: number | undefined;
  private readonly series = new WeakMap<Trace, Promise<SeriesSource | undefined>>();
  private readonly flasher = this._register(new LineFlash());
  private readonly flow: FlowHost;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly store: AnalysisSource,
    extensionUri: vscode.Uri,
    onDispose: () => void,
    flowWorker?: WorkerClient,
  ) {
    super();
    this.flow = this._register(new FlowHost((m) => this.post(m), flowWorker));
    const media = (f: string): string => panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', f)).toString();
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = timelineHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: media('timeline.js'),
      uplotCssUri: media('uPlot.min.css'),
      cssUri: media('timeline.css'),
    });
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
    this._register(store.onDidUpdate((a) => (this.follows(a.uri) ? void this.push(a) : undefined)));
    this._register(store.onDidForget((uri) => (this.follows(uri) ? this.clear() : undefined)));
    // A run of the followed document: the flow of the analysis it replaces is not worth finishing
    // (and the run's compute would wait behind it in the worker).
    this._register(store.onWillRun((uri) => (this.follows(uri) ? this.flow.cancel() : undefined)));
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && this.isSequence(editor.document)) void this.follow(editor.document.uri);
      }),
    );
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.editorSelectionChanged(e)));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) this.sendSettings();
        const shown = this.analysis;
        if (!e.affectsConfiguration(SECTION) || !shown) return;
        // The store re-runs an open document on a settings change, and its new analysis brings a
        // new flow; a file read from disk is not re-run, so its flow is computed again here.
        setTimeout(() => {
          const doc = openDocument(shown.uri);
          if (!this.isDisposed && this.analysis === shown && !(doc && this.store.isPending(doc))) this.flow.show(shown, this.width, true);
        }, 0);
      }),
    );
  }

  private follows(uri: vscode.Uri): boolean {
    return this.uri?.toString() === uri.toString();
  }

  private clear(): void {
    this.analysis = undefined;
    this.post({ type: 'didClearTrace' });
  }

  /** CSV/TSV by name; JSON only when the store analyses it, so package.json does not take over the panel. */
  private isSequence(doc: vscode.TextDocument): boolean {
    const format = formatFromFileName(doc.fileName);
    if (format === 'csv' || format === 'tsv') return true;
    return this.store.latest(doc.uri) !== undefined;
  }

  /** Shows `uri`'s analysis (running it when there is none yet), then selects `step` (0-based). */
  async follow(uri: vscode.Uri | undefined, step?: number): Promise<void> {
    if (step !== undefined) this.pendingStep = step + 1;
    if (!uri) {
      if (!this.uri) this.post({ type: 'didClearTrace' });
      return;
    }
    const same = this.follows(uri);
    this.uri = uri;
    this.panel.title = `Timeline: ${basename(uri.path)}`;
    let analysis = this.store.latest(uri);
    const doc = openDocument(uri);
    if (doc && (!analysis || analysis.version !== doc.version)) analysis = (await this.store.run(doc)) ?? analysis;
    if (this.uri.toString() !== uri.toString()) return;
    if (!analysis) {
      this.clear();
      return;
    }
    if (same && analysis === this.analysis && this.pendingStep !== undefined) this.selectPending();
    else await this.push(analysis);
  }

  private async push(analysis: Analysis): Promise<void> {
    this.analysis = analysis;
    if (this.width === 0) return; // sent when the webview is ready
    const { trace, parsed } = analysis;
    const meta = { uri: analysis.uri.toString(), fileName: basename(analysis.fileName) };
    if (analysis.vector) {
      const firstOfDocument = meta.uri !== this.shownUri;
      const cursor = firstOfDocument ? await stepUnderCursor(analysis) : null;
      if (this.analysis !== analysis) return;
      this.post(vectorTraceMessage(analysis.vector, { ...meta, version: analysis.version, durationMs: analysis.durationMs }, this.width, this.pendingStep ?? cursor));
      this.pendingStep = undefined;
      this.shownUri = meta.uri;
      this.lastSentT = 0;
      return;
    }
    if (!trace) {
      if (parsed.errors.length === 0) this.post({ type: 'didClearTrace' });
      else
        this.post({
          type: 'didFailParse',
          ...meta,
          errors: parsed.errors.map((e) => ({ line: e.line + 1, col: e.col + 1, message: e.message })),
        });
      return;
    }
    const series = await this.seriesOf(trace, analysis);
    const overview = series && (await series.window(0, trace.T, this.width, yieldToEventLoop));
    // A newer analysis may have arrived while the series were prepared.
    if (!series || !overview || this.analysis !== analysis) return;
    // The webview selects this step (or keeps its own) and asks for its values: the one asked
    // for, else, for a document new to the panel, the one under the editor's cursor, so panel and
    // editor agree from the first paint. Edits and resizes keep the webview's own selection.
    const firstOfDocument = meta.uri !== this.shownUri;
    const select = this.pendingStep !== undefined && this.pendingStep <= trace.T ? this.pendingStep : firstOfDocument ? await stepUnderCursor(analysis) : null;
    if (this.analysis !== analysis) return;
    this.pendingStep = undefined;
    this.shownUri = meta.uri;
    this.post({
      type: 'didComputeTrace',
      summary: series.summary({ ...meta, version: analysis.version, durationMs: analysis.durationMs }),
      overview,
      select,
    });
    this.lastSentT = 0;
    this.flow.show(analysis, this.width);
  }

  private selectPending(): void {
    const t = this.pendingStep;
    this.pendingStep = undefined;
    if (t !== undefined) void this.sendStep(t, true);
  }

  /**
   * fillDerived and the running sums, once per trace, reused by every window: kept and reduced in
   * the worker when it computed the trace, else prepared here. Undefined when the worker no longer
   * has the trace (a newer run replaced it), or when a newer analysis is shown or on its way: no
   * point preparing them.
   */
  private seriesOf(trace: Trace, analysis: Analysis): Promise<SeriesSource | undefined> {
    let p = this.series.get(trace);
    if (!p) {
      const checks = analysis.checks;
      if (analysis.remote) p = analysis.remote.seriesOf(trace, checks).catch(() => undefined);
      else p = this.analysis === analysis && !this.newerRunPending(analysis) ? TraceSeries.prepare(trace, yieldToEventLoop, checks, checkOptionsOf(analysis)) : Promise.resolve(undefined);
      this.series.set(trace, p);
      // Not kept when skipped: should this analysis be shown again, it is prepared then.
      void p.then((series) => {
        if (!series) this.series.delete(trace);
      });
    }
    return p;
  }

  /**
   * A run of a later version of the document is scheduled or in flight. Not the run of this very
   * version: the store announces an analysis (onDidUpdate) before it forgets the run in flight, so
   * isPending alone is still true for it and the panel would never show an edit.
   */
  private newerRunPending(analysis: Analysis): boolean {
    const doc = openDocument(analysis.uri);
    return doc !== undefined && doc.version !== analysis.version && this.store.isPending(doc);
  }

  private sendSettings(): void {
    const s = readSettings(this.uri);
    this.post({
      type: 'didChangeSettings',
      precision: s.precision,
      vanishingThreshold: s.vanishingThreshold,
      explodingThreshold: s.explodingThreshold,
    });
  }

  /** Sends step t (1-based) with every per-step value the table shows. */
  private async sendStep(t: number, fromEditor: boolean): Promise<void> {
    const analysis = this.analysis;
    const vector = analysis?.vector;
    if (vector) {
      const m = vectorStepMessage(vector, t, fromEditor);
      if (m) this.post(m);
      if (m) this.lastSentT = t;
      return;
    }
    const trace = analysis?.trace;
    if (!analysis || !trace || t < 1 || t > trace.T) return;
    this.lastSentT = t;
    const step = await readStep(analysis, { index: t - 1 });
    if (!step || this.analysis !== analysis) return;
    this.post({
      type: 'didSelectStep',
      values: step.values,
      model: { ...trace.model },
      fromEditor,
    });
    this.flow.select(analysis, t);
  }

  private editorSelectionChanged(e: vscode.TextEditorSelectionChangeEvent): void {
    if (!this.uri || e.textEditor.document.uri.toString() !== this.uri.toString()) return;
    // Offsets are only meaningful against the analysis of this very document version.
    const analysis = this.store.current(e.textEditor.document);
    if (!(analysis?.trace || analysis?.vector?.trace) || analysis !== this.analysis) return;
    void stepIndexAt(analysis, e.textEditor.document, e.selections[0].active).then((step) => {
      if (step >= 0 && step + 1 !== this.lastSentT && this.analysis === analysis) return this.sendStep(step + 1, true);
    }, (err: unknown) => logError('timeline selection', err));
  }

  private receive(raw: unknown): void {
    const msg = validateWebviewMessage(raw);
    if (!msg) {
      log()?.warn(`timeline: ignored a malformed webview message (${describe(raw)})`);
      return;
    }
    this.handle(msg).catch((e) => logError(`timeline ${msg.type}`, e));
  }

  private async handle(msg: WebviewToHostMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.width = msg.width;
        this.sendSettings();
        if (this.analysis) await this.push(this.analysis);
        else await this.follow(this.uri);
        return;
      case 'didResize':
        // The webview keeps its zoom and selection because T is unchanged.
        this.width = msg.width;
        if (this.analysis) await this.push(this.analysis);
        return;
      case 'selectStep':
        await this.sendStep(msg.t, false);
        if (msg.reveal) await this.reveal(msg.t);
        return;
      case 'requestWindow': {
        const analysis = this.analysis;
        if (analysis?.vector) {
          const m = vectorWindowMessage(analysis.vector, msg.requestId, msg.start, msg.end, msg.width);
          if (m) this.post(m);
          return;
        }
        if (!analysis?.trace || msg.start >= analysis.trace.T) return;
        const series = await this.seriesOf(analysis.trace, analysis);
        if (!series) return;
        const window = await series.window(msg.start, msg.end, msg.width, yieldToEventLoop);
        if (this.analysis === analysis) this.post({ type: 'didLoadWindow', requestId: msg.requestId, window });
        return;
      }
      case 'revealClaim':
        await this.revealClaim(msg.index);
        return;
      case 'exportTrace':
        if (this.uri) await vscode.commands.executeCommand('bpttLens.exportTrace', this.uri, msg.format);
        return;
      case 'savePng':
        await savePng(this.uri, msg.dataUrl);
        return;
      default:
        assertNever(msg);
    }
  }

  /** Shows the step's row in its editor (beside the panel), puts the cursor there and flashes the line. */
  private async reveal(t: number): Promise<void> {
    const analysis = this.analysis;
    const parsed = analysis?.vector?.parsed ?? analysis?.parsed;
    if (!analysis || !(analysis.trace || analysis.vector?.trace) || !parsed || t > parsed.T) return;
    // The step's offsets: a vector document's are here; a scalar one's wherever its arrays are.
    const at = analysis.vector ? { line: parsed.line[t - 1], offset: parsed.rowStart[t - 1] } : await this.stepOffsets(analysis, t - 1);
    const editor = at && (await showEditorBeside(this.uri));
    if (!at || !editor) return;
    const doc = editor.document;
    // A scalar CSV/TSV row starts its line (no offset lookup); against a stale analysis the offsets
    // may be off, and the line number is the better guess too.
    const byLine = !analysis.vector && analysis.parsed.format !== 'json';
    const start = analysis.version === doc.version && !byLine ? doc.positionAt(at.offset) : new vscode.Position(Math.min(at.line, doc.lineCount - 1), 0);
    this.lastSentT = t;
    this.flasher.flash(editor, start);
  }

  /** Where step i (0-based) starts: its x[t] element (JSON) or its row, and its line. */
  private async stepOffsets(analysis: Analysis, i: number): Promise<{ line: number; offset: number } | null> {
    const step = await readStep(analysis, { index: i });
    return step && { line: step.line, offset: analysis.parsed.format === 'json' ? step.xStart : step.rowStart };
  }

  /** Shows claim `index` (validated against the report here, not trusted) at its formula, value or first cell. */
  private async revealClaim(index: number): Promise<void> {
    const analysis = this.analysis;
    const claim = analysis?.checks?.claims[index];
    if (!analysis || !claim) return;
    const editor = await showEditorBeside(this.uri);
    if (!editor) return;
    const doc = editor.document;
    const at = claim.error ?? claim;
    const start = analysis.version === doc.version ? doc.positionAt(at.offset) : new vscode.Position(Math.min(at.line, doc.lineCount - 1), 0);
    this.flasher.flash(editor, start);
  }

  /** After the panel closed, work still in flight (a push awaiting its series) posts nothing. */
  private post(msg: HostToWebviewMessage): void {
    if (this.isDisposed) return;
    this.panel.webview.postMessage(msg).then(undefined, (e: unknown) => logError(`timeline post ${msg.type}`, e));
  }
}

/** The tolerances the report was computed with (the bpttLens.check.* settings). */
function checkOptionsOf(analysis: Analysis): { rtol: number; atol: number } {
  const settings = readSettings(analysis.uri);
  return { rtol: settings.checkRtol, atol: settings.checkAtol };
}

function describe(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return typeof raw;
  try {
    const type = (raw as { type?: unknown }).type;
    return typeof type === 'string' ? `type ${JSON.stringify(type.slice(0, 40))}` : 'no type';
  } catch {
    return 'unreadable';
  }
}
