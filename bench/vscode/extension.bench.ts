/**
 * Extension-host figures on a 10⁶-step file, in the real extension host (VS Code 1.100.3 via
 * code-server; `npm run bench` → scripts/test-vscode.mjs --bench):
 *   - command → hovers ready (wall time from `runBackwardPass` to the first hover at the middle row);
 *   - the longest event-loop block in the extension host during the first run and during re-runs;
 *   - hover latency p50/p99/max: the provider called directly in the host (no IPC), 1000 calls.
 * Prints the figures with the targets (hover p99 ≤ 2 ms, longest block ≤ 50 ms) and writes
 * test-results/perf/extension.json. Fails only when something breaks (no hover, wrong T), never on time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { driftMonitor } from '../../src/extension/driftMonitor';
import { EXTENSION_ID, closeAllEditors, hoverAt, writeBigCsv } from '../../test/suite/helpers';

const T = 1_000_000;
const RERUNS = 5;
const HOVER_ROUNDS = 3;
const TARGET = { hoverP99Ms: 2, longestBlockMs: 50 };

const r1 = (n: number): number => +n.toFixed(1);
const r3 = (n: number): number => +n.toFixed(3);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const verdict = (value: number, target: number): string => (value <= target ? 'ok' : 'OVER');

interface RunFigures {
  totalMs: number;
  computeMs: number;
  longestBlockMs: number;
  histogramMaxMs: number;
}
interface HoverFigures {
  n: number;
  shown: number;
  p50: number;
  p99: number;
  max: number;
}

describe('Extension host (10⁶ steps)', function () {
  this.timeout(600_000);
  const results: Record<string, unknown> = {};

  after(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const dir = path.join(ext?.extensionPath ?? '.', 'test-results', 'perf');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'extension.json'), JSON.stringify({ date: new Date().toISOString(), T, targets: TARGET, ...results }, null, 2));
    console.log(`[bptt-perf] ${JSON.stringify(results)}`);
    await closeAllEditors();
  });

  it('command → hovers, event-loop blocks, hover latency', async () => {
    // No directive, so nothing runs on open: the command does all the work.
    const { uri, bytes } = writeBigCsv('million.csv', T, '# 10⁶ steps for the extension benchmark');
    results.fileMB = +(bytes / 1e6).toFixed(1);
    let t = performance.now();
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    results.openDocumentMs = Math.round(performance.now() - t);
    // VS Code's own extensions (merge-conflict reads the whole text) react to the new editor:
    // let them finish, and record what they block, so the window below measures BPTT Lens.
    const settle = driftMonitor();
    await new Promise((r) => setTimeout(r, 3000));
    results.longestBlockAfterOpenMs = r1(settle.stop());

    const drift = driftMonitor();
    t = performance.now();
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const md = await hoverAt(uri, new vscode.Position(Math.floor(doc.lineCount / 2), 1));
    results.commandToHoverMs = Math.round(performance.now() - t);
    results.longestBlockFirstRunMs = r1(drift.stop());
    assert.ok(md?.includes(` of ${T}**`), `hover at the middle row: ${md}`);

    const reruns: RunFigures[] = [];
    for (let k = 0; k < RERUNS; k++) {
      const run = await vscode.commands.executeCommand<RunFigures & { T: number }>('bpttLens._measureRun', uri.toString());
      assert.strictEqual(run?.T, T, 'the re-run analysed the whole file');
      reruns.push({ totalMs: r1(run.totalMs), computeMs: r1(run.computeMs), longestBlockMs: r1(run.longestBlockMs), histogramMaxMs: r1(run.histogramMaxMs) });
      await new Promise((r) => setTimeout(r, 300));
    }
    results.reruns = reruns;
    results.rerunLongestBlockMs = { median: median(reruns.map((r) => r.longestBlockMs)), max: Math.max(...reruns.map((r) => r.longestBlockMs)) };
    results.rerunTotalMs = { median: median(reruns.map((r) => r.totalMs)), max: Math.max(...reruns.map((r) => r.totalMs)) };

    // Steady state: after the background work of the runs (timeline series), with a warm JIT.
    await new Promise((r) => setTimeout(r, 1000));
    await vscode.commands.executeCommand('bpttLens._measureHover', uri.toString(), 200);
    const hovers: HoverFigures[] = [];
    for (let k = 0; k < HOVER_ROUNDS; k++) {
      const h = await vscode.commands.executeCommand<HoverFigures>('bpttLens._measureHover', uri.toString(), 1000);
      assert.ok(h, 'the hover measurement found the analysis of the open document');
      assert.strictEqual(h.shown, 1000, 'every one of the 1000 hovers has content');
      hovers.push({ n: h.n, shown: h.shown, p50: r3(h.p50), p99: r3(h.p99), max: r3(h.max) });
    }
    results.hoverRounds = hovers;
    // The round with the median p99 (the machine is noisy; the rounds show the spread).
    const mid = [...hovers].sort((a, b) => a.p99 - b.p99)[Math.floor(hovers.length / 2)];
    results.hover = mid;

    const lines = [
      `extension host, T = ${T} (${results.fileMB} MB CSV)`,
      `  open document (VS Code)              ${results.openDocumentMs} ms`,
      `  command → hovers ready               ${results.commandToHoverMs} ms`,
      `  longest block, first run             ${results.longestBlockFirstRunMs} ms   target ≤ ${TARGET.longestBlockMs} ms: ${verdict(results.longestBlockFirstRunMs as number, TARGET.longestBlockMs)}`,
      `  longest block, re-run (median/max)   ${(results.rerunLongestBlockMs as { median: number }).median} / ${(results.rerunLongestBlockMs as { max: number }).max} ms   target ≤ ${TARGET.longestBlockMs} ms: ${verdict((results.rerunLongestBlockMs as { max: number }).max, TARGET.longestBlockMs)}`,
      `  re-run total (median/max)            ${(results.rerunTotalMs as { median: number }).median} / ${(results.rerunTotalMs as { max: number }).max} ms`,
      `  hover p50 / p99 / max                ${mid.p50} / ${mid.p99} / ${mid.max} ms   target p99 ≤ ${TARGET.hoverP99Ms} ms: ${verdict(mid.p99, TARGET.hoverP99Ms)}`,
      `  hover p99 per round                  ${hovers.map((h) => h.p99).join(', ')} ms`,
      `  (blocks by VS Code itself after open: ${results.longestBlockAfterOpenMs} ms, not counted)`,
    ];
    console.log(lines.join('\n'));
  });
});
