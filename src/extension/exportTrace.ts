/**
 * "Export Trace…": every per-step quantity, in the CLI's exact fields (core/serialize), to a CSV or
 * JSON file. The text is built chunk by chunk with a yield between chunks, so a 10⁶-step export
 * keeps the extension host responsive; a large document's is built in the worker, which keeps its trace.
 */
import * as vscode from 'vscode';
import type { ExportFormat } from '../shared/protocol';
import { yieldToEventLoop } from './eventLoop';
import { progressIfSlow } from './progress';
import { concatBytes, traceChunks } from './traceText';
import type { Analysis } from './types';

async function encodeChunks(chunks: Iterable<string>): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let last = performance.now();
  for (const chunk of chunks) {
    parts.push(encoder.encode(chunk));
    if (performance.now() - last > 10) {
      await yieldToEventLoop();
      last = performance.now();
    }
  }
  return concatBytes(parts);
}

export async function writeTrace(analysis: Analysis, format: ExportFormat, target: vscode.Uri): Promise<void> {
  const trace = analysis.trace;
  if (!trace) throw new Error('the file has parse errors; there is no trace to export');
  // A large document's trace is in the worker, which writes the text there.
  const bytes = analysis.remote ? analysis.remote.exportBytes(format) : encodeChunks(traceChunks(trace, analysis.parsed.line, format));
  const work = bytes.then((b) => vscode.workspace.fs.writeFile(target, b));
  await progressIfSlow(Promise.resolve(work), `BPTT Lens: exporting ${trace.T} steps…`);
}

export async function pickFormat(): Promise<ExportFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'CSV', description: 'one row per step', detail: 't, line, x, y, s, h, yhat, loss, dL_dyhat, dL_dh, dL_dh_local, dL_dh_recurrent, dL_ds', format: 'csv' as const },
      { label: 'JSON', description: 'model, L, gradients and one object per step', detail: 'the same fields as `bptt-lens --json`', format: 'json' as const },
    ],
    { title: 'BPTT Lens: Export Trace', placeHolder: 'File format' },
  );
  return picked?.format;
}

export async function pickTarget(source: vscode.Uri, format: ExportFormat): Promise<vscode.Uri | undefined> {
  const base = source.path.replace(/\.[^./]*$/, '');
  const defaultUri = source.scheme === 'untitled' ? undefined : source.with({ path: `${base}.trace.${format}` });
  return vscode.window.showSaveDialog({
    title: 'BPTT Lens: Export Trace',
    defaultUri,
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    saveLabel: 'Export',
  });
}
