/**
 * The trace's warnings as diagnostics in real VS Code: dead_relu and loss_domain are warnings on
 * the row of the step they name (vanishing/exploding: diagnostics.test.ts).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAllEditors, open, waitFor, writeTemp } from './helpers';

async function diagnostic(uri: vscode.Uri, code: string): Promise<vscode.Diagnostic> {
  return waitFor(code, () => vscode.languages.getDiagnostics(uri).find((x) => x.source === 'BPTT Lens' && x.code === code));
}

describe('Warnings as diagnostics', () => {
  after(closeAllEditors);

  it('a dead ReLU is a warning on the row where the gradient is cut off', async () => {
    const text = '# bptt: phi=relu w=1 v=1\nx,y\n-1,1\n-2,1\n';
    const uri = writeTemp('dead-relu.csv', text);
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const d = await diagnostic(uri, 'dead_relu');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /w, v, b and h0 learn nothing/);
    assert.strictEqual(d.range.start.line, 3);
  });

  it('bce with ŷ outside (0, 1) is a warning on the first such step', async () => {
    const text = '# bptt: loss=bce theta=identity u=3 w=0\nx,y\n0.1,1\n1,1\n2,0\n';
    const uri = writeTemp('bce-domain.csv', text);
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const d = await diagnostic(uri, 'loss_domain');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /bce needs ŷ in \(0, 1\), but ŷ = 2\.28\d* at t = 2/);
    assert.strictEqual(d.range.start.line, 3);
  });
});
