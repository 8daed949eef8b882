/**
 * Check my gradients on a vector model (issue 11) inside the real extension host: the sample
 * vector/numpy-row-check.csv names a NumPy student's gradients with the transposed-W bug
 * (grads=numpy-row-transposedW.npz); the diagnostics are at the grads= path and on the row of
 * the step where the error enters.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAllEditors, open, samplePath, waitFor, writeTemp } from './helpers';

const rangeOf = (d: vscode.Diagnostic): number[] => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'BPTT Lens');

describe('Check my gradients on a vector model (issue 11) in the editor', () => {
  after(closeAllEditors);

  it('vector/numpy-row-check.csv: transposed_W at grads=, and on the row of step 19 where the error enters', async () => {
    const uri = vscode.Uri.file(samplePath('vector/numpy-row-check.csv'));
    const doc = await open(uri);
    const diags = await waitFor('the transposed_W diagnostics', () => {
      const d = ours(uri).filter((x) => x.code === 'transposed_W');
      return d.length === 2 ? d : undefined;
    });
    const directive = doc.lineAt(3).text;
    const col = directive.indexOf('numpy-row-transposedW.npz');
    const [atPath, atRow] = diags.sort((a, b) => a.range.start.line - b.range.start.line);
    assert.strictEqual(atPath.severity, vscode.DiagnosticSeverity.Error);
    assert.deepStrictEqual(rangeOf(atPath), [3, col, 3, col + 'numpy-row-transposedW.npz'.length]);
    assert.match(atPath.message, /^grads numpy-row-transposedW\.npz: ✗ 6 of 8 gradients differ from exact BPTT\. transposed_W: The recurrent term uses W·∂L\/∂s_\{t\+1\} where Wᵀ/);
    assert.match(atPath.message, /— enters at ∂L\/∂h_19, t = 19 \(line 24\), unit 0 \(dL_dh\[18, 0\]\): yours -0\.00697, exact 0\.004855/);
    // Step t is on line t + 4 (0-based): three comments, the directive and the header come first.
    assert.strictEqual(atRow.severity, vscode.DiagnosticSeverity.Error);
    assert.deepStrictEqual(rangeOf(atRow), [23, 0, 23, doc.lineAt(23).text.length]);
    assert.match(atRow.message, /enters here, at ∂L\/∂h_19, t = 19 \(line 24\), unit 0/);
    // The CodeLens: the model's gradients, and the check's verdict beside them.
    const lenses = await waitFor('the CodeLens', async () => {
      const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      return l.length >= 2 ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.startsWith('BPTT  n=8')), JSON.stringify(titles));
    assert.ok(titles.includes('grads: 2 ✓ 6 ✗ — transposed_W'), JSON.stringify(titles));
  });

  it('a grads= path outside the workspace is an error at the path, and the model still runs', async () => {
    // In tmp-tests/, one level below the workspace root: ../weights/ is still the samples' weights.
    const text = fs.readFileSync(samplePath('vector/numpy-row-check.csv'), 'utf8').replace('grads=numpy-row-transposedW.npz', 'grads=../../../outside.npz');
    const uri = writeTemp('vector-grads-outside.csv', text);
    const doc = await open(uri);
    const d = await waitFor('the grads error', () => ours(uri).find((x) => x.code === 'check_bad_grads'));
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /^gradients file \.\.\/\.\.\/\.\.\/outside\.npz is outside the workspace/);
    const col = doc.lineAt(3).text.indexOf('../../../outside.npz');
    assert.deepStrictEqual(rangeOf(d), [3, col, 3, col + '../../../outside.npz'.length]);
    assert.strictEqual(ours(uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Error).length, 1, JSON.stringify(ours(uri).map((x) => x.message)));
  });
});
