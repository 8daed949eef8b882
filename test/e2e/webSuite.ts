/**
 * The mocha suite that runs INSIDE the web worker extension host (vscode.dev's), with the real
 * `vscode` API. scripts/vscode/webSuite.mjs bundles this file for the browser (after mocha's
 * browser build, no Node built-ins) and the launcher passes it as `extensionTestsPath` next to the web-only
 * copy of the extension: VS Code runs the tests in the host of the extension whose folder holds
 * the test file, here the Web Worker host (stage `integration-web`).
 * Files are reached through the workspace folder's URI and workspace.fs only (no `fs`, no
 * `Uri.file`: the web host has neither a disk nor file: URIs). Every number is compared with the
 * core's, computed here from the same text.
 */
import * as vscode from 'vscode';
import { runBptt, stepValues, traceCsv } from '../../src/core';
import { parseSequence } from '../../src/parse';
import { formatNumber } from '../../src/shared/format';

// What mocha's browser build (prepended to the bundle by webSuite.mjs) puts on the global object.
declare const mocha: {
  setup(o: { ui: string; timeout: number; color: boolean }): void;
  reporter(r: unknown): void;
  run(done: (failures: number) => void): { stats?: { passes: number; pending: number } };
};
declare const Mocha: { reporters: { Spec: unknown } };

const EXTENSION_ID = 'bptt-lens.bptt-lens';

// Node's `assert` is not in a browser bundle: the three checks the suite needs.
function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new Error(message);
}
function strictEqual(actual: unknown, expected: unknown, message = ''): void {
  if (actual !== expected) throw new Error(`${String(actual)} !== ${String(expected)} ${message}`);
}
function deepStrictEqual(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${JSON.stringify(actual)} differs from ${JSON.stringify(expected)}`);
}

function folderUri(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  ok(f, 'the test window has a workspace folder (a copy of samples/)');
  return f.uri;
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function hoverAt(uri: vscode.Uri, position: vscode.Position): Promise<string | undefined> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  for (const h of hovers) {
    for (const c of h.contents) {
      const value = typeof c === 'string' ? c : c.value;
      if (value.includes('**Step ')) return value;
    }
  }
  return undefined;
}

function defineTests(): void {
  describe('web extension host (mocha inside the Web Worker host)', () => {
    before(async () => {
      await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    });

    it('runs in a Web Worker: typeof process is undefined, and the extension is active', () => {
      strictEqual(typeof process, 'undefined');
      strictEqual(vscode.env.uiKind, vscode.UIKind.Web);
      ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'BPTT Lens is active in this host');
    });

    for (const name of ['textbook.csv', 'vanishing.csv', 'exploding.csv']) {
      it(`${name}: Run Backward Pass, then every hover holds the core’s ∂L/∂s_t`, async () => {
        const uri = vscode.Uri.joinPath(folderUri(), name);
        const text = await readText(uri);
        const parsed = parseSequence(text, 'csv');
        deepStrictEqual(parsed.errors, []);
        const trace = runBptt(parsed.model, parsed);
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        await vscode.commands.executeCommand('bpttLens.runBackwardPass', uri);
        const steps = [0, Math.floor(parsed.T / 2), parsed.T - 1];
        for (const i of steps) {
          const md = await waitFor(`hover at step ${i + 1}`, () => hoverAt(uri, new vscode.Position(parsed.line[i], 1)));
          const v = stepValues(trace, i);
          ok(md.includes(`**Step ${i + 1} of ${parsed.T}**`), md);
          ok(md.includes(formatNumber(v.dL_ds, 6)), `∂L/∂s_t = ${formatNumber(v.dL_ds, 6)} in:\n${md}`);
        }
      });
    }

    it('a 30 000-row document: computed in the Web Worker, which keeps its arrays; hovers and Export Trace read them from there', async () => {
      const uri = vscode.Uri.joinPath(folderUri(), 'web-suite-large.csv');
      let text = '# bptt: w=0.9 v=1\nx,y\n';
      for (let k = 0; k < 30_000; k++) text += k % 10 === 9 ? `${Math.sin(k * 0.37).toFixed(5)},${Math.cos(k * 0.11).toFixed(4)}\n` : `${Math.sin(k * 0.37).toFixed(5)},\n`;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      const parsed = parseSequence(text, 'csv');
      deepStrictEqual(parsed.errors, []);
      const trace = runBptt(parsed.model, parsed);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await vscode.commands.executeCommand('bpttLens.runBackwardPass', uri);
      for (const i of [0, 14_999, 29_999]) {
        const md = await waitFor(`hover at step ${i + 1}`, () => hoverAt(uri, new vscode.Position(parsed.line[i], 1)), 120_000);
        const v = stepValues(trace, i);
        ok(md.includes(`**Step ${i + 1} of ${parsed.T}**`), md);
        ok(md.includes(formatNumber(v.dL_ds, 6)), `∂L/∂s_t = ${formatNumber(v.dL_ds, 6)} in:\n${md}`);
      }
      const target = vscode.Uri.joinPath(folderUri(), 'web-suite-large.trace.csv');
      await vscode.commands.executeCommand('bpttLens.exportTrace', uri, 'csv', target);
      const exported = await readText(target);
      ok(exported === traceCsv(trace, parsed.line), `the exported CSV (${exported.length} characters) is the core's`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(uri);
      await vscode.workspace.fs.delete(target);
    });

    it('a bad cell written through workspace.fs gets an error diagnostic at its line', async () => {
      const uri = vscode.Uri.joinPath(folderUri(), 'web-suite-bad.csv');
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('x,y\n0.5,1\nabc,0\n'));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await vscode.commands.executeCommand('bpttLens.runBackwardPass', uri);
      const errors = await waitFor('an error diagnostic', () => {
        const d = vscode.languages.getDiagnostics(uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Error);
        return d.length > 0 && d;
      });
      strictEqual(errors[0].range.start.line, 2, errors[0].message);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(uri);
    });
  });
}

/** The entry point VS Code calls; the launcher reads the result line (same as test/hostMocha.ts). */
export function run(): Promise<void> {
  mocha.setup({ ui: 'bdd', timeout: 60_000, color: false });
  // The class, not its name: the browser build keeps its HTML reporter (a DOM) for a name.
  mocha.reporter(Mocha.reporters.Spec);
  defineTests();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`[bptt-suite] passes=${runner.stats?.passes ?? 0} failures=${failures} pending=${runner.stats?.pending ?? 0} files=1`);
      if (failures > 0) reject(new Error(`${failures} web-host test(s) failed`));
      else resolve();
    });
  });
}
