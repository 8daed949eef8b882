/**
 * A large open document (more lines than the host reads whole) is computed in the worker, which
 * keeps its per-step arrays: the host holds the scalars and a handle (Analysis.remote). Every
 * feature that reads a step — hovers, the truncated-gradient CodeLens, Export Trace — reads it from
 * the worker, and shows the core's numbers.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { traceCsv } from '../../src/core';
import { truncatedGrads, truncationParts } from '../../src/extension/summary';
import type { Analysis } from '../../src/extension/types';
import { checkHover, closeAllEditors, expected, hoverAt, open, store, waitFor, writeBigCsv, writeTemp, type Expected } from './helpers';

const ROWS = 40_000;

describe('A large document: its arrays stay in the worker', function () {
  this.timeout(300_000);
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;
  let ref: Expected;
  let analysis: Analysis;

  before(async () => {
    uri = writeBigCsv('resident.csv', ROWS, '# bptt: w=0.9 v=1 phi=tanh truncate=7').uri;
    doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const s = await store();
    analysis = await waitFor('the analysis', () => s.current(doc), 120_000);
    ref = expected(doc.getText(), 'resident.csv');
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(uri.fsPath, { force: true });
  });

  it('the host holds the scalars and a handle, and no per-step array', () => {
    assert.ok(analysis.remote, 'computed in the worker');
    assert.strictEqual(analysis.trace?.T, ROWS);
    assert.strictEqual(analysis.trace.h.length, 0);
    assert.strictEqual(analysis.parsed.rowStart.length, 0);
    assert.strictEqual(analysis.trace.loss, ref.trace.loss);
    assert.deepStrictEqual(analysis.trace.grads, ref.trace.grads);
  });

  it('hovers on the first, middle and last rows show the core’s step, read from the worker', async () => {
    for (const i of [0, 1, ROWS / 2, ROWS - 2, ROWS - 1]) {
      for (const offset of [ref.parsed.rowStart[i], ref.parsed.rowEnd[i]]) {
        const md = await hoverAt(uri, doc.positionAt(offset));
        assert.ok(md, `a hover at step ${i + 1}`);
        checkHover(md, ref, i);
      }
    }
    // Off the steps (the directive line): none.
    assert.strictEqual(await hoverAt(uri, new vscode.Position(0, 3)), undefined);
  });

  it('the truncate=7 CodeLens shows the core’s truncated gradients, computed in the worker', async () => {
    const want = truncatedGrads(ref.trace, { kind: 'truncate', k: 7 });
    assert.ok(want);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes(`truncate=7:  ${truncationParts(ref.trace, want, 4).join('  ')}`), titles.join('\n'));
  });

  it('Export Trace writes the core’s CSV, built in the worker', async () => {
    const target = writeTemp('resident.trace.csv', '');
    try {
      await vscode.commands.executeCommand('bpttLens.exportTrace', uri, 'csv', target);
      assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), traceCsv(ref.trace, ref.parsed.line));
    } finally {
      fs.rmSync(target.fsPath, { force: true });
    }
  });
});
