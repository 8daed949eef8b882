import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { runBptt, stepValues } from '../../src/core';
import { gradcheck, type GradcheckReport } from '../../src/gradcheck';
import { parseSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { closeAllEditors, hoverAt, open, samplePath, store, waitFor, writeTemp } from './helpers';

const CHECK_CODES = new Set(['phi_prime_for_theta_prime', 'missing_w', 'check_bad_formula', 'check_failed']);

function checkDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'BPTT Lens' && CHECK_CODES.has(String(d.code)));
}

function copy(name: string, as: string): vscode.Uri {
  return writeTemp(as, fs.readFileSync(samplePath(name), 'utf8'));
}

const rangeOf = (d: vscode.Diagnostic): number[] => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];

describe('Check my gradients (issue 9) in the editor', () => {
  after(closeAllEditors);

  it('check-derivation.csv: the φ′ slip is an error at the formula, with its code and diagnosis', async () => {
    const uri = copy('check-derivation.csv', 'check-derivation-diag.csv');
    const doc = await open(uri);
    const d = await waitFor('the check diagnostic', () => checkDiagnostics(uri).find((x) => x.code === 'phi_prime_for_theta_prime'));
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    const line = doc.lineAt(3).text;
    assert.ok(line.startsWith('# check: dL_dh = '), line);
    const col = line.indexOf('dL_dyhat');
    assert.deepStrictEqual(rangeOf(d), [3, col, 3, line.length]);
    assert.match(d.message, /^dL_dh is wrong from t = 8 \(line 15\): yours 0\.251\d*, exact 0\.0669\d* .*— phi_prime_for_theta_prime: .*θ'/);
    // The two correct claims get nothing.
    assert.strictEqual(checkDiagnostics(uri).length, 1, JSON.stringify(checkDiagnostics(uri).map((x) => x.message)));
  });

  it('the Quick Fix replaces the formula with a correct one, and then the check passes', async () => {
    const uri = copy('check-derivation.csv', 'check-derivation-fix.csv');
    const doc = await open(uri);
    const d = await waitFor('the check diagnostic', () => checkDiagnostics(uri)[0]);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const fix = actions.find((a) => a.title.startsWith('Replace with the correct formula'));
    assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.strictEqual(fix.isPreferred, true);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.strictEqual(doc.lineAt(3).text, '# check: dL_dh = dL_dyhat * dtheta(h) + w * dL_ds[t+1]');
    const s = await store();
    const a = await waitFor('the analysis of the fixed text', () => {
      const x = s.current(doc);
      return x?.checks ? x : undefined;
    });
    assert.strictEqual(a.checks!.ok, true, JSON.stringify(a.checks!.claims.map((c) => [c.quantity, c.ok])));
    await waitFor('no check diagnostic', () => checkDiagnostics(uri).length === 0);
  });

  it('check-pasted.csv: a wrong column is an error at the cell where the error enters', async () => {
    const uri = copy('check-pasted.csv', 'check-pasted-diag.csv');
    const doc = await open(uri);
    const ds = await waitFor('three check diagnostics', () => (checkDiagnostics(uri).length === 3 ? checkDiagnostics(uri) : undefined));
    const dh = ds.find((x) => x.message.startsWith('dL_dh is wrong from t = 5 (line 10)'));
    assert.ok(dh, JSON.stringify(ds.map((x) => x.message)));
    assert.strictEqual(dh.code, 'missing_w');
    // Line 10 (1-based) is the row of t = 5: "-0.4,0.1,0.528479,0.528108"; its dL_dh cell.
    const row = doc.lineAt(9).text;
    const col = row.indexOf('0.528479');
    assert.deepStrictEqual(rangeOf(dh), [9, col, 9, col + '0.528479'.length]);
    assert.strictEqual(doc.getText(dh.range), '0.528479');
  });

  it('a bad formula is a located error naming the nearest name', async () => {
    const text = '# bptt: w=0.5\n# check: dL_dh = dL_dyhat * u + w * dL_dss[t+1]\nx,y\n1,0.3\n0.5,0.2\n';
    const uri = writeTemp('check-bad-formula.csv', text);
    await open(uri);
    const d = await waitFor('the bad-formula error', () => checkDiagnostics(uri).find((x) => x.code === 'check_bad_formula'));
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /dL_dss.*dL_ds/);
    const col = text.split('\n')[1].indexOf('dL_dss');
    assert.deepStrictEqual(rangeOf(d), [1, col, 1, col + 'dL_dss'.length]);
  });

  it('a file with # check: lines and no directive is checked as soon as it opens, without the command', async () => {
    // No "# bptt:" line: the bpttLens.defaults settings give the model; the claim alone asks for the analysis.
    const text = '# check: dL_dh = dL_dyhat * dphi(h) + w * dL_ds[t+1]\nx,y\n1,0.3\n0.5,0.2\n-1,0.7\n';
    const uri = writeTemp('check-no-directive.csv', text);
    const doc = await open(uri);
    const s = await store();
    const a = await waitFor('the automatic analysis with its checks', () => s.current(doc)?.checks && s.current(doc));
    assert.strictEqual(a.parsed.hasDirective, false);
    assert.strictEqual(a.checks!.claims.length, 1);
    assert.strictEqual(a.checks!.ok, false);
    const d = await waitFor('the check diagnostic', () => checkDiagnostics(uri)[0]);
    assert.strictEqual(d.range.start.line, 0);
  });

  it('a file with a claim column and no directive is checked as soon as it opens', async () => {
    const body = 'x,y\n1,0.3\n0.5,0.2\n-1,0.7\n';
    const parsed = parseSequence(body, 'csv');
    assert.strictEqual(parsed.hasDirective, false);
    const trace = runBptt(parsed.model, parsed);
    const rows = body.trim().split('\n').map((r, i) => (i === 0 ? `${r},dL_ds` : `${r},${stepValues(trace, i - 1).dL_ds}`));
    const uri = writeTemp('check-column-no-directive.csv', rows.join('\n') + '\n');
    const doc = await open(uri);
    const s = await store();
    const a = await waitFor('the automatic analysis with its checks', () => s.current(doc)?.checks && s.current(doc));
    assert.deepStrictEqual(a.checks!.claims.map((c) => [c.quantity, c.source, c.ok]), [['dL_ds', 'column', true]]);
  });

  it('the hover shows each claim at the step, yours beside the exact, and the numerical-check link', async () => {
    const uri = copy('check-derivation.csv', 'check-derivation-hover.csv');
    const doc = await open(uri);
    const s = await store();
    const a = await waitFor('the checks', () => s.current(doc)?.checks && s.current(doc));
    const dh = a.checks!.claims.find((c) => c.quantity === 'dL_dh')!;
    // Row of t = 8 is line 15 (1-based).
    const md = await waitFor('the hover', () => hoverAt(uri, new vscode.Position(14, 1)));
    assert.ok(md.includes('**Your claims at step 8**'), md);
    const f = (n: number) => formatNumber(n, 6);
    assert.ok(md.includes(`| dL\\_dh *(formula)* | ${f(dh.user![7])} | ${f(dh.exact![7])} | ✗ |`), md);
    assert.ok(/\| dL\\_ds \*\(formula\)\* \| [^|]+ \| [^|]+ \| ✓ \|/.test(md), md);
    assert.ok(md.includes('command:bpttLens.checkGradientsNumerically?'), md);
    assert.ok(decodeURIComponent(md).includes(`[{"uri":"${uri.toString()}","t":8}]`), md);
  });

  it('"Check Gradients Numerically" reports the same numbers as gradcheck', async () => {
    const uri = copy('check-derivation.csv', 'check-derivation-gradcheck.csv');
    await open(uri);
    const out = await vscode.commands.executeCommand<{ report: GradcheckReport; document: string; summary: string }>('bpttLens.checkGradientsNumerically');
    assert.ok(out);
    const text = fs.readFileSync(uri.fsPath, 'utf8');
    const parsed = parseSequence(text, 'csv');
    const ref = gradcheck(parsed.model, parsed);
    assert.strictEqual(out.report.steps.length, 2 * parsed.T);
    for (const k of Object.keys(ref.params) as (keyof typeof ref.params)[]) {
      assert.strictEqual(out.report.params[k]!.analytic, ref.params[k]!.analytic, k);
      assert.strictEqual(out.report.params[k]!.numeric, ref.params[k]!.numeric, k);
    }
    assert.deepStrictEqual(out.report.steps.map((x) => [x.t, x.quantity, x.numeric]), ref.steps.map((x) => [x.t, x.quantity, x.numeric]));
    assert.strictEqual(out.summary, `gradcheck: ${6 + 2 * parsed.T} pass, 0 fail`);
    const shown = vscode.workspace.textDocuments.find((d) => d.uri.toString() === out.document);
    assert.ok(shown, 'the report is open');
    const w = ref.params.w!;
    assert.ok(shown.getText().includes(`| ∂L/∂w | ${formatNumber(w.analytic, 6)}`), shown.getText());
    assert.ok(shown.getText().includes('∂L/∂s at t = 8'), shown.getText());
  });

  it('the hover link checks just that step', async () => {
    const uri = copy('check-derivation.csv', 'check-derivation-step.csv');
    await open(uri);
    const out = await vscode.commands.executeCommand<{ report: GradcheckReport }>('bpttLens.checkGradientsNumerically', { uri: uri.toString(), t: 3 });
    assert.ok(out);
    assert.deepStrictEqual(out.report.steps.map((x) => [x.t, x.quantity]), [[3, 'dL_ds'], [3, 'dL_dx']]);
  });
});
