/**
 * "BPTT Lens: Check Gradients Numerically": the gradcheck (src/gradcheck) of the active sequence
 * in the worker thread, shown as a read-only markdown document (a virtual document of scheme
 * `bptt-lens-gradcheck`) with a one-line summary notification.
 */
import * as vscode from 'vscode';
import { MAX_ALL_STEPS, type GradcheckReport } from '../gradcheck';
import { basename } from '../shared/basename';
import { readSettings } from './config';
import { Disposable } from './dispose';
import { readTextSlices } from './documentText';
import { gradcheckMarkdown, gradcheckSummary } from './gradcheckReport';
import { runGradcheck } from './gradcheckRun';
import { guarded } from './log';
import { progressIfSlow } from './progress';
import { activeSequenceUri, formatOf, openDocument, toUri } from './sequenceDocument';
import type { WorkerClient } from './workerClient';
import type { GradcheckResult, WorkerInput } from './workerProtocol';
import { formatFromFileName } from '../parse';

export const REPORT_SCHEME = 'bptt-lens-gradcheck';

/** What the command returns (tests): the report and the document that shows it. */
export interface GradcheckOutcome {
  report: GradcheckReport;
  document: string;
  summary: string;
}

/** Command arguments: `{ uri, t }` from the hover link, a Uri or its string, or nothing (the active file). */
function parseArgs(arg: unknown): { uri: vscode.Uri | undefined; t: number | undefined } {
  if (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri)) {
    const o = arg as { uri?: unknown; t?: unknown };
    return { uri: toUri(o.uri), t: typeof o.t === 'number' && Number.isInteger(o.t) && o.t >= 1 ? o.t : undefined };
  }
  return { uri: toUri(arg), t: undefined };
}

export class GradcheckCommand extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly reports = new Map<string, string>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly worker: WorkerClient) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this));
    this._register(
      vscode.commands.registerCommand('bpttLens.checkGradientsNumerically', (arg?: unknown) =>
        guarded<GradcheckOutcome | undefined>('gradcheck', undefined, () => this.run(arg), (e) => {
          void vscode.window.showErrorMessage(`BPTT Lens: Check Gradients Numerically failed: ${e instanceof Error ? e.message : String(e)}`);
        }),
      ),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? 'This gradcheck report is no longer available; run "BPTT Lens: Check Gradients Numerically" again.\n';
  }

  private async run(arg: unknown): Promise<GradcheckOutcome | undefined> {
    const { uri: given, t } = parseArgs(arg);
    const uri = given ?? activeSequenceUri();
    if (!uri) {
      void vscode.window.showWarningMessage('BPTT Lens: open a CSV, TSV or JSON sequence file first.');
      return undefined;
    }
    const document = openDocument(uri);
    const format = document ? formatOf(document) : formatFromFileName(uri.path);
    const input = await this.inputOf(uri, document);
    if (!format || !input) return undefined;
    const name = basename(uri.path);
    // Every step up to MAX_ALL_STEPS, else only the one asked for (the six parameters always).
    const steps = t !== undefined ? [t] : undefined;
    const defaults = readSettings(uri).defaults;
    const work: Promise<GradcheckResult> = this.worker.available()
      ? this.worker.gradcheck(input, format, defaults, steps)
      : Promise.resolve(runGradcheck(input, { format, defaults, steps }));
    const result = await progressIfSlow(work, `BPTT Lens: numerical gradient check of ${name}…`);
    if ('parseError' in result) {
      void vscode.window.showErrorMessage(`BPTT Lens: ${name} does not parse (${result.parseError}); fix it to check the gradients.`);
      return undefined;
    }
    const report = result.report;
    const target = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}${t !== undefined ? ` step ${t}` : ''} gradcheck.md` });
    this.reports.set(target.toString(), gradcheckMarkdown(report, name + (t !== undefined ? `, step ${t}` : report.T > MAX_ALL_STEPS ? ' (parameters)' : '')));
    this.changed.fire(target);
    const shown = await vscode.workspace.openTextDocument(target);
    await vscode.languages.setTextDocumentLanguage(shown, 'markdown');
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    const summary = gradcheckSummary(report);
    void vscode.window.showInformationMessage(`BPTT Lens: ${summary} (${name})`);
    return { report, document: target.toString(), summary };
  }

  /** The text to check: the open document's (slices, without blocking, when large), else the file's bytes. */
  private async inputOf(uri: vscode.Uri, document: vscode.TextDocument | undefined): Promise<WorkerInput | undefined> {
    if (document) {
      if (document.lineCount <= 20_000) return { slices: [new TextEncoder().encode(document.getText())] };
      const slices = await readTextSlices(document);
      return slices && { slices };
    }
    return { bytes: await vscode.workspace.fs.readFile(uri) };
  }
}
