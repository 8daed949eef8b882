/**
 * One analysis per document version. Runs follow edits (debounced) and saves for documents that
 * carry a directive or on which the user ran the command; closing a document drops its analysis.
 * Readers get either the analysis of exactly the version they hold or nothing, never a stale one.
 */
import * as vscode from 'vscode';
import type { SequenceFormat } from '../parse';
import { basename } from '../shared/basename';
import { formatMB } from '../shared/mb';
import { compute, type ComputeOptions, type Computed } from './compute';
import { onDidChangeSettings, readFlowSettings, readSettings } from './config';
import { Disposable, toDisposable } from './dispose';
import { mayHaveClaims, mayHaveDirective } from './documentFormat';
import { readTextSlices } from './documentText';
import { timed } from './hostTiming';
import { logError } from './log';
import type { Problem } from './problems';
import { progressIfSlow } from './progress';
import { formatOf, openDocument } from './sequenceDocument';
import type { Analysis, AnalysisSource } from './types';
import type { WorkerClient } from './workerClient';
import { decodeInput, type WorkerInput } from './workerProtocol';
import { analyzeVector, type WeightsAccess } from './vector/analyze';
import { vectorComputed } from './vector/computed';
import { preReadWeights, sentWeights, sniffVector, vectorAnalysisOf, type VectorSniff } from './vector/offThread';

/** Version given to analyses of files read from disk (no TextDocument, so no version). */
export const NO_DOCUMENT_VERSION = 0;

const SNIFF_LINES = 1000;
const MAX_WHOLE_TEXT_LINES = 20_000;

/**
 * Where a directive can be: the first and last lines of the document (a whole-text `getText()`
 * would block on 10⁶ lines). A `# bptt:` line sits above the header; a JSON `"bptt"` key usually
 * at the top, sometimes after the arrays.
 */
function sniffText(document: vscode.TextDocument): string {
  const n = document.lineCount;
  if (n <= 2 * SNIFF_LINES) return document.getText();
  const head = document.getText(new vscode.Range(0, 0, SNIFF_LINES, 0));
  const tail = document.getText(new vscode.Range(n - SNIFF_LINES, 0, n - 1, document.lineAt(n - 1).text.length));
  return head + tail;
}

/** The first and last 64 KB of a file's bytes as text: where its directive or "weights" key is. */
function headAndTail(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8');
  const span = 64 * 1024;
  if (bytes.length <= 2 * span) return decoder.decode(bytes);
  return decoder.decode(bytes.subarray(0, span)) + '\n' + decoder.decode(bytes.subarray(bytes.length - span));
}

function computeOptions(uri: vscode.Uri, s = readSettings(uri)): ComputeOptions {
  const { truncate, horizon } = readFlowSettings(uri);
  return {
    defaults: s.defaults,
    problems: { gradientWarnings: s.gradientWarnings, vanishingThreshold: s.vanishingThreshold, explodingThreshold: s.explodingThreshold },
    check: { rtol: s.checkRtol, atol: s.checkAtol },
    truncation: { truncate, horizon },
  };
}

/** A vector document's weights: through the editor's file system, from the workspace folders on the document's own file system. */
function weightsAccess(uri: vscode.Uri): WeightsAccess {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === uri.scheme && f.uri.authority === uri.authority).map((f) => f.uri.path);
  return { sequencePath: uri.path, roots, read: (path) => Promise.resolve(vscode.workspace.fs.readFile(uri.with({ path }))) };
}

/** The AnalysisSource of every feature: it owns the runs, their results and the listeners that start them. */
export class AnalysisStore extends Disposable implements AnalysisSource {
  private readonly cache = new Map<string, Analysis>();
  private readonly inflight = new Map<string, { version: number; promise: Promise<Analysis | undefined> }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Documents the user ran the command on: followed even without a directive. */
  private readonly tracked = new Set<string>();
  private readonly problemsByAnalysis = new WeakMap<Analysis, Problem[]>();
  private readonly willRun = this._register(new vscode.EventEmitter<vscode.Uri>());
  private readonly updated = this._register(new vscode.EventEmitter<Analysis>());
  private readonly forgot = this._register(new vscode.EventEmitter<vscode.Uri>());

  readonly onWillRun = this.willRun.event;
  readonly onDidUpdate = this.updated.event;
  readonly onDidForget = this.forgot.event;

