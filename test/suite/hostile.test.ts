/**
 * Hostile files in the real extension (issue 8): each is opened as a user would open it. The
 * Problems list gets a located, bounded message (≤ MAX_MESSAGE characters, ≤ MAX_ERRORS + 1
 * entries); the extension host's event loop never blocks more than 50 ms while BPTT Lens analyses
 * it (driftMonitor.ts, from the moment VS Code has given the document to the extension host: the
 * sync of a 10 MB document is VS Code's own work); the document's text is left as it was.
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
  /** The longest event-loop block from the document's arrival to its diagnostics, and of a forced re-run. */
  openBlockMs: number;
  rerunBlockMs: number;
}

/** Opens `uri`, waits for BPTT Lens's diagnostics (at least `atLeast`), then re-runs the pass once, measured inside the host. */
async function openAndMeasure(uri: vscode.Uri, atLeast: number): Promise<Measured> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const drift = driftMonitor();
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('bpttLens.runBackwardPass', uri);
  const ours = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'BPTT Lens');
  const diagnostics = await waitFor(`${atLeast} diagnostic(s) on ${path.basename(uri.fsPath)}`, () => ours().length >= atLeast && ours());
  // Let the update listeners (CodeLens, status bar, hovers' cache) run inside the window too.
  await new Promise((r) => setTimeout(r, 50));
  const openBlockMs = drift.stop();
  const rerun = await vscode.commands.executeCommand<{ longestBlockMs: number } | undefined>('bpttLens._measureRun', uri.toString());
  return { doc, diagnostics, openBlockMs, rerunBlockMs: rerun?.longestBlockMs ?? NaN };
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

function assertResponsive(m: Measured): void {
  const name = path.basename(m.doc.uri.fsPath);
  assert.ok(m.openBlockMs <= MAX_BLOCK_MS, `${name}: the host's event loop blocked ${m.openBlockMs.toFixed(1)} ms while it was analysed`);
  assert.ok(m.rerunBlockMs <= MAX_BLOCK_MS, `${name}: the host's event loop blocked ${m.rerunBlockMs.toFixed(1)} ms during a re-run`);
}

/** The document is still the file's text: BPTT Lens never edits what it reads. */
function assertUnchanged(doc: vscode.TextDocument, text: string): void {
  assert.strictEqual(doc.isDirty, false);
  assert.ok(doc.getText() === text, 'the document text is unchanged');
}

