/**
 * A file too large for VS Code to sync to extensions (> 50 MB) is read from disk and computed in
 * the worker, and the result equals the core's. No timing here: the performance figures are in
 * the benchmark (test/bench/extension.bench.ts, `npm run bench`).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAllEditors, expected, writeTemp } from './helpers';

/** Writes `rows` rows in chunks of 10⁴ (no 50 MB string in the extension host). */
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
