/**
 * Performance inside the real extension host, on a 10⁶-step file: time from the command to hovers,
 * hover latency (measured in the host, without IPC) and the longest event-loop block while the
 * file is parsed and computed. Numbers go to the log and to test-results/perf/extension.json.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, closeAllEditors, expected, hoverAt, writeTemp } from './helpers';

const T = 1_000_000;

/**
 * Writes the file in chunks of 10⁴ rows: building one 10⁶-row string here would leave megabytes
 * of garbage in the extension host, and the collector would then pause during the measurement.
 */
function writeBigCsv(name: string, rows: number, directive: string): { uri: vscode.Uri; bytes: number } {
  const uri = writeTemp(name, `${directive}\nx,y\n`);
  const fd = fs.openSync(uri.fsPath, 'a');
  let bytes = directive.length + 5;
  try {
    for (let k0 = 0; k0 < rows; k0 += 10_000) {
      let chunk = '';
      for (let k = k0; k < Math.min(rows, k0 + 10_000); k++) {
        const x = Math.sin(k * 0.37).toFixed(5);
        chunk += k % 10 === 9 ? `${x},${Math.cos(k * 0.11).toFixed(4)}\n` : `${x},\n`;
      }
      fs.writeSync(fd, chunk);
      bytes += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { uri, bytes };
}

/** Longest gap between 1 ms ticks on this (the extension host's) event loop. */
function driftMonitor(): { stop(): number } {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last);
    },
  };
}

function record(results: Record<string, unknown>): void {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const dir = path.join(ext?.extensionPath ?? '.', 'test-results', 'perf');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'extension.json'), JSON.stringify({ date: new Date().toISOString(), T, ...results }, null, 2));
  console.log(`[bptt-perf] ${JSON.stringify(results)}`);
}

describe('Performance (10⁶ steps)', function () {
  this.timeout(300_000);
  const results: Record<string, unknown> = {};
  after(async () => {
    record(results);
    await closeAllEditors();
  });

  it('from the command to hovers without blocking the extension host > 50 ms', async () => {
    // No directive, so nothing runs on open: the command does all the work.
    const { uri, bytes } = writeBigCsv('million.csv', T, '# 10⁶ steps for the performance test');
    results.fileMB = +(bytes / 1e6).toFixed(1);
    let t = performance.now();
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    results.openDocumentMs = +(performance.now() - t).toFixed(0);
    // VS Code's own extensions (merge-conflict reads the whole text) react to the new editor:
    // let them finish, and record what they block, so the window below measures BPTT Lens.
    const settle = driftMonitor();
    await new Promise((r) => setTimeout(r, 3000));
    results.longestBlockAfterOpenMs = +settle.stop().toFixed(1);

    const drift = driftMonitor();
    t = performance.now();
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const middle = new vscode.Position(Math.floor(doc.lineCount / 2), 1);
    const md = await hoverAt(uri, middle);
    results.commandToHoverMs = +(performance.now() - t).toFixed(0);
    results.longestBlockDuringCommandMs = +drift.stop().toFixed(1);
    assert.ok(md?.includes(' of 1000000**'), md);

    const run = await vscode.commands.executeCommand<{ totalMs: number; computeMs: number; longestBlockMs: number; histogramMaxMs: number }>('bpttLens._measureRun', uri.toString());
    results.rerun = run;
    // Steady state: after the background work of the run (timeline series), with a warm JIT.
    await new Promise((r) => setTimeout(r, 1000));
    await vscode.commands.executeCommand('bpttLens._measureHover', uri.toString(), 200);
    const hover = await vscode.commands.executeCommand<{ p50: number; p99: number; max: number; shown: number }>('bpttLens._measureHover', uri.toString(), 1000);
    results.hover = hover;
    assert.strictEqual(hover.shown, 1000);
    assert.ok(hover.p99 <= 2, `hover p99 ${hover.p99} ms`);
    assert.ok(run.longestBlockMs <= 50, `longest block while re-running ${run.longestBlockMs} ms`);
    assert.ok((results.longestBlockDuringCommandMs as number) <= 50, `longest block during the command ${results.longestBlockDuringCommandMs} ms`);
  });

  it('a file over 50 MB (not synced to extensions) is read from disk and computed in the worker', async () => {
    const rows = 5_600_000;
    const { uri, bytes } = writeBigCsv('huge.csv', rows, '# bptt: w=0.5 v=1');
    assert.ok(bytes > 50 * 1024 * 1024, `${bytes} bytes`);
    const t = performance.now();
    const summary = await vscode.commands.executeCommand<{ T: number; loss: number; errors: number }>('bpttLens.runBackwardPass', uri);
    results.over50MB = { MB: +(bytes / 1e6).toFixed(0), commandMs: +(performance.now() - t).toFixed(0) };
    const ref = expected(fs.readFileSync(uri.fsPath, 'utf8'), 'huge.csv');
    assert.strictEqual(summary?.errors, 0);
    assert.strictEqual(summary?.T, rows);
    assert.strictEqual(summary?.loss, ref.trace.loss);
  });
});
