import * as assert from 'assert';
import * as vscode from 'vscode';
import { parseSequence } from '../../src/parse';
import { closeAllEditors, expected, open, samplePath, waitFor, writeTemp } from './helpers';

async function diagnosticsOf(uri: vscode.Uri, atLeast = 1): Promise<vscode.Diagnostic[]> {
  return waitFor('diagnostics', () => {
    const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'BPTT Lens');
    return d.length >= atLeast ? d : undefined;
  });
}

describe('Diagnostics', () => {
  after(closeAllEditors);

  it('a bad cell is an error at its exact range', async () => {
    const text = '# bptt: w=0.5\nx,y\n1,2\nabc,3\n4,5\n';
    const uri = writeTemp('bad-cell.csv', text);
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const [d] = await diagnosticsOf(uri);
    const [e] = parseSequence(text, 'csv').errors;
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(d.message, e.message);
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [3, 0, 3, 3]);
  });

  it('an unknown activation is an error on its name', async () => {
    const text = '# bptt: w=0.5 phi=tanhh\nx,y\n1,2\n';
    const uri = writeTemp('bad-phi.csv', text);
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const [d] = await diagnosticsOf(uri);
    assert.match(d.message, /tanhh/);
    const col = text.indexOf('tanhh');
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [0, col, 0, col + 5]);
  });

  it('a JSON syntax error is located', async () => {
    const text = '{"bptt": {"w": 0.5}, "x": [1, 2,, 3]}';
    const uri = writeTemp('bad.json', text);
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const [d] = await diagnosticsOf(uri);
    const [e] = parseSequence(text, 'json').errors;
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [e.line, e.col, e.endLine, e.endCol]);
  });

  it('the first non-finite gradient is a warning on its row', async () => {
    const rows = Array.from({ length: 60 }, (_, k) => (k === 59 ? '1,1' : '1,')).join('\n');
    const text = `# bptt: w=1e10 v=1 phi=identity\nx,y\n${rows}\n`;
    const uri = writeTemp('overflow.csv', text);
    const doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const ref = expected(text, 'overflow.csv');
    const origin = ref.trace.nonFiniteOrigin;
    assert.ok(origin, 'the reference overflows');
    const d = (await diagnosticsOf(uri)).find((x) => x.code === 'non-finite');
    assert.ok(d);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, new RegExp(`at t = ${origin.t} `));
    const i = origin.t - 1;
    assert.deepStrictEqual(d.range, new vscode.Range(doc.positionAt(ref.parsed.rowStart[i]), doc.positionAt(ref.parsed.rowEnd[i])));
  });

  it('vanishing.csv: one information diagnostic, with the numbers', async () => {
    const uri = vscode.Uri.file(samplePath('vanishing.csv'));
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const all = await diagnosticsOf(uri);
    const v = all.filter((x) => x.code === 'vanishing');
    assert.strictEqual(v.length, 1, JSON.stringify(all.map((x) => x.message)));
    assert.strictEqual(v[0].severity, vscode.DiagnosticSeverity.Information);
    assert.match(v[0].message, /^Vanishing gradient: \|∂L\/∂s_t\| < 1e-6 (from t = \d+ back to t = \d+|at t = \d+) \(min .+\)$/);
  });

  it('exploding.csv: an exploding-gradient diagnostic', async () => {
    const uri = vscode.Uri.file(samplePath('exploding.csv'));
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const all = await diagnosticsOf(uri);
    assert.ok(all.some((x) => x.code === 'exploding' && /^Exploding gradient/.test(x.message)), JSON.stringify(all.map((x) => x.message)));
  });

  it('gradient warnings can be turned off', async () => {
    const uri = vscode.Uri.file(samplePath('vanishing.csv'));
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    await diagnosticsOf(uri);
    const config = vscode.workspace.getConfiguration('bpttLens');
    await config.update('gradientWarnings', false, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('no vanishing diagnostic', () => !vscode.languages.getDiagnostics(uri).some((x) => x.code === 'vanishing'));
    } finally {
      await config.update('gradientWarnings', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
