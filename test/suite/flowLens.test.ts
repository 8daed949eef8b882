/**
 * Truncated BPTT in the CodeLens (issue 10): with truncate=k in the directive, or horizon=k in the
 * settings, a lens shows each truncated gradient and its bias against the full one, equal to
 * src/flow's runTruncated / runHorizon on the same text.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { runBptt } from '../../src/core';
import { compareGrads, flowInputs, runHorizon, runTruncated, type GradComparison } from '../../src/flow';
import { parseSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';
import { open, samplePath, waitFor, writeTemp } from './helpers';

const f = (n: number): string => formatNumber(n, 4);
const bias = (c: GradComparison): string => `${c.relBias > 0 ? '+' : ''}${(100 * c.relBias).toFixed(1)} %`;

async function lensStartingWith(uri: vscode.Uri, prefix: string): Promise<string> {
  const lens = await waitFor(`a CodeLens starting with ${prefix}`, async () => {
    const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return l?.find((x) => x.command?.title.startsWith(prefix));
  });
  assert.strictEqual(lens.command?.command, 'bpttLens.showTimeline');
  return lens.command?.title ?? '';
}

describe('truncated gradient in the CodeLens', function () {
  this.timeout(60_000);

  it('truncate=5 in the directive: each truncated gradient and its bias (∂L/∂w −44.2 %)', async () => {
    const text = fs.readFileSync(samplePath('truncation.csv'), 'utf8').replace(/^(# bptt:.*)$/m, '$1 truncate=5');
    const uri = writeTemp('lens-truncate.csv', text);
    await open(uri);
    const parsed = parseSequence(text, 'csv');
    const full = runBptt(parsed.model, parsed).grads;
    const cmp = compareGrads(runTruncated(parsed.model, parsed, 5).grads, full);
    const title = await lensStartingWith(uri, 'truncate=5:');
    for (const p of ['w', 'v', 'b', 'h0'] as const) {
      const part = `∂L/∂${p}=${f(cmp[p].truncated)} (${bias(cmp[p])})`;
      assert.ok(title.includes(part), `"${title}" should include "${part}"`);
    }
    assert.ok(title.includes('(-44.2 %)'), title);
    // The full gradients stay in the main lens.
    const main = await lensStartingWith(uri, 'BPTT');
    assert.ok(main.includes(`∂L/∂w=${f(full.w)}`), main);
  });

  it('horizon=3 in the settings, for a file without the key', async () => {
    const text = fs.readFileSync(samplePath('truncation.csv'), 'utf8');
    const uri = writeTemp('lens-horizon.csv', text);
    const config = vscode.workspace.getConfiguration('bpttLens');
    await config.update('horizon', 3, vscode.ConfigurationTarget.Workspace);
    try {
      await open(uri);
      const parsed = parseSequence(text, 'csv');
      const trace = runBptt(parsed.model, parsed);
      const run = runHorizon(trace, flowInputs(trace), 3);
      assert.ok(run);
      const cmp = compareGrads(run.grads, trace.grads);
      const title = await lensStartingWith(uri, 'horizon=3:');
      const part = `∂L/∂w=${f(cmp.w.truncated)} (${bias(cmp.w)})`;
      assert.ok(title.includes(part), `"${title}" should include "${part}"`);
      assert.ok(cmp.w.relBias < -0.01, 'the horizon biases ∂L/∂w');
    } finally {
      await config.update('horizon', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