  constructor(private readonly worker: WorkerClient) {
    super();
    this._register(
      toDisposable(() => {
        for (const t of this.timers.values()) clearTimeout(t);
        this.timers.clear();
      }),
    );
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.opened(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)));
    this._register(vscode.workspace.onDidSaveTextDocument((d) => this.saved(d)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.closed(d)));
    this._register(onDidChangeSettings(() => this.rerunAll()));
    this._register(worker.onDidLoseResults(() => this.lostResults()));
    for (const d of vscode.workspace.textDocuments) this.opened(d);
  }

  latest(uri: vscode.Uri): Analysis | undefined {
    return this.cache.get(uri.toString());
  }

  current(document: vscode.TextDocument): Analysis | undefined {
    const a = this.cache.get(document.uri.toString());
    return a && a.version === document.version ? a : undefined;
  }

  /** From now on, follow this document's edits and saves. */
  track(uri: vscode.Uri): void {
    this.tracked.add(uri.toString());
  }

  /** True while a run for this document is scheduled or in flight. */
  isPending(document: vscode.TextDocument): boolean {
    const key = document.uri.toString();
    return this.timers.has(key) || this.inflight.get(key)?.version === document.version;
  }

  run(document: vscode.TextDocument, force = false): Promise<Analysis | undefined> {
    const key = document.uri.toString();
    this.cancelTimer(key);
    if (!force) {
      const done = this.current(document);
      if (done) return Promise.resolve(done);
      const running = this.inflight.get(key);
      if (running && running.version === document.version) return running.promise;
    }
    const format = formatOf(document);
    if (!format) return Promise.resolve(undefined);
    this.willRun.fire(document.uri);
    const settings = readSettings(document.uri);
    const version = document.version;
    // Up to MAX_WHOLE_TEXT_LINES lines, getText() is cheap; beyond, it joins every line in one
    // blocking call, so the text is read in slices (and then always computed in the worker).
    const text = document.lineCount <= MAX_WHOLE_TEXT_LINES ? document.getText() : undefined;
    const options = computeOptions(document.uri, settings);
    const start = async (): Promise<Computed | undefined> => {
      const t0 = performance.now();
      if (text !== undefined && text.length < settings.workerThresholdBytes) {
        const vector = await analyzeVector(text, format, options.defaults, weightsAccess(document.uri), options.check);
        return vector ? vectorComputed(vector, format, options.defaults, performance.now() - t0) : compute(text, format, options);
      }
      // Large: the head alone says whether it is a vector-model file; either way the worker computes it,
      // and it starts while the text is read, not after.
      this.worker.warm();
      const read = async (): Promise<Uint8Array[] | undefined> => (text !== undefined ? [new TextEncoder().encode(text)] : readTextSlices(document, format === 'json'));
      const sniff = sniffVector(text ?? sniffText(document), format);
      if (sniff.vector) {
        const slices = await read();
        if (!slices) return undefined;
        const vector = await this.vectorInWorker({ slices }, sniff, format, options, document.uri);
        // null: the whole text names no weights after all; its slices moved to the worker, so they are read again.
        if (vector) return vector;
      }
      const slices = await read();
      return slices && this.inWorker({ slices }, format, options);
    };
    // If the text changed while it was read in slices, the caller gets the run of the new text.
    const promise = this.finish(document.uri, version, document.fileName, start(), `${document.lineCount.toLocaleString('en-US')} lines`).then(
      (a) => a ?? (document.isClosed || document.version === version ? undefined : this.run(document)),
    );
    this.inflight.set(key, { version, promise });
    const clear = (): void => {
      if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  /** Analyses a file that has no TextDocument (too large for VS Code to sync): bytes go to the worker. */
  runBytes(uri: vscode.Uri, bytes: Uint8Array, format: SequenceFormat): Promise<Analysis | undefined> {
    const options = computeOptions(uri);
    const sniff = sniffVector(headAndTail(bytes), format);
    const work = async (): Promise<Computed> => {
      const vector = sniff.vector ? await this.vectorInWorker({ bytes }, sniff, format, options, uri) : null;
      // null: no weights after all; the bytes moved to the worker, so the file is read again.
      return vector ?? this.inWorker({ bytes: sniff.vector ? await vscode.workspace.fs.readFile(uri) : bytes }, format, options);
    };
    return this.finish(uri, NO_DOCUMENT_VERSION, uri.path, work(), formatMB(bytes.byteLength));
  }

  /** Re-runs every analysed or followed open document (after a settings change). */
  private rerunAll(): void {
    for (const d of vscode.workspace.textDocuments) {
      const key = d.uri.toString();
      if (this.cache.has(key) || this.tracked.has(key)) void this.run(d, true);
    }
  }

  /**
   * The worker died, and with it the per-step arrays of every large document it computed: those
   * analyses go, and open documents run again (a file read from disk has to be run again by hand).
   */
  private lostResults(): void {
    for (const [key, analysis] of [...this.cache]) {
      if (!analysis.remote) continue;
      this.cache.delete(key);
      const document = openDocument(analysis.uri);
      if (document) this.schedule(document, 0);
      else this.forgot.fire(analysis.uri);
    }
  }

  /** Off the event loop; inline (slow but still correct) only if the worker script is missing. */
  private inWorker(input: WorkerInput, format: SequenceFormat, options: ComputeOptions): Promise<Computed> {
    if (this.worker.available()) return this.worker.compute(input, format, options);
    logError('worker', new Error('dist/worker.js is missing; computing on the extension host'));
    return Promise.resolve(compute(decodeInput(input), format, options));
  }

  /** A large vector-model document: the weights it names read here (workspace.fs, path rules), the rest in the worker; null when it is not one. */
  private async vectorInWorker(input: WorkerInput, sniff: VectorSniff, format: SequenceFormat, options: ComputeOptions, uri: vscode.Uri): Promise<Computed | null> {
    const io = weightsAccess(uri);
    const weights = await preReadWeights(sniff.files, io);
    if (!this.worker.available()) {
      logError('worker', new Error('dist/worker.js is missing; computing on the extension host'));
      const t0 = performance.now();
      const v = await analyzeVector(decodeInput(input), format, options.defaults, sentWeights(io.sequencePath, io.roots, weights), options.check);
      return v ? vectorComputed(v, format, options.defaults, performance.now() - t0) : null;
    }
    const r = await this.worker.computeVector({ format, defaults: options.defaults, input, sequencePath: io.sequencePath, roots: [...io.roots], weights, check: options.check });
    return r ? vectorComputed(vectorAnalysisOf(r), format, options.defaults, r.durationMs) : null;
  }

  /** The Problems panel entries computed with the analysis. */
  problems(analysis: Analysis): Problem[] {
    return this.problemsByAnalysis.get(analysis) ?? [];
  }

  private async finish(uri: vscode.Uri, version: number, fileName: string, work: Promise<Computed | undefined>, size: string): Promise<Analysis | undefined> {
    const computed = await progressIfSlow(work, `BPTT Lens: backward pass on ${basename(uri.path)} (${size})…`);
    // The document changed while its text was read: a newer run is already scheduled.
    if (!computed) return undefined;
    const analysis: Analysis = { uri, version, fileName, parsed: computed.parsed, trace: computed.trace, checks: computed.checks, durationMs: computed.durationMs, remote: computed.remote, truncated: computed.truncated, vector: computed.vector };
    this.problemsByAnalysis.set(analysis, computed.problems);
    const key = uri.toString();
    const isDocument = version !== NO_DOCUMENT_VERSION;
    if (isDocument && !openDocument(uri)) {
      analysis.remote?.forget();
      return undefined;
    }
    const previous = this.cache.get(key);
    // Runs may finish out of order (worker vs. inline); an older version never replaces a newer one.
    if (previous && previous.version > version) {
      analysis.remote?.forget();
      return analysis;
    }
    this.cache.set(key, analysis);
    // The worker may drop what it kept of the analysis this one replaces.
    if (previous !== analysis) previous?.remote?.forget();
    timed('onDidUpdate', () => this.updated.fire(analysis));
    return analysis;
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    this.cancelTimer(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.run(document).catch((e) => logError('run', e));
      }, delayMs),
    );
  }

  private cancelTimer(key: string): void {
    const t = this.timers.get(key);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(key);
  }

  private follows(document: vscode.TextDocument): boolean {
    const key = document.uri.toString();
    return this.cache.has(key) || this.tracked.has(key) || this.inflight.has(key);
  }

  /** A directive, or claims to check: either makes a document analysed without the command. */
  private asksForAnalysis(document: vscode.TextDocument): boolean {
    const format = formatOf(document);
    if (format === undefined) return false;
    const text = sniffText(document);
    return mayHaveDirective(text, format) || mayHaveClaims(text, format);
  }

  private opened(document: vscode.TextDocument): void {
    try {
      // A document this long is computed in the worker when it runs: the worker starts now, so that
      // its start (~300 ms in the web host, which fetches and evaluates its script) is not on the
      // way of the first run.
      if (document.lineCount > MAX_WHOLE_TEXT_LINES && formatOf(document)) this.worker.warm();
      if (this.follows(document) || this.asksForAnalysis(document)) this.schedule(document, 0);
    } catch (e) {
      logError('open', e);
    }
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    try {
      if (e.contentChanges.length === 0) return;
      // An unfollowed document is read again only when an edit may have typed a directive or a claim.
      const mayAsk = /bptt|check|dL_d/i;
      const touchesDirective = e.contentChanges.some((c) => {
        const line = Math.min(c.range.start.line, e.document.lineCount - 1);
        return mayAsk.test(c.text) || (line >= 0 && mayAsk.test(e.document.lineAt(line).text));
      });
      const follow = this.follows(e.document) || (touchesDirective && this.asksForAnalysis(e.document));
      if (follow) this.schedule(e.document, readSettings(e.document.uri).debounceMs);
    } catch (err) {
      logError('change', err);
    }
  }

  private saved(document: vscode.TextDocument): void {
    if (this.follows(document)) this.run(document).catch((e) => logError('save', e));
  }

  private closed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.cancelTimer(key);
    this.inflight.delete(key);
    const analysis = this.cache.get(key);
    if (!analysis) return;
    this.cache.delete(key);
    analysis.remote?.forget();
    this.forgot.fire(document.uri);
  }
}
