/**
 * A large document's text without blocking the extension host: `getText()` on 10⁶ lines joins
 * them all in one go (~100 ms), so the text is read in slices of lines with a yield between
 * slices. The slices joined are exactly `getText()` (same line ends), so offsets agree. Each
 * slice is UTF-8 encoded at once so it can be transferred to the worker rather than copied
 * (copying 10 MB of strings in one postMessage blocks for ~25 ms).
 */
import * as vscode from 'vscode';
import { yieldToEventLoop } from './eventLoop';
import { recordPhase, timed } from './hostTiming';

/**
 * 20 000 lines of a 10⁶-row CSV (~200 KB) read and encode in ~5 ms on an idle machine; slices of
 * 50 000 took 8–50 ms in the web host on the loaded 2-core test machine (BENCHMARKS.md).
 */
const LINES_PER_SLICE = 20_000;

/**
 * The document's text in UTF-8 slices, or undefined when the document changed while it was read.
 * `lineTable`: also extend VS Code's line-offset table as it goes (a JSON document's steps are found
 * by offset; a CSV/TSV one's by line, steps.ts, and then the table is never built).
 */
export async function readTextSlices(document: vscode.TextDocument, lineTable = true): Promise<Uint8Array[] | undefined> {
  const t0 = performance.now();
  const version = document.version;
  const n = document.lineCount;
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const changed = (): boolean => document.isClosed || document.version !== version;
  for (let a = 0; a < n; a += LINES_PER_SLICE) {
    // Each slice in a task of its own, apart from the caller's synchronous work too.
    await yieldToEventLoop();
    if (changed()) return undefined;
    const b = a + LINES_PER_SLICE;
    const end = b < n ? new vscode.Position(b, 0) : document.lineAt(n - 1).range.end;
    parts.push(timed('slice', () => encoder.encode(document.getText(new vscode.Range(a, 0, end.line, end.character)))));
    // VS Code builds its line-offset table lazily, up to the line asked for; extending it slice by
    // slice here spares the first hover (offsetAt) a 10⁶-line build in one blocking call. Its
    // first call also allocates the line-length table of every line (~10 ms on 10⁶ lines), so
    // it gets a task of its own, not the slice's.
    if (!lineTable) continue;
    await yieldToEventLoop();
    if (changed()) return undefined;
    timed('offsetAt', () => document.offsetAt(end));
  }
  recordPhase('readTextSlices', performance.now() - t0);
  return parts;
}
