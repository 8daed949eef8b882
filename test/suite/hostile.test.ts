/**
 * Hostile files in the real extension (issue 8): each is opened as a user would open it. The
 * Problems list gets a located, bounded message (≤ MAX_MESSAGE characters, ≤ MAX_ERRORS + 1
 * entries); BPTT Lens's analysis of it does not block the extension host's event loop more than
 * 50 ms (the fastest of three forced re-runs, measured inside the host by `bpttLens._measureRun`;
 * the block from the open to the diagnostics, which includes VS Code's own extensions reacting to
 * the open, is logged); the document's text is left as it was. RELIABILITY.md lists the figures.
 * The same inputs in the CLI and the parser: test/unit/cli-hostile.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { driftMonitor } from '../../src/extension/driftMonitor';
import { MAX_ERRORS } from '../../src/parse';
import { MAX_MESSAGE } from '../../src/parse/errors';
import { closeAllEditors, folder, waitFor, writeBigCsv } from './helpers';

const MAX_BLOCK_MS = 50;
const rows = (n: number): string => Array.from({ length: n }, (_, k) => `${(k / 7).toFixed(4)},\n`).join('');

/** Writes `content` (text as UTF-8, or raw bytes) under the workspace's tmp-tests folder. */
function writeFile(name: string, content: string | Uint8Array): vscode.Uri {
  const dir = path.join(folder(), 'tmp-tests');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return vscode.Uri.file(file);
}

interface Measured {
  doc: vscode.TextDocument;
  diagnostics: vscode.Diagnostic[];
  /** Longest event-loop block from the document's arrival to its diagnostics (VS Code's own extensions react to the open too). */
  openBlockMs: number;
  /** Longest block of each of three forced re-runs (`bpttLens._measureRun`: the pass and its update listeners), sorted. */
  rerunBlockMs: number[];
}

/** Opens `uri`, waits for BPTT Lens's diagnostics (at least `atLeast`), then re-runs the pass three times, measured inside the host. */
async function openAndMeasure(uri: vscode.Uri, atLeast: number): Promise<Measured> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const drift = driftMonitor();
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('bpttLens.runBackwardPass', uri);
  const ours = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'BPTT Lens');
  const diagnostics = await waitFor(`${atLeast} diagnostic(s) on ${path.basename(uri.fsPath)}`, () => ours().length >= atLeast && ours());
  const openBlockMs = drift.stop();
  return { doc, diagnostics, openBlockMs, rerunBlockMs: await measureReruns(uri) };
}

/** Three forced re-runs after the open has settled: the longest block of each, sorted. */
async function measureReruns(uri: vscode.Uri): Promise<number[]> {
  await new Promise((r) => setTimeout(r, 1000));
  const blocks: number[] = [];
  for (let k = 0; k < 3; k++) {
    const m = await vscode.commands.executeCommand<{ longestBlockMs: number } | undefined>('bpttLens._measureRun', uri.toString());
    blocks.push(m?.longestBlockMs ?? NaN);
  }
  return blocks.sort((a, b) => a - b);
}

/** Bounded and located: few entries, short messages with no raw control character, ranges inside the document. */
function assertBounded(m: Measured): void {
  const { doc, diagnostics } = m;
  assert.ok(diagnostics.length <= MAX_ERRORS + 1, `${diagnostics.length} diagnostics`);
  for (const d of diagnostics) {
    assert.ok(d.message.length <= MAX_MESSAGE, `${d.message.length} characters: ${d.message.slice(0, 80)}…`);
    assert.ok(![...d.message].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127), `no raw control character in ${JSON.stringify(d.message.slice(0, 120))}`);
    assert.ok(d.range.start.line < doc.lineCount, `line ${d.range.start.line} of ${doc.lineCount}`);
  }
}

/**
 * The fastest of three forced re-runs within 50 ms: the analysis of the input itself never blocks
 * the host that long. Not every run: on the shared 2-core machine other jobs and V8 full
 * collections in the host add 50–500 ms to some runs whatever the input (BENCHMARKS.md measures
 * the bound on a quieter machine). All figures are logged; RELIABILITY.md lists them.
 */
function assertResponsive(name: string, openBlockMs: number, rerunBlockMs: number[]): void {
  console.log(`    ${name}: longest block from open to diagnostics ${openBlockMs.toFixed(1)} ms; re-runs ${rerunBlockMs.map((b) => b.toFixed(1)).join(' / ')} ms`);
  assert.ok(rerunBlockMs[0] <= MAX_BLOCK_MS, `${name}: the host's event loop blocked ${rerunBlockMs.join(', ')} ms in three re-runs`);
}

/** The document is still the file's text: BPTT Lens never edits what it reads. */
function assertUnchanged(doc: vscode.TextDocument, text: string): void {
  assert.strictEqual(doc.isDirty, false);
  assert.ok(doc.getText() === text, 'the document text is unchanged');
}

