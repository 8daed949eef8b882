import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { traceCsv, traceJson } from '../../src/core';
import { formatNumber } from '../../src/shared/format';
import type { RunSummary } from '../../src/extension/commands';
import { closeAllEditors, expected, open, samplePath, samples, store, waitFor, writeTemp } from './helpers';

describe('Run Backward Pass', () => {
  after(closeAllEditors);

  it('is in the package with its category and a title button', () => {
    const pkg = vscode.extensions.getExtension('bptt-lens.bptt-lens')?.packageJSON;
    const run = pkg.contributes.commands.find((c: { command: string }) => c.command === 'bpttLens.runBackwardPass');
    assert.strictEqual(run.category, 'BPTT Lens');
    assert.strictEqual(run.title, 'Run Backward Pass');
    assert.ok(pkg.contributes.menus['editor/title'].some((m: { command: string }) => m.command === 'bpttLens.runBackwardPass'));
    assert.ok(!pkg.activationEvents.includes('*'));
  });

  for (const name of ['vanishing.csv', 'exploding.csv', 'many-to-one.csv', 'bce-classification.csv', 'bias-output.json', 'textbook.csv']) {
    it(`computes ${name} exactly as the core does`, async () => {
      assert.ok(samples().includes(name), `sample ${name} exists`);
      const uri = vscode.Uri.file(samplePath(name));
      const doc = await open(uri);
      const summary = await vscode.commands.executeCommand<RunSummary>('bpttLens.runBackwardPass');
      assert.ok(summary, 'the command returns a summary');
      const ref = expected(doc.getText(), name);
      assert.strictEqual(summary.version, doc.version);
      assert.strictEqual(summary.T, ref.trace.T);
      assert.strictEqual(summary.errors, 0);
      assert.strictEqual(summary.loss, ref.trace.loss);
      assert.deepStrictEqual(summary.grads, ref.trace.grads);
      assert.ok(summary.hasDirective);
      const s = await store();
      assert.strictEqual(s.current(doc)?.trace?.loss, ref.trace.loss);
    });
  }

  it('shows a CodeLens summary on the first line', async () => {
    const uri = vscode.Uri.file(samplePath('vanishing.csv'));
    const doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const ref = expected(doc.getText(), 'vanishing.csv');
    const lenses = await waitFor('CodeLens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l?.find((x) => x.command?.title.startsWith('BPTT'));
    });
    assert.strictEqual(lenses.range.start.line, 0);
    const title = lenses.command?.title ?? '';
    const f = (n: number) => formatNumber(n, 4);
    for (const part of [`L=${f(ref.trace.loss)}`, `∂L/∂w=${f(ref.trace.grads.w)}`, `∂L/∂v=${f(ref.trace.grads.v)}`, `∂L/∂h0=${f(ref.trace.grads.h0)}`]) {
      assert.ok(title.includes(part), `"${title}" should include "${part}"`);
    }
    assert.strictEqual(lenses.command?.command, 'bpttLens.showTimeline');
  });

  it('the CodeLens of a file that does not parse counts its problems', async () => {
    const uri = writeTemp('lens-broken.csv', '# bptt: w=0.5\nx,y\n1,2\nabc,3\n');
    await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const lens = await waitFor('CodeLens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l?.find((x) => x.command?.title.includes('BPTT Lens'));
    });
    assert.strictEqual(lens.command?.title, '$(error) BPTT Lens: 1 problem in this file — see Problems');
  });

  it('a file with a directive is analysed on open, without the command', async () => {
    const text = '# bptt: w=0.3 v=2\nx,y\n0.1,0.2\n0.3,\n';
    const uri = writeTemp('auto.csv', text);
    const doc = await open(uri);
    const s = await store();
    const a = await waitFor('automatic analysis', () => s.current(doc));
    assert.strictEqual(a.trace?.loss, expected(text, 'auto.csv').trace.loss);
  });

  it('runs on an untitled CSV document', async () => {
    const content = '# bptt: w=0.7 v=0.4\nx,y\n0.5,0.1\n-0.2,\n1,0.3\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'csv', content });
    await vscode.window.showTextDocument(doc);
    const summary = await vscode.commands.executeCommand<RunSummary>('bpttLens.runBackwardPass');
    const ref = expected(content, 'untitled.csv');
    assert.strictEqual(summary?.loss, ref.trace.loss);
    assert.deepStrictEqual(summary?.grads, ref.trace.grads);
  });

  it('uses the settings for a file without a directive, and Insert Directive keeps the text', async () => {
    const body = 'x,y\n0.5,0.1\n-0.2,\n1,0.3\n';
    const uri = writeTemp('no-directive.csv', body);
    const doc = await open(uri);
    const config = vscode.workspace.getConfiguration('bpttLens');
    await config.update('defaults.w', 0.25, vscode.ConfigurationTarget.Workspace);
    await waitFor('the setting to reach the extension host', () => vscode.workspace.getConfiguration('bpttLens').get('defaults.w') === 0.25);
    try {
      const summary = await vscode.commands.executeCommand<RunSummary>('bpttLens.runBackwardPass');
      const ref = expected(body, 'x.csv', { w: 0.25 });
      assert.strictEqual(summary?.hasDirective, false);
      assert.strictEqual(summary?.loss, ref.trace.loss);
      assert.ok(await vscode.commands.executeCommand('bpttLens.insertDirective', uri.toString()));
      const text = doc.getText();
      assert.match(text, /^# bptt: w=0.25 v=1 b=0 u=1 c=0 h0=0 phi=tanh theta=identity loss=squared reduction=sum\r?\n/);
      assert.ok(text.endsWith(body), 'the original text follows the directive unchanged');
      const s = await store();
      const after = await waitFor('re-run after the edit', () => s.current(doc));
      assert.ok(after.parsed.hasDirective);
      assert.strictEqual(after.trace?.loss, ref.trace.loss);
    } finally {
      await config.update('defaults.w', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Insert Directive adds a "bptt" key to a JSON file and keeps the data', async () => {
    const body = '{\n  "x": [0.5, -0.25, 1],\n  "y": [0.1, null, 0.3]\n}\n';
    const uri = writeTemp('no-directive.json', body);
    const doc = await open(uri);
    const summary = await vscode.commands.executeCommand<RunSummary>('bpttLens.runBackwardPass');
    assert.strictEqual(summary?.hasDirective, false);
    assert.ok(await vscode.commands.executeCommand('bpttLens.insertDirective', uri.toString()));
    const text = doc.getText();
    assert.ok(text.includes('"bptt": {"w": 1, "v": 1, "b": 0, "u": 1, "c": 0, "h0": 0, "phi": "tanh", "theta": "identity", "loss": "squared", "reduction": "sum"}'), text);
    const ref = expected(text, 'no-directive.json');
    assert.ok(ref.parsed.hasDirective);
    assert.deepStrictEqual(Array.from(ref.parsed.x), [0.5, -0.25, 1]);
    assert.strictEqual(ref.trace.loss, summary?.loss);
  });

  it('follows edits: a changed value updates the analysis after the debounce', async () => {
    const text = '# bptt: w=0.9 v=0.5\nx,y\n1.0,0.4\n0.5,0.6\n-0.5,0.1\n';
    const uri = writeTemp('edit-me.csv', text);
    const doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const s = await store();
    const before = s.current(doc);
    assert.ok(before?.trace);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(3, 0, 3, 3), '2.5');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.strictEqual(s.current(doc), undefined, 'no stale analysis for the new version');
    const after = await waitFor('analysis of the edited text', () => s.current(doc));
    const ref = expected(doc.getText(), 'edit-me.csv');
    assert.strictEqual(after.trace?.loss, ref.trace.loss);
    assert.notStrictEqual(after.trace?.loss, before.trace.loss);
  });
});

describe('Export Trace…', () => {
  after(closeAllEditors);

  for (const format of ['csv', 'json'] as const) {
    it(`writes the CLI's ${format.toUpperCase()} fields`, async () => {
      const uri = vscode.Uri.file(samplePath('bce-classification.csv'));
      const doc = await open(uri);
      const target = writeTemp(`export.${format}`, '');
      const written = await vscode.commands.executeCommand<string>('bpttLens.exportTrace', uri, format, target);
      assert.strictEqual(written, target.toString());
      const ref = expected(doc.getText(), 'bce-classification.csv');
      const want = format === 'csv' ? traceCsv(ref.trace, ref.parsed.line) : traceJson(ref.trace, ref.parsed.line);
      assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), want);
    });
  }
});
