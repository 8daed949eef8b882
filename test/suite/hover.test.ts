import * as assert from 'assert';
import * as vscode from 'vscode';
import { stepValues } from '../../src/core';
import { formatNumber } from '../../src/shared/format';
import { checkHover, closeAllEditors, expected, hoverAt, open, samplePath, store, waitFor, writeTemp } from './helpers';

describe('Hovers', () => {
  after(closeAllEditors);

  for (const name of ['vanishing.csv', 'exploding.csv', 'many-to-one.csv', 'bce-classification.csv']) {
    it(`${name}: first, middle and last step agree with the core`, async () => {
      const uri = vscode.Uri.file(samplePath(name));
      const doc = await open(uri);
      await vscode.commands.executeCommand('bpttLens.runBackwardPass');
      const ref = expected(doc.getText(), name);
      const T = ref.trace.T;
      for (const i of [0, Math.floor(T / 2), T - 1]) {
        // Anywhere on the row: its start and its end.
        for (const offset of [ref.parsed.rowStart[i], ref.parsed.rowEnd[i]]) {
          const md = await hoverAt(uri, doc.positionAt(offset));
          assert.ok(md, `hover at step ${i + 1} of ${name}`);
          checkHover(md, ref, i);
        }
      }
      const header = await hoverAt(uri, new vscode.Position(0, 1));
      assert.strictEqual(header, undefined, 'no step hover on a comment line');
    });
  }

  it('JSON: on x[t] and on y[t]', async () => {
    const uri = vscode.Uri.file(samplePath('bias-output.json'));
    const doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const ref = expected(doc.getText(), 'bias-output.json');
    for (const i of [0, 4, ref.trace.T - 1]) {
      checkHover((await hoverAt(uri, doc.positionAt(ref.parsed.xStart[i] + 1)))!, ref, i);
      if (ref.parsed.yStart[i] >= 0) checkHover((await hoverAt(uri, doc.positionAt(ref.parsed.yStart[i] + 1)))!, ref, i);
    }
  });

  it('follows an edit: the hover shows the new numbers, never the old ones', async () => {
    const text = '# bptt: w=0.9 v=0.5\nx,y\n1.0,0.4\n0.5,0.6\n-0.5,0.1\n';
    const uri = writeTemp('hover-edit.csv', text);
    const doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    checkHover((await hoverAt(uri, new vscode.Position(3, 1)))!, expected(text, 'a.csv'), 1);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(2, 0, 2, 3), '-3.0');
    await vscode.workspace.applyEdit(edit);
    const s = await store();
    await waitFor('analysis of the edited text', () => s.current(doc));
    const ref = expected(doc.getText(), 'a.csv');
    checkHover((await hoverAt(uri, new vscode.Position(3, 1)))!, ref, 1);
    checkHover((await hoverAt(uri, new vscode.Position(2, 2)))!, ref, 0);
  });

  it('respects bpttLens.precision', async () => {
    const uri = vscode.Uri.file(samplePath('vanishing.csv'));
    const doc = await open(uri);
    await vscode.commands.executeCommand('bpttLens.runBackwardPass');
    const ref = expected(doc.getText(), 'vanishing.csv');
    const config = vscode.workspace.getConfiguration('bpttLens');
    await config.update('precision', 3, vscode.ConfigurationTarget.Workspace);
    try {
      const v = stepValues(ref.trace, 2);
      const md = await waitFor('3-digit hover', async () => {
        const h = await hoverAt(uri, doc.positionAt(ref.parsed.rowStart[2]));
        return h?.includes(`= ${formatNumber(v.dL_ds, 3)}\``) ? h : undefined;
      });
      assert.ok(md);
    } finally {
      await config.update('precision', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