describe('Hostile files in the extension', function () {
  this.timeout(180_000);
  after(closeAllEditors);

  const located: { name: string; text: () => string; message: RegExp; line: number; col?: number; count?: number }[] = [
    {
      name: 'deep.json',
      text: () => '{"bptt": {"w": 0.5}, "x": ' + '['.repeat(10_000) + ']'.repeat(10_000) + '}',
      message: /^nested too deeply: more than \d+ levels/,
      line: 0,
    },
    {
      name: 'nul.csv',
      text: () => '# bptt: w=0.5\nx,y\n' + rows(100) + '1,\u00002\n' + rows(100),
      message: /^this file looks binary \(NUL byte at line 103, column 3\)/,
      line: 102,
      col: 2,
    },
    {
      name: 'control-header.csv',
      text: () => '# bptt: w=0.5\n\x1b[2Jx\x07,y\x1b]0;pwn\x07\n1,2\n',
      message: /^header has no "x" column; found: \\x1b\[2Jx\\x07, y\\x1b\]0;pwn\\x07$/,
      line: 1,
      col: 0,
    },
    {
      name: 'proto.json',
      text: () => '{"__proto__": 1, "constructor": [1], "x": [1, 2], "bptt": {"toString": 1, "__proto__": 2, "phi": "constructor"}}',
      message: /^unknown top-level key "__proto__"/,
      line: 0,
      col: 1,
      count: 5,
    },
    {
      name: 'proto.csv',
      text: () => '# bptt: __proto__=1 constructor=2 toString=3 phi=constructor\nx,y,__proto__\n1,2,3\n',
      message: /^unknown key "__proto__"/,
      line: 0,
      col: 8,
      count: 4,
    },
    {
      name: 'huge-number.csv',
      text: () => '# bptt: w=1e400\nx,y\n1e400,2\n1,-1e400\n',
      message: /^w must be a finite number, got "1e400"/,
      line: 0,
      col: 10,
    },
    {
      name: 'header-10mb.csv',
      text: () => '# bptt: w=0.5\n' + 'a'.repeat(10 * 1024 * 1024) + ',y\n' + '1,2\n'.repeat(150),
      message: /^header has no "x" column; found: a+…/,
      line: 1,
      col: 0,
    },
  ];

  for (const c of located) {
    it(`${c.name}: a located, bounded message; the host stays responsive; the text is unchanged`, async () => {
      const text = c.text();
      const uri = writeFile(c.name, text);
      const m = await openAndMeasure(uri, c.count ?? 1);
      assertBounded(m);
      const d = m.diagnostics.find((x) => c.message.test(x.message));
      assert.ok(d, `expected ${c.message}; got ${JSON.stringify(m.diagnostics.map((x) => x.message.slice(0, 120)))}`);
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
      assert.strictEqual(d.range.start.line, c.line);
      if (c.col !== undefined) assert.strictEqual(d.range.start.character, c.col);
      if (c.count !== undefined) assert.strictEqual(m.diagnostics.length, c.count);
      assertResponsive(c.name, m.openBlockMs, m.rerunBlockMs);
      assertUnchanged(m.doc, text);
    });
  }

  it('UTF-16 LE with and without a BOM: VS Code decodes it, and BPTT Lens reads the same steps as from UTF-8', async () => {
    const text = '# bptt: w=0.5\nx,y\n' + '1,0.3\n0.5,0.2\n'.repeat(25);
    for (const [name, bytes] of [
      ['utf16le.csv', Buffer.from('\ufeff' + text, 'utf16le')],
      ['utf16le-nobom.csv', Buffer.from(text, 'utf16le')],
    ] as const) {
      const uri = writeFile(name, bytes);
      const doc = await vscode.workspace.openTextDocument(uri);
      const summary = await vscode.commands.executeCommand<{ T: number; errors: number }>('bpttLens.runBackwardPass', uri);
      assert.deepStrictEqual([summary?.T, summary?.errors], [50, 0], name);
      assertResponsive(name, NaN, await measureReruns(uri));
      assertUnchanged(doc, text);
    }
  });

  it('a binary file: VS Code does not give it to extensions as text, and Run Backward Pass ends cleanly', async () => {
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 255;
    const uri = writeFile('binary.csv', bytes);
    const opened = await vscode.workspace.openTextDocument(uri).then(
      (doc) => doc,
      (e: Error) => e,
    );
    const drift = driftMonitor();
    // Either way the command resolves (its errors are shown, never thrown into VS Code).
    const summary = await vscode.commands.executeCommand<{ T: number; errors: number } | undefined>('bpttLens.runBackwardPass', uri);
    const block = drift.stop();
    console.log(`    binary.csv: ${opened instanceof Error ? `refused by VS Code (${opened.message.slice(0, 80)})` : 'opened'}; longest block ${block.toFixed(1)} ms`);
    if (opened instanceof Error) {
      assert.match(opened.message, /binary/i);
      assert.strictEqual(summary, undefined);
    } else {
      // Opened as text after all: BPTT Lens names the NUL bytes, located and bounded.
      const ours = await waitFor('binary.csv diagnostics', () => vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'BPTT Lens').length > 0 && vscode.languages.getDiagnostics(uri));
      assert.ok(ours.some((d) => /binary/.test(d.message)), JSON.stringify(ours.map((d) => d.message.slice(0, 100))));
      assert.strictEqual(opened.isDirty, false);
    }
  });

  it('a huge T (10⁶ steps): no error, the text unchanged (the host\'s blocks logged)', async () => {
    const n = 1_000_000;
    // Without and with a directive (the bench's file has none). Timing only logged: at 10⁶ steps the
    // host's collections of the result's ~70 MB of typed arrays exceed 50 ms under load (BENCHMARKS.md).
    for (const directive of ['', '# bptt: w=0.5 v=1']) {
      const name = directive ? 'huge-t.csv' : 'huge-t-nodirective.csv';
      const { uri } = writeBigCsv(name, n, directive);
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        const version = doc.version;
        const summary = await vscode.commands.executeCommand<{ T: number; errors: number }>('bpttLens.runBackwardPass', uri);
        assert.deepStrictEqual([summary?.T, summary?.errors], [n, 0]);
        const blocks = await measureReruns(uri);
        console.log(`    ${name}: re-runs ${blocks.map((b) => b.toFixed(1)).join(' / ')} ms`);
        assert.strictEqual(doc.version, version);
        assertUnchanged(doc, fs.readFileSync(uri.fsPath, 'utf8'));
      } finally {
        await closeAllEditors();
        fs.rmSync(uri.fsPath, { force: true });
      }
    }
  });
});
