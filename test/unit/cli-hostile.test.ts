/**
 * The CLI against a bad-input corpus, as an adversary would try it (the built bin/bptt-lens.js in
 * a child process). Every case has its expected answer: the exit status, a located message
 * (FILE:LINE:COL), a bounded output, a time bound, and never a stack trace.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bptt-lens.js');
const SAMPLES = join(ROOT, 'samples');
const dir = mkdtempSync(join(tmpdir(), 'bptt-hostile-'));

/** Generous on a shared 2-core machine; a hang or a quadratic blow-up is far beyond it. */
const TIME_LIMIT_MS = 30_000;
/** 100 errors of at most 500 characters, plus the file name each: ~64 kB. */
const MAX_STDERR = 64 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], opts: { input?: string | Buffer; preload?: string } = {}): Run {
  const t0 = Date.now();
  const pre = opts.preload ? ['-r', opts.preload] : [];
  const r = spawnSync(process.execPath, [...pre, BIN, ...args], {
    encoding: 'utf8', input: opts.input, maxBuffer: 1 << 30, timeout: TIME_LIMIT_MS, killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function file(name: string, content: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, content);
  return f;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What every run must satisfy, whatever the input. */
function sane(r: Run, what: string): void {
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `${what}: exit ${r.code} (signal or crash); stderr: ${r.stderr.slice(0, 500)}`);
  assert.ok(r.ms < TIME_LIMIT_MS, `${what}: ${r.ms} ms`);
  assert.doesNotMatch(r.stderr, /^\s+at .+[:(].*\d+:\d+\)?$/m, `${what}: a stack trace on stderr:\n${r.stderr.slice(0, 2000)}`);
  assert.doesNotMatch(r.stderr, /node:internal|Error: .*\n\s+at /, `${what}: a stack trace on stderr`);
  assert.ok(r.stderr.length <= MAX_STDERR, `${what}: ${r.stderr.length} characters on stderr`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, `${what}: a raw control character on stderr`);
}

/** Exit 2, nothing on stdout, and every stderr line is FILE:LINE:COL: message. */
function rejected(r: Run, f: string, what: string): string[] {
  sane(r, what);
  assert.equal(r.code, 2, `${what}: exit ${r.code}; stderr: ${r.stderr.slice(0, 500)}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length >= 1 && lines[0] !== '');
  for (const l of lines) assert.match(l, new RegExp(`^${escapeRe(f)}:\\d+:\\d+: \\S`), `${what}: not located: ${l.slice(0, 200)}`);
  return lines;
}

function accepted(r: Run, what: string) {
  sane(r, what);
  assert.equal(r.code, 0, `${what}: exit ${r.code}; stderr: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout);
}

describe('bptt-lens CLI against hostile input', function () {
  this.timeout(4 * TIME_LIMIT_MS);

  describe('file contents', () => {
    it('binary bytes: exit 2, located, no raw control character reaches the terminal', () => {
      // A fixed pseudo-random byte string (LCG), so the case is the same on every run.
      const bytes = Buffer.alloc(4096);
      let r = 12345;
      for (let i = 0; i < bytes.length; i++) bytes[i] = (r = (r * 1103515245 + 12345) >>> 0) >>> 24;
      const f = file('binary.csv', bytes);
      rejected(cli([f]), f, 'binary');
      const g = file('binary.json', bytes);
      rejected(cli([g]), g, 'binary json');
    });

    it('0-byte file: exit 2, "no header row" at 1:1 (CSV); a located error (JSON)', () => {
      const f = file('empty.csv', '');
      assert.match(rejected(cli([f]), f, 'empty csv')[0], /:1:1: no header row/);
      const g = file('empty.json', '');
      rejected(cli([g]), g, 'empty json');
    });

    it('NUL bytes in a cell: exit 2, the file named binary at the NUL, no NUL echoed', () => {
      const f = file('nul.csv', 'x,y\n1,\u00002\n');
      const [line] = rejected(cli([f]), f, 'nul');
      assert.match(line, /:2:3: this file looks binary \(NUL byte at line 2, column 3\)/);
      assert.ok(!line.includes('\0'), line);
    });

    it('terminal escape sequences in a header reach stderr escaped', () => {
      const f = file('escape.csv', 'a\u001b[31m,\u009bb\u202e\nx\n');
      const [line] = rejected(cli([f]), f, 'escape');
      assert.ok(line.includes('a\\x1b[31m, \\x9bb\\u202e'), line);
    });

    it('mixed line endings (\\r\\n, \\n, \\r): accepted, each step on its own line', () => {
      const doc = accepted(cli([file('mixed.csv', 'x,y\r\n1,2\n3,4\r5,6\r\n'), '--json']), 'mixed');
      assert.equal(doc.T, 3);
      assert.deepEqual(doc.steps.map((s: { line: number }) => s.line), [2, 3, 4]);
    });

    it('a UTF-8 BOM: accepted (CSV and JSON)', () => {
      assert.equal(accepted(cli([file('bom.csv', '\ufeffx,y\n1,2\n'), '--json']), 'bom csv').T, 1);
      assert.equal(accepted(cli([file('bom.json', '\ufeff{"x": [1, 2]}'), '--json']), 'bom json').T, 2);
    });

    it('UTF-16 with a BOM: exit 2, located, no NUL on stderr (the wording is the parser’s)', () => {
      const f = file('utf16.csv', Buffer.from('\ufeffx,y\n1,2\n', 'utf16le'));
      rejected(cli([f]), f, 'utf16');
    });

    it('a 10 MB header cell repeated in 150 errors: stderr stays small', () => {
      const f = file('huge-header.csv', `x,${'H'.repeat(10_000_000)},z\n` + '1,2\n'.repeat(150));
      const r = cli([f]);
      const lines = rejected(r, f, 'huge header');
      assert.equal(lines.length, 101);
      assert.match(lines[0], /row has 2 cells, but the header has 3 columns \(x, H{59}…, z\)$/);
      assert.match(lines[100], /…and 50 more errors/);
    });

    it('a 10 MB cell that is not a number: one short message', () => {
      const f = file('huge-cell.csv', `x,y\n1,${'a'.repeat(10_000_000)}\n`);
      const [line] = rejected(cli([f]), f, 'huge cell');
      assert.ok(line.length < 300, line.slice(0, 300));
      assert.match(line, /:2:3: y: "a{59}…" is not a number$/);
    });

    it('huge numbers (1e400): accepted as ±Infinity and reported as the first non-finite step', () => {
      const doc = accepted(cli([file('huge-num.csv', 'x,y\n1e400,2\n-1e400,1\n'), '--json']), '1e400');
      assert.equal(doc.steps[0].x, 'Infinity');
      assert.equal(doc.steps[1].x, '-Infinity');
      assert.equal(doc.firstNonFinite, 1);
    });

    it('duplicate keys: exit 2 at the second key (JSON top level and "bptt")', () => {
      const f = file('dup.json', '{"x": [1], "x": [2]}');
      assert.match(rejected(cli([f]), f, 'dup')[0], /:1:12: duplicate key "x"$/);
      const g = file('dup2.json', '{"bptt": {"w": 1, "w": 2}, "x": [1]}');
      assert.match(rejected(cli([g]), g, 'dup bptt')[0], /duplicate key "w" in "bptt"/);
    });

    it('repeated directives: accepted, the later value wins', () => {
      const doc = accepted(cli([file('rep.csv', '# bptt: w=1 phi=relu\n# bptt: w=2\nx,y\n1,2\n'), '--json']), 'repeated');
      assert.equal(doc.model.w, 2);
      assert.equal(doc.model.phi, 'relu');
    });

    it('prototype-named keys: as a CSV header, JSON keys and directive keys they are ordinary unknown names', () => {
      const a = file('proto.csv', '__proto__,constructor\n1,2\n');
      assert.match(rejected(cli([a]), a, 'proto header')[0], /header has no "x" column; found: __proto__, constructor/);
      const b = file('proto.json', '{"__proto__": {"x": 1}, "constructor": 2, "x": [1]}');
      const lb = rejected(cli([b]), b, 'proto json');
      assert.match(lb[0], /unknown top-level key "__proto__"/);
      assert.match(lb[1], /unknown top-level key "constructor"/);
      const c = file('proto-bptt.json', '{"bptt": {"__proto__": 1, "toString": "x", "hasOwnProperty": 2}, "x": [1]}');
      assert.equal(rejected(cli([c]), c, 'proto bptt').length, 3);
      const d = file('proto-dir.csv', '# bptt: __proto__=1 constructor=2 valueOf=3\nx,y\n1,2\n');
      for (const l of rejected(cli([d]), d, 'proto directive')) assert.match(l, /unknown key "(__proto__|constructor|valueOf)"/);
      const e = file('proto-col.csv', 'x,__proto__,constructor\n1,2,3\n');
      accepted(cli([e, '--json']), 'proto extra columns');
      const g = file('proto-choice.csv', '# bptt: phi=__proto__ loss=constructor\nx,y\n1,2\n');
      assert.equal(rejected(cli([g]), g, 'proto choices').length, 2);
    });

    it('deep nesting (10 000 arrays, 10 000 objects): exit 2 without a trace (the wording is the parser’s)', () => {
      const f = file('deep.json', '['.repeat(10_000) + ']'.repeat(10_000));
      rejected(cli([f]), f, 'deep arrays');
      const g = file('deep-obj.json', '{"x": ' + '{"a": '.repeat(10_000) + '1' + '}'.repeat(10_001));
      rejected(cli([g]), g, 'deep objects');
    });

    it('a long run of garbage lines: at most 100 errors and a count of the rest', () => {
      const f = file('garbage.csv', 'x,y\n' + 'a,b\n'.repeat(50_000));
      const lines = rejected(cli([f]), f, 'garbage');
      assert.equal(lines.length, 101);
      assert.match(lines[100], /…and 99900 more errors \(only the first 100 are listed\)$/);
    });
  });

  describe('command line', () => {
    const ok = join(SAMPLES, 'textbook.csv');

    for (const args of [
      ['--toString', '1'], ['--constructor', 'x'], ['--__proto__', 'x'], ['--hasOwnProperty=1'], ['--valueOf'],
      ['--rows', '-1'], ['--rows', 'abc'], ['--rows', ''], ['--rows'], ['--w', 'NaN'], ['--w', ''], ['--h0', 'Infinity'],
      ['--phi', '__proto__'], ['--phi', 'constructor'], ['--format', '__proto__'], ['--format=toString'], ['--json=1'],
    ]) {
      it(`${args.join(' ')}: a usage error, exit 2`, () => {
        const r = cli([ok, ...args]);
        sane(r, args.join(' '));
        assert.equal(r.code, 2);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^bptt-lens: \S.*\n\nUsage: bptt-lens FILE/);
      });
    }

    it('an unknown option names itself, escaped', () => {
      const r = cli([ok, '--\u001b[2Jx']);
      sane(r, 'escape option');
      assert.match(r.stderr, /^bptt-lens: unknown option --\\x1b\[2Jx\n/);
    });

    it('unreadable FILE (missing, a directory): exit 2, "cannot read" in words', () => {
      for (const [f, why] of [[join(dir, 'missing.csv'), 'no such file'], [(mkdirSync(join(dir, 'adir.csv'), { recursive: true }), join(dir, 'adir.csv')), 'it is a directory']] as const) {
        const r = cli([f as string]);
        sane(r, f as string);
        assert.equal(r.code, 2);
        assert.equal(r.stderr, `${f}: cannot read: ${why}\n`);
      }
    });

    it('stdin without --format: usage error; with it, stdin is read', () => {
      assert.equal(cli(['-']).code, 2);
      assert.equal(accepted(cli(['-', '--format', 'json', '--json'], { input: '{"x": [1, 2, 3]}' }), 'stdin').T, 3);
    });

    it('an internal error (a bug) is one line naming the input, exit 2', () => {
      const pre = file('throw.js', "process.stdout.write = () => { throw new TypeError('boom'); };\n");
      const r = cli([ok, '--json'], { preload: pre });
      sane(r, 'internal');
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^bptt-lens: internal error \(TypeError: boom\); this is a bug in BPTT Lens: please report it with this line and the input, .*textbook\.csv\n$/);
    });
  });

  describe('subcommands (check, gradcheck, flow)', () => {
    const ok = join(SAMPLES, 'textbook.csv');

    for (const cmd of ['check', 'gradcheck', 'flow']) {
      for (const args of [['--toString', '1'], ['--__proto__', 'x'], ['--rows', '3'], ['--phi', 'constructor'], ['--format=toString'], ['--json=1']]) {
        it(`${cmd} FILE ${args.join(' ')}: a usage error with the command's usage, exit 2`, () => {
          const r = cli([cmd, ok, ...args]);
          sane(r, `${cmd} ${args.join(' ')}`);
          assert.equal(r.code, 2);
          assert.equal(r.stdout, '');
          assert.match(r.stderr, new RegExp(`^bptt-lens ${cmd}: \\S.*\n\nUsage: bptt-lens ${cmd} FILE`));
        });
      }

      it(`${cmd} on a UTF-16 file: exit 2, located, no stack trace`, () => {
        const f = file(`utf16-${cmd}.csv`, Buffer.from('\ufeff# check: dL_db = sum(dL_ds)\nx,y\n1,2\n', 'utf16le'));
        rejected(cli([cmd, f]), f, `${cmd} utf16`);
      });

      it(`${cmd} on a missing file and a directory: exit 2, "cannot read" in words`, () => {
        for (const [f, why] of [[join(dir, 'missing.csv'), 'no such file'], [(mkdirSync(join(dir, 'adir.csv'), { recursive: true }), join(dir, 'adir.csv')), 'it is a directory']] as const) {
          const r = cli([cmd, f as string]);
          sane(r, `${cmd} ${f}`);
          assert.equal(r.code, 2);
          assert.equal(r.stderr, `${f}: cannot read: ${why}\n`);
        }
      });
    }

    it('gradcheck FILE --json | head and flow FILE --json | head: the closed pipe ends the run quietly, exit 0', () => {
      let text = '# bptt: w=0.5 v=0.1\nx,y\n';
      for (let i = 0; i < 3000; i++) text += `${(i % 7) / 7},${i % 2}\n`;
      const big = file('pipe.csv', text);
      const errFile = join(dir, 'epipe-sub.err');
      for (const cmd of ['gradcheck', 'flow']) {
        const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${cmd} "${big}" --json 2>"${errFile}" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${errFile}"`], { encoding: 'utf8', timeout: TIME_LIMIT_MS });
        const [code, ...err] = r.stdout.split('\n');
        assert.equal(code, '0', `${cmd}: ${r.stdout}`);
        assert.equal(err.join('\n').trim(), '', `${cmd}: stderr ${err.join('\n').slice(0, 500)}`);
      }
    });

    it('the model options reach every subcommand (--phi relu changes flow\'s factors)', () => {
      const plain = file('plain.csv', 'x,y\n1,0.4\n-0.5,0.6\n-1,0.2\n');
      const tanh = accepted(cli(['flow', plain, '--json', '--w', '0.5']), 'flow tanh');
      const relu = accepted(cli(['flow', plain, '--json', '--w', '0.5', '--phi', 'relu']), 'flow relu');
      assert.notDeepEqual(tanh.factors, relu.factors);
    });
  });

  describe('output', () => {
    const T = 200_000;
    let big = '';
    before(() => {
      let text = '# bptt: w=0.5 v=0.1\nx,y\n';
      for (let i = 0; i < T; i++) text += `${(i % 7) / 7},${i % 2}\n`;
      big = file('big.csv', text);
    });

    it(`--rows 0 on ${T} rows: every row, exit 0`, () => {
      const r = cli([big, '--rows', '0']);
      sane(r, '--rows 0');
      assert.equal(r.code, 0);
      const rows = r.stdout.split('\n').filter((l) => /^ *\d+ +\d+ /.test(l));
      assert.equal(rows.length, T);
    });

    it('--json | head: the closed pipe ends the run quietly, exit 0', () => {
      const errFile = join(dir, 'epipe.err');
      for (const mode of ['--json', '--csv', '--rows=0']) {
        const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" "${big}" ${mode} 2>"${errFile}" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${errFile}"`], { encoding: 'utf8', timeout: TIME_LIMIT_MS });
        const [code, ...err] = r.stdout.split('\n');
        assert.equal(code, '0', `${mode}: ${r.stdout}`);
        assert.equal(err.join('\n').trim(), '', `${mode}: stderr ${err.join('\n').slice(0, 500)}`);
      }
    });

    it('warnings: on stderr as FILE:LINE:COL: warning: …, and in --json', () => {
      const f = file('dead.csv', '# bptt: phi=relu w=1 v=1\nx,y\n-1,1\n-2,1\n');
      const r = cli([f, '--json']);
      const doc = accepted(r, 'dead relu');
      assert.deepEqual(doc.warnings.map((w: { code: string; t: number; line: number }) => [w.code, w.t, w.line]), [['dead_relu', 2, 4]]);
      assert.equal(r.stderr, `${f}:4:1: warning: ${doc.warnings[0].message}\n`);
      const g = file('bce.json', '{"bptt": {"loss": "bce", "u": 3},\n "x": [1,\n       2],\n "y": [1, 0]}');
      const r2 = cli([g, '--json']);
      const d2 = accepted(r2, 'bce');
      assert.deepEqual(d2.warnings.map((w: { code: string; t: number; line: number }) => [w.code, w.t, w.line]), [['loss_domain', 1, 2]]);
      assert.match(r2.stderr, new RegExp(`^${escapeRe(g)}:2:8: warning: bce needs ŷ in \\(0, 1\\)`));
    });
  });
});
