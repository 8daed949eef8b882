/** Shared helpers for the integration tests that run inside the real extension host. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { runBptt, stepValues, type Trace } from '../../src/core';
import { formatNumber } from '../../src/shared/format';
import { formatFromFileName, parseSequence, type ParsedSequence } from '../../src/parse';
import type { AnalysisSource } from '../../src/extension/types';

export const EXTENSION_ID = 'bptt-lens.bptt-lens';

export async function store(): Promise<AnalysisSource> {
  const ext = vscode.extensions.getExtension<{ store: AnalysisSource }>(EXTENSION_ID);
  assert.ok(ext, 'extension installed');
  const api = await ext.activate();
  return api.store;
}

export function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test window has a workspace folder (a copy of samples/)');
  return f.uri.fsPath;
}

export function samplePath(name: string): string {
  return path.join(folder(), name);
}

/** Writes a file into the workspace folder (a temp copy) and returns its uri. */
export function writeTemp(name: string, text: string): vscode.Uri {
  const dir = path.join(folder(), 'tmp-tests');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

/**
 * Writes a CSV of `rows` generated steps (a y on every tenth row) under `directive` into the
 * workspace folder, in chunks of 10⁴ rows: one 10⁶-row (or 50 MB) string built here would leave
 * megabytes of garbage in the extension host for the collector to clean up (during a measurement).
 */
export function writeBigCsv(name: string, rows: number, directive: string): { uri: vscode.Uri; bytes: number } {
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

export async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function open(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

export interface Expected {
  parsed: ParsedSequence;
  trace: Trace;
}

/** What the core computes for a text: the reference the editor features must agree with. */
export function expected(text: string, fileName: string, defaults = {}): Expected {
  const format = formatFromFileName(fileName) ?? 'csv';
  const parsed = parseSequence(text, format, defaults);
  assert.deepStrictEqual(parsed.errors, [], `reference parse of ${fileName}`);
  return { parsed, trace: runBptt(parsed.model, parsed) };
}

const f6 = (n: number) => formatNumber(n, 6);
const factor = (s: string) => (s.startsWith('-') ? `(${s})` : s);

/** Checks the hover's heading and the two equations against the core's step values. */
export function checkHover(md: string, ref: Expected, i: number): void {
  const v = stepValues(ref.trace, i);
  assert.ok(md.startsWith(`**Step ${i + 1} of ${ref.trace.T}**`), md);
  assert.ok(md.includes(`= ${f6(v.dL_dh_local)} + ${factor(f6(v.dL_dh_recurrent))} = ${f6(v.dL_dh)}`), `∂L/∂h_t in:\n${md}`);
  assert.ok(md.includes(`= ${factor(f6(v.dL_dh))} · ${factor(f6(v.phiPrime))} = ${f6(v.dL_ds)}`), `∂L/∂s_t in:\n${md}`);
  assert.ok(md.includes(`| s\\_t | ${f6(v.s)} |`), md);
  assert.ok(md.includes(`| ŷ\\_t | ${f6(v.yhat)} |`), md);
  assert.ok(md.includes('command:bpttLens.showTimeline?'), md);
}

/** The BPTT Lens hover's markdown at a position, or undefined. */
export async function hoverAt(uri: vscode.Uri, position: vscode.Position): Promise<string | undefined> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  for (const h of hovers) {
    for (const c of h.contents) {
      const value = typeof c === 'string' ? c : c.value;
      if (value.includes('**Step ')) return value;
    }
  }
  return undefined;
}

export function samples(): string[] {
  return fs
    .readdirSync(folder())
    .filter((f) => /\.(csv|tsv|json)$/.test(f))
    .sort();
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
