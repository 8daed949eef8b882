import * as assert from 'assert';
import { runBptt } from '../../src/core';
import { documentFormat, mayHaveDirective } from '../../src/extension/documentFormat';
import { nonFiniteMessage, problemsOf } from '../../src/extension/problems';
import { parseSequence } from '../../src/parse';

const ON = { gradientWarnings: true, vanishingThreshold: 1e-6, explodingThreshold: 1e6 };

describe('problemsOf', () => {
  it('turns parse errors into errors at their range', () => {
    const parsed = parseSequence('x,y\n1,2\nabc,3\n', 'csv');
    const problems = problemsOf(parsed, undefined, ON);
    assert.ok(problems.length >= 1);
    assert.strictEqual(problems[0].severity, 'error');
    assert.deepStrictEqual(problems[0].range, { kind: 'lineCol', line: 2, col: 0, endLine: 2, endCol: 3 });
  });

  it('locates the first non-finite gradient on its row, going backward', () => {
    const text = '# bptt: w=1e200 v=1 phi=identity\nx,y\n1,\n1,\n1,1\n';
    const parsed = parseSequence(text, 'csv');
    const trace = runBptt(parsed.model, parsed);
    const problems = problemsOf(parsed, trace, { ...ON, gradientWarnings: false });
    const nf = problems.find((p) => p.code === 'non-finite');
    assert.ok(nf, JSON.stringify(problems));
    assert.strictEqual(nf.severity, 'warning');
    assert.ok(trace.nonFiniteOrigin);
    const i = trace.nonFiniteOrigin.t - 1;
    const line = parsed.line[i];
    assert.deepStrictEqual(nf.range, { kind: 'lineCol', line, col: 0, endLine: line, endCol: parsed.rowEnd[i] - parsed.rowStart[i] });
  });

  it('words the non-finite origin with its direction', () => {
    assert.strictEqual(
      nonFiniteMessage({ t: 40, quantity: 'dL_ds', value: Infinity }, 50),
      '∂L/∂s becomes +∞ at t = 40 (going backward from T = 50); every later value it feeds is non-finite too',
    );
    assert.match(nonFiniteMessage({ t: 3, quantity: 'h', value: NaN }, 50), /^h becomes NaN at t = 3 \(going forward from t = 1\)/);
  });

  it('puts vanishing gradients on the step where they start', () => {
    const rows = Array.from({ length: 40 }, (_, k) => (k === 39 ? '0.1,1' : '0.1,')).join('\n');
    const parsed = parseSequence(`# bptt: w=0.1 v=1\nx,y\n${rows}\n`, 'csv');
    const trace = runBptt(parsed.model, parsed);
    const v = problemsOf(parsed, trace, ON).find((p) => p.code === 'vanishing');
    assert.ok(v);
    assert.strictEqual(v.severity, 'information');
    assert.match(v.message, /^Vanishing gradient: \|∂L\/∂s_t\| < 1e-6 from t = \d+ back to t = 1 \(min /);
    assert.strictEqual(problemsOf(parsed, trace, { ...ON, gradientWarnings: false }).length, 0);
  });
});

describe('documentFormat', () => {
  it('goes by file name, then language, then content for untitled plaintext', () => {
    assert.strictEqual(documentFormat('/a/b.TSV', 'plaintext', ''), 'tsv');
    assert.strictEqual(documentFormat('Untitled-1', 'json', ''), 'json');
    assert.strictEqual(documentFormat('Untitled-1', 'plaintext', '  {"x": [1]}'), 'json');
    assert.strictEqual(documentFormat('Untitled-1', 'plaintext', '# c\nx\ty\n'), 'tsv');
    assert.strictEqual(documentFormat('Untitled-1', 'plaintext', 'x,y\n'), 'csv');
    assert.strictEqual(documentFormat('/a/b.ts', 'typescript', 'x,y'), undefined);
  });

  it('sniffs directives', () => {
    assert.ok(mayHaveDirective('# note\n  # bptt: w=1\nx\n', 'csv'));
    assert.ok(!mayHaveDirective('x,y\n# bpttw=1\n', 'csv'));
    assert.ok(mayHaveDirective('{"bptt": {}, "x": []}', 'json'));
    assert.ok(!mayHaveDirective('{"x": []}', 'json'));
  });
});
