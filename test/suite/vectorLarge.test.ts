/**
 * A large vector-model document in the real extension host (issue 11 + 12): 30 000 rows (over the
 * 20 000 lines the host reads in one getText()) naming the pytorch16 weights (n = 16) of
 * samples/vector. The host reads only its head and the weights; the worker computes it, and the
 * hovers show the kernel's numbers. The host's longest event-loop block on it is logged
 * (`bpttLens._measureRun`), and the fastest of three re-runs must stay within 50 ms.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { runVectorBptt } from '../../src/core/vector/kernel';
import { vectorStepValues } from '../../src/core/vector/step';
import { parseVectorSequence, resolveVectorModel } from '../../src/parse/vector';
import { readTensorFile } from '../../src/parse/weights';
import { formatNumber } from '../../src/shared/format';
import { norm2 } from '../../src/core/vector/norm';
import { closeAllEditors, folder, store, waitFor, writeTemp } from './helpers';

const ROWS = 30_000;
const MAX_BLOCK_MS = 50;

function largeVectorCsv(): string {
  const rows = ['# bptt: weights=../vector/pytorch16.safetensors phi=tanh theta=identity loss=squared reduction=mean', 'x1,x2,x3,x4,y'];
  for (let t = 1; t <= ROWS; t++) {
    const x = [Math.sin(t / 7), Math.cos(t / 5), Math.sin(t / 3) * 0.5, Math.cos(t / 13)].map((v) => v.toFixed(3));
    rows.push(`${x.join(',')},${t % 10 === 0 ? Math.sin(t / 17).toFixed(3) : ''}`);
  }
  return `${rows.join('\n')}\n`;
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('A large vector-model document (worker)', function () {
  this.timeout(300_000);
  after(closeAllEditors);

  it(`${ROWS.toLocaleString('en-US')} rows, n = 16: computed on the worker, the kernel's numbers in the hovers, the host never blocked long`, async () => {
    const text = largeVectorCsv();
    const uri = writeTemp('vector-large.csv', text);
    // What the CLI computes: the same parser, weights reader and kernel.
    const parsed = parseVectorSequence(text, 'csv');
    assert.deepStrictEqual(parsed.errors, []);
    const read = await readTensorFile(new Uint8Array(fs.readFileSync(path.join(folder(), 'vector', 'pytorch16.safetensors'))), 'pytorch16.safetensors');
    assert.ok(read.ok);
    const model = resolveVectorModel(parsed, read.tensors);
    assert.ok(model.ok);
    const trace = runVectorBptt(model.model, parsed);

    // Over 20 000 lines: the text is read in slices and computed on the worker (the page console
    // shows "[bptt-lens] worker computed 30000 vector steps"; test/e2e/vectorLarge.test.ts waits for it).
    const s = await store();
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.ok(doc.lineCount > 20_000);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass', uri);
    const a = await waitFor('the vector analysis', () => s.current(doc)?.vector?.trace && s.current(doc), 120_000);
    assert.deepStrictEqual(a.vector?.errors, []);

    for (const i of [0, 9, 12_345, ROWS - 3, ROWS - 1]) {
      const v = vectorStepValues(trace, i);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(parsed.line[i], 2));
      const md = hoverText(hovers);
      assert.ok(md.includes(`**Step ${i + 1} of ${ROWS}**`), md);
      assert.ok(md.includes(`‖∂L/∂s_t‖ = ${formatNumber(norm2(v.dL_ds), 6)}`), `‖∂L/∂s_t‖ = ${formatNumber(norm2(v.dL_ds), 6)} in:\n${md}`);
      assert.ok(md.includes(`‖∂L/∂h_t‖ = ${formatNumber(norm2(v.dL_dh), 6)}`), md);
      assert.ok(md.includes('n = 16, m = 4, k = 1'), md);
    }
    assert.ok(doc.lineCount > ROWS);

    // The host's longest block while the document is computed again (the worker, and the update listeners).
    await new Promise((r) => setTimeout(r, 1000));
    const runs: { T?: number; totalMs: number; longestBlockMs: number }[] = [];
    for (let k = 0; k < 3; k++) runs.push((await vscode.commands.executeCommand<{ T?: number; totalMs: number; longestBlockMs: number }>('bpttLens._measureRun', uri.toString()))!);
    console.log(`      vector ${ROWS} rows, n = 16: run ${runs.map((r) => r.totalMs.toFixed(0)).join(' / ')} ms; longest host block ${runs.map((r) => r.longestBlockMs.toFixed(1)).join(' / ')} ms`);
    assert.ok(runs.every((r) => r.T === ROWS), JSON.stringify(runs));
    const fastest = Math.min(...runs.map((r) => r.longestBlockMs));
    assert.ok(fastest <= MAX_BLOCK_MS, `the fastest of three re-runs blocked the host ${fastest.toFixed(1)} ms`);
  });
});
