/**
 * The CLI's byte reader (src/cli/readInput.ts) as a user meets it: hostile files get one located
 * message and exit 2, never raw NUL bytes or a stack trace; and the trace's memory is checked first.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { traceMemoryProblem, TRACE_BYTES_PER_STEP } from '../../src/cli/readInput';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const dir = mkdtempSync(join(tmpdir(), 'bptt-readinput-'));

function run(name: string, content: Uint8Array | string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, name);
  writeFileSync(file, content);
  const r = spawnSync(process.execPath, [BIN, file, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replaceAll(dir, 'DIR') };
}

describe('CLI input: files read from bytes', function () {
  this.timeout(30000);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('UTF-16 (with and without BOM) is named, with no NUL on stderr', () => {
    for (const bytes of [Buffer.from('\uFEFFx,y\n1,2\n', 'utf16le'), Buffer.from('x,y\n1,2\n', 'utf16le')]) {
      const r = run('u16.csv', bytes);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, 'DIR/u16.csv:1:1: this file is UTF-16 LE; save it as UTF-8\n');
    }
  });

  it('a binary file: one located message, no NUL echoed', () => {
    const r = run('bin.json', Buffer.from('{"x": [1,\n 2\u0000, 3]}'));
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'DIR/bin.json:2:3: this file looks binary (NUL byte at line 2, column 3); BPTT Lens reads UTF-8 text\n');
    assert.ok(!r.stderr.includes('\0'));
  });

  it('10 000 nested arrays: a located depth error, not a stack overflow', () => {
    const r = run('deep.json', '{"x": ' + '['.repeat(10000));
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'DIR/deep.json:1:70: nested too deeply: more than 64 levels of [ ] and { }\n');
  });

  it('a valid file with CRLF and a BOM gives the same steps as before', () => {
    const r = run('ok.csv', '\uFEFF# bptt: w=0.5\r\nx,y\r\n1,0.5\r\n2,\r\n', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { T: number; steps: Array<{ line: number; x: number }> };
    assert.equal(out.T, 2);
    assert.deepEqual(out.steps.map((s) => [s.line, s.x]), [[3, 1], [4, 2]]);
  });

  it('the memory a trace needs is checked before it is allocated', () => {
    assert.equal(traceMemoryProblem(1_000_000, 1e9), undefined);
    const msg = traceMemoryProblem(100_000_000, 1e9);
    assert.equal(TRACE_BYTES_PER_STEP, 32);
    assert.equal(msg, 'not enough memory: the trace of 100,000,000 steps needs about 3,052 MB, and about 954 MB is available');
  });
});
