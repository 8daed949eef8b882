/**
 * A file too large for VS Code to sync to extensions (> 50 MB) is read from disk and computed in
 * the worker, and the result equals the core's. No timing here: the performance figures are in
 * the benchmark (bench/vscode/extension.bench.ts, `npm run bench`).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAllEditors, expected, writeBigCsv } from './helpers';

describe('Large files', function () {
  this.timeout(300_000);
  after(closeAllEditors);

  it('a file over 50 MB (not synced to extensions) is read from disk and computed in the worker', async () => {
    const rows = 5_600_000;
    const { uri, bytes } = writeBigCsv('huge.csv', rows, '# bptt: w=0.5 v=1');
    try {
      assert.ok(bytes > 50 * 1024 * 1024, `${bytes} bytes`);
      const summary = await vscode.commands.executeCommand<{ T: number; loss: number; errors: number }>('bpttLens.runBackwardPass', uri);
      const ref = expected(fs.readFileSync(uri.fsPath, 'utf8'), 'huge.csv');
      assert.strictEqual(summary?.errors, 0);
      assert.strictEqual(summary?.T, rows);
      assert.strictEqual(summary?.loss, ref.trace.loss);
    } finally {
      fs.rmSync(uri.fsPath, { force: true });
    }
  });
});