describe('Hostile files in the extension', function () {
  this.timeout(180_000);
  after(closeAllEditors);

  const located: { name: string; text: string; message: RegExp; line: number; col?: number; count?: number }[] = [
    {
      name: 'deep.json',
      text: '{"bptt": {"w": 0.5}, "x": ' + '['.repeat(10_000) + ']'.repeat(10_000) + '}',
      message: /^nested too deeply: more than \d+ levels/,
      line: 0,
    },
    {
      name: 'nul.csv',
      text: '# bptt: w=0.5\nx,y\n' + rows(100) + '1,\u00002\n' + rows(100),
      message: /^this file looks binary \(NUL byte at line 103, column 3\)/,
      line: 102,
      col: 2,
    },
    {
      name: 'control-header.csv',
      text: '# bptt: w=0.5\n\x1b[2Jx\x07,y\x1b]0;pwn\x07\n1,2\n',
      message: /^header has no "x" column; found: \\x1b\[2Jx\\x07, y\\x1b\]0;pwn\\x07$/,
      line: 1,
      col: 0,
    },
    {
      name: 'proto.json',
      text: '{"__proto__": 1, "constructor": [1], "x": [1, 2], "bptt": {"toString": 1, "__proto__": 2, "phi": "constructor"}}',
      message: /^unknown top-level key "__proto__"/,
      line: 0,
      col: 1,
      count: 5,
    },
    {
      name: 'proto.csv',
      text: '# bptt: __proto__=1 constructor=2 toString=3 phi=constructor\nx,y,__proto__\n1,2,3\n',
      message: /^unknown key "__proto__"/,
      line: 0,
      col: 8,
      count: 4,
    },
    {
      name: 'huge-number.csv',
      text: '# bptt: w=1e400\nx,y\n1e400,2\n1,-1e400\n',
      message: /^w must be a finite number, got "1e400"/,
      line: 0,
      col: 10,
    },
    {
      name: 'header-10mb.csv',
      text: '# bptt: w=0.5\n' + 'a'.repeat(10 * 1024 * 1024) + ',y\n' + '1,2\n'.repeat(150),
      message: /^header has no "x" column; found: a+…/,
      line: 1,
      col: 0,
    },
  ];

  for (const c of located) {
    it(`${c.name}: a located, bounded message; the host stays responsive; the text is unchanged`, async () => {
      const uri = writeFile(c.name, c.text);
      const m = await openAndMeasure(uri, c.count ?? 1);
      assertBounded(m);
      const d = m.diagnostics.find((x) => c.message.test(x.message));
      assert.ok(d, `expected ${c.message}; got ${JSON.stringify(m.diagnostics.map((x) => x.message.slice(0, 120)))}`);
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
      assert.strictEqual(d.range.start.line, c.line);
      if (c.col !== undefined) assert.strictEqual(d.range.start.character, c.col);
      if (c.count !== undefined) assert.strictEqual(m.diagnostics.length, c.count);
      assertResponsive(m);
      assertUnchanged(m.doc, c.text);
    });
  }

  it('UTF-16 LE with a BOM: VS Code decodes it, and BPTT Lens reads the same steps as from UTF-8', async () => {
    const text = '# bptt: w=0.5\nx,y\n1,0.3\n0.5,0.2\n';
    const uri = writeFile('utf16le.csv', Buffer.from('\ufeff' + text, 'utf16le'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const drift = driftMonitor();
    const summary = await vscode.commands.executeCommand<{ T: number; errors: number }>('bpttLens.runBackwardPass', uri);
    const block = drift.stop();
    assert.deepStrictEqual([summary?.T, summary?.errors], [2, 0]);
    assert.ok(block <= MAX_BLOCK_MS, `blocked ${block.toFixed(1)} ms`);
    assertUnchanged(doc, text);
  });

  it('a binary file (and UTF-16 without a BOM): VS Code does not give it to extensions, and Run Backward Pass ends cleanly', async () => {
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 255;
    for (const [name, content] of [
      ['binary.csv', bytes],
      ['utf16le-nobom.csv', Buffer.from('x,y\n1,2\n'.repeat(50), 'utf16le')],
    ] as const) {
      const uri = writeFile(name, content);
      const opened = await vscode.workspace.openTextDocument(uri).then(
        (doc) => doc,
        (e: Error) => e,
      );
      const drift = driftMonitor();
      // Either way the command resolves (its errors are shown, never thrown into VS Code).
      const summary = await vscode.commands.executeCommand<{ T: number; errors: number } | undefined>('bpttLens.runBackwardPass', uri);
      const block = drift.stop();
      assert.ok(block <= MAX_BLOCK_MS, `${name}: blocked ${block.toFixed(1)} ms`);
      if (opened instanceof Error) {
        assert.match(opened.message, /binary/i);
        assert.strictEqual(summary, undefined);
      } else {
        // Opened as text after all: BPTT Lens names the NUL bytes, located and bounded.
        const ours = await waitFor(name, () => vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'BPTT Lens').length > 0 && vscode.languages.getDiagnostics(uri));
        assert.ok(ours.some((d) => /binary|UTF-16/.test(d.message)), JSON.stringify(ours.map((d) => d.message)));
        assert.strictEqual(opened.isDirty, false);
      }
    }
  });

  it('a huge T (10⁶ steps): no error, and the host stays responsive', async () => {
    const n = 1_000_000;
    const { uri } = writeBigCsv('huge-t.csv', n, '# bptt: w=0.5 v=1');
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const text = doc.getText();
      const drift = driftMonitor();
      const summary = await vscode.commands.executeCommand<{ T: number; errors: number }>('bpttLens.runBackwardPass', uri);
      await new Promise((r) => setTimeout(r, 50));
      const block = drift.stop();
      assert.deepStrictEqual([summary?.T, summary?.errors], [n, 0]);
      assert.ok(block <= MAX_BLOCK_MS, `blocked ${block.toFixed(1)} ms`);
      const rerun = await vscode.commands.executeCommand<{ longestBlockMs: number }>('bpttLens._measureRun', uri.toString());
      assert.ok(rerun.longestBlockMs <= MAX_BLOCK_MS, `re-run blocked ${rerun.longestBlockMs.toFixed(1)} ms`);
      assertUnchanged(doc, text);
    } finally {
      await closeAllEditors();
      fs.rmSync(uri.fsPath, { force: true });
    }
  });
});
