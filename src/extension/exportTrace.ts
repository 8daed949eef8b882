/**
 * "Export Trace…": every per-step quantity, in the CLI's exact fields (core/serialize), to a CSV or
 * JSON file. The text is built chunk by chunk with a yield between chunks, so a 10⁶-step export
 * keeps the extension host responsive.
 */
import * as vscode from 'vscode';
import { traceCsvChunks, traceJsonChunks, type Trace } from '../core';
import type { ExportFormat } from '../shared/protocol';
import { yieldToEventLoop } from './eventLoop';
import { progressIfSlow } from './progress';
import type { Analysis } from './types';

async function encodeChunks(chunks: Iterable<string>): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let size = 0;
  let last = performance.now();
  for (const chunk of chunks) {
    const bytes = encoder.encode(chunk);
    parts.push(bytes);
    size += bytes.byteLength;
    if (performance.now() - last > 10) {
      await yieldToEventLoop();
      last = performance.now();
    }
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function traceChunks(trace: Trace, lines: Int32Array, format: ExportFormat): Iterable<string> {
  return format === 'csv' ? traceCsvChunks(trace, lines) : traceJsonChunks(trace, lines);
}

export async function writeTrace(analysis: Analysis, format: ExportFormat, target: vscode.Uri): Promise<void> {
  const trace = analysis.trace;
  if (!trace) throw new Error('the file has parse errors; there is no trace to export');
  const work = encodeChunks(traceChunks(trace, analysis.parsed.line, format)).then((bytes) => vscode.workspace.fs.writeFile(target, bytes));
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
