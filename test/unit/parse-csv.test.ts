import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { BUILTIN_DEFAULTS } from '../../src/core/model';
import {
  directiveEdit,
  formatFromFileName,
  formatNumberForDirective,
  parseNumber,
  parseSequence,
  stepAtLine,
  stepAtOffset,
  type ParseError,
  type ParsedSequence,
} from '../../src/parse';

function errs(s: ParsedSequence): Array<[string, number, number, number, number]> {
  return s.errors.map((e: ParseError) => [e.message, e.line, e.col, e.endLine, e.endCol]);
}

describe('parse CSV/TSV: positions', () => {
  it('reads steps with CRLF, BOM, a directive, quoted cells and blank lines', () => {
    const text = '\uFEFF# bptt: w=0.9\r\nx,y\r\n1,2\r\n\r\n  " 3 " , \r\n-4,"0.5"\r\n';
    const s = parseSequence(text, 'csv');
    assert.deepEqual(s.errors, []);
    assert.equal(s.format, 'csv');
    assert.equal(s.T, 3);
    assert.deepEqual([...s.x], [1, 3, -4]);
    assert.deepEqual([...s.hasY], [1, 0, 1]);
    assert.equal(s.y[0], 2);
    assert.ok(Number.isNaN(s.y[1]));
    assert.equal(s.y[2], 0.5);
    assert.deepEqual([...s.line], [2, 4, 5]);
    // row 0: "1,2" starts right after "x,y\r\n"
    const r0 = text.indexOf('1,2');
    assert.deepEqual([s.rowStart[0], s.rowEnd[0], s.xStart[0], s.xEnd[0], s.yStart[0], s.yEnd[0]], [r0, r0 + 3, r0, r0 + 1, r0 + 2, r0 + 3]);
    // quoted " 3 ": content trimmed inside the quotes
    const three = text.indexOf('3');
    assert.deepEqual([s.xStart[1], s.xEnd[1]], [three, three + 1]);
    const r1 = text.indexOf('  " 3');
    assert.equal(s.rowStart[1], r1);
    assert.equal(s.rowEnd[1], text.indexOf('\r\n-4'));
    const half = text.indexOf('0.5');
    assert.deepEqual([s.yStart[2], s.yEnd[2]], [half, half + 3]);
    assert.equal(s.directiveOffset, 1);
    assert.equal(s.hasDirective, true);
    assert.deepEqual(s.columns, ['x', 'y']);
  });

  it('detects tab and semicolon delimiters and reports tsv for tabs', () => {
    const t = parseSequence('x\ty\n1\t2\n', 'csv');
    assert.equal(t.format, 'tsv');
    assert.deepEqual([...t.x, ...t.y], [1, 2]);
    const semi = parseSequence('y;x\n1;2\n', 'csv');
    assert.equal(semi.format, 'csv');
    assert.deepEqual([semi.x[0], semi.y[0]], [2, 1]);
    const single = parseSequence('x\n1\n2', 'tsv');
    assert.equal(single.format, 'tsv');
    assert.deepEqual([...single.x], [1, 2]);
    assert.deepEqual([...single.hasY], [0, 0]);
    assert.deepEqual([...single.yStart], [-1, -1]);
  });

  it('keeps other columns, matches X case-insensitively, ignores comments and trailing newline', () => {
    const s = parseSequence('# a comment\n#another\n t , X ,Y\n9,1,2\n# mid comment\n8,3,\n', 'csv');
    assert.deepEqual(s.errors, []);
    assert.deepEqual(s.columns, ['t', 'X', 'Y']);
    assert.deepEqual([...s.x], [1, 3]);
    assert.deepEqual([...s.hasY], [1, 0]);
    assert.deepEqual([...s.line], [3, 5]);
    assert.equal(s.hasDirective, false);
  });

  it('treats a lone CR as a line break like VS Code', () => {
    const s = parseSequence('x,y\r1,2\r3,4', 'csv');
    assert.deepEqual(s.errors, []);
    assert.deepEqual([...s.line], [1, 2]);
    assert.deepEqual([...s.x], [1, 3]);
  });

  it('counts columns in UTF-16 code units', () => {
    const text = 'x,note\n😀,a\n';
    const s = parseSequence(text, 'csv');
    assert.deepEqual(errs(s), [['x: "😀" is not a number', 1, 0, 1, 2]]);
  });
});

describe('parse CSV/TSV: numbers', () => {
  const good: Array<[string, number]> = [
    ['1e-3', 0.001],
    ['-0', -0],
    ['1E+5', 100000],
    ['.5', 0.5],
    ['5.', 5],
    ['+1', 1],
    ['-.25e2', -25],
    ['0.1', 0.1],
    ['123456789012345678901', 1.2345678901234568e20],
    ['1.7976931348623157e308', 1.7976931348623157e308],
    ['5e-324', 5e-324],
    ['1e400', Infinity],
    ['nan', NaN],
    ['NaN', NaN],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['+INF', Infinity],
  ];
  for (const [src, want] of good) {
    it(`reads ${src}`, () => {
      assert.ok(Object.is(parseNumber(src), want), `${src} → ${parseNumber(src)}`);
      const s = parseSequence(`x\n${src}\n`, 'csv');
      assert.deepEqual(s.errors, []);
      assert.ok(Object.is(s.x[0], want));
    });
  }
  const bad = ['0x10', '1_000', '1.2.3', '1e', '1e+', '.', '-', '+', 'e5', '1 2', 'abc', '--1', 'infinit', 'nanx', '١'];
  for (const src of bad) {
    it(`rejects ${JSON.stringify(src)}`, () => {
      assert.equal(parseNumber(src), undefined);
      const s = parseSequence(`x\n${src}\n`, 'csv');
      assert.equal(s.errors.length, 1);
      assert.match(s.errors[0].message, new RegExp(`^x: ".*" is not a number`));
      assert.deepEqual(errs(s)[0].slice(1), [1, 0, 1, src.length]);
    });
  }

  it('prints directive numbers that read back exactly, -0 included', () => {
    for (const n of [0.1, -0, 0, 1e21, 1e-7, 5e-324, -1.7976931348623157e308, 1 / 3]) {
      const t = formatNumberForDirective(n);
      assert.ok(Object.is(parseNumber(t), n), t);
    }
    assert.equal(formatNumberForDirective(-0), '-0');
    assert.equal(formatNumberForDirective(0.9), '0.9');
  });
});

describe('parse CSV/TSV: errors and their ranges', () => {
  it('non-numeric x and y cells', () => {
    const s = parseSequence('x,y\n1,2\nabc, q \n', 'csv');
    assert.deepEqual(errs(s), [
      ['x: "abc" is not a number', 2, 0, 2, 3],
      ['y: "q" is not a number', 2, 5, 2, 6],
    ]);
    assert.equal(s.T, 2);
  });

  it('empty x cell', () => {
    const s = parseSequence('x,y\n,2\n', 'csv');
    assert.deepEqual(errs(s), [['x is empty; every row needs an x value', 1, 0, 1, 0]]);
  });

  it('too few and too many cells', () => {
    const s = parseSequence('x,y\n1\n1,2,3,4\n', 'csv');
    assert.deepEqual(errs(s), [
      ['row has 1 cell, but the header has 2 columns (x, y)', 1, 0, 1, 1],
      ['row has 4 cells, but the header has 2 columns (x, y)', 2, 3, 2, 7],
    ]);
  });

  it('no x column', () => {
    const s = parseSequence('a,b\n1,2\n', 'csv');
    assert.deepEqual(errs(s), [['header has no "x" column; found: a, b', 0, 0, 0, 3]]);
    assert.equal(s.T, 0);
  });

  it('no header', () => {
    for (const text of ['', '\n\n', '# bptt: w=2\n# just a comment\n']) {
      const s = parseSequence(text, 'csv');
      assert.equal(s.errors.length, 1, JSON.stringify(text));
      assert.match(s.errors[0].message, /^no header row/);
    }
    const s = parseSequence('\n\n', 'csv');
    assert.deepEqual(errs(s)[0].slice(1), [2, 0, 2, 0]);
  });

  it('empty sequence', () => {
    const s = parseSequence('x,y\r\n\r\n', 'csv');
    assert.deepEqual(errs(s), [['no data rows: the file has a header but no values below it', 0, 0, 0, 3]]);
  });

  it('bce loss with a target outside [0, 1]', () => {
    const s = parseSequence('# bptt: loss=bce\nx,y\n1,0.5\n2,1.5\n3,-0.1\n4,1\n', 'csv');
    assert.deepEqual(errs(s), [
      ['y = 1.5 is outside [0, 1]; the bce loss needs targets between 0 and 1', 3, 2, 3, 5],
      ['y = -0.1 is outside [0, 1]; the bce loss needs targets between 0 and 1', 4, 2, 4, 6],
    ]);
    // the caller's loss counts too
    const c = parseSequence('x,y\n1,2\n', 'csv', { loss: 'bce' });
    assert.equal(c.errors.length, 1);
  });

  it('directive after the header', () => {
    const s = parseSequence('x,y\n1,2\n  # bptt: w=3\n', 'csv');
    assert.deepEqual(errs(s), [
      ['a "# bptt:" directive must come before the header row; move this line above the header', 2, 2, 2, 13],
    ]);
    assert.equal(s.model.w, 1);
  });

  it('quoting problems', () => {
    const s = parseSequence('x,y\n"1,2\n"1"x,2\n', 'csv');
    assert.deepEqual(errs(s), [
      ['unterminated quoted field: the closing quote is missing (a quoted field may not span lines)', 1, 0, 1, 4],
      ['unexpected text "x" after a closing quote', 2, 3, 2, 4],
    ]);
  });

  it('quoted fields with "" escapes and delimiters inside', () => {
    const s = parseSequence('"x","note ""a"", b",y\n1,"q, ""r""",2\n', 'csv');
    assert.deepEqual(s.errors, []);
    assert.deepEqual(s.columns, ['x', 'note "a", b', 'y']);
    assert.deepEqual([s.x[0], s.y[0]], [1, 2]);
  });

  it('directive errors point at the offending token', () => {
    const text = '# bptt: w=abc phi=tanhh foo=1 bar theta=x loss=l2 reduction=avg h0=inf v=\n#bptt: ,c=2, b = 3\nx\n1\n';
    const s = parseSequence(text, 'csv');
    assert.deepEqual(errs(s), [
      ['w: "abc" is not a number', 0, 10, 0, 13],
      ['unknown activation "tanhh" for phi; expected one of: tanh, sigmoid, relu, leaky_relu, identity, softsign, softplus', 0, 18, 0, 23],
      ['unknown key "foo"; valid keys: w, v, b, u, c, h0, phi, theta, loss, reduction', 0, 24, 0, 27],
      ['expected key=value, got "bar"', 0, 30, 0, 33],
      ['unknown activation "x" for theta; expected one of: identity, sigmoid, tanh, relu, softplus', 0, 40, 0, 41],
      ['unknown loss "l2"; expected one of: squared, mse, abs, bce, huber', 0, 47, 0, 49],
      ['unknown reduction "avg"; expected one of: sum, mean', 0, 60, 0, 63],
      ['h0 must be a finite number, got "inf"', 0, 67, 0, 70],
      ['missing value for v (write v=<value>)', 0, 71, 0, 73],
    ]);
    assert.equal(s.model.c, 2);
    assert.equal(s.model.b, 3);
    assert.equal(s.modelSource.w, 'builtin');
    assert.equal(s.modelSource.c, 'file');
  });

  it('a "# bptt" line without the colon is reported', () => {
    const s = parseSequence('# bptt w=2\nx\n1\n', 'csv');
    assert.deepEqual(errs(s), [['a directive needs a colon after "bptt", e.g. "# bptt: w=0.9 phi=tanh"', 0, 0, 0, 10]]);
    assert.equal(s.hasDirective, false);
    assert.equal(parseSequence('# bptt lens sample\nx\n1\n', 'csv').errors.length, 0);
  });

  it('reports all errors but caps them at 100 plus a summary', () => {
    const rows = ['x'];
    for (let i = 0; i < 250; i++) rows.push('bad');
    const s = parseSequence(rows.join('\n'), 'csv');
    assert.equal(s.errors.length, 101);
    assert.equal(s.errors[99].line, 100);
    assert.deepEqual(errs(s)[100], ['…and 150 more errors (only the first 100 are listed)', 101, 0, 101, 3]);
  });

  it('hints at decimal commas with a semicolon delimiter', () => {
    const s = parseSequence('x;y\n0,5;1\n', 'csv');
    assert.deepEqual(errs(s), [['x: "0,5" is not a number (use "." as the decimal point)', 1, 0, 1, 3]]);
  });
});

describe('parse CSV/TSV: model precedence', () => {
  it('file beats caller beats built-in; later directive keys win', () => {
    const text = '# bptt: w=0.9 phi=relu\n# bptt: w=0.5, reduction=mean\nx\n1\n';
    const s = parseSequence(text, 'csv', { w: 2, v: 3, phi: 'sigmoid', theta: 'tanh' });
    assert.deepEqual(s.model, {
      ...BUILTIN_DEFAULTS,
      w: 0.5,
      v: 3,
      phi: 'relu',
      theta: 'tanh',
      reduction: 'mean',
    });
    assert.deepEqual(s.modelSource, {
      w: 'file',
      v: 'caller',
      b: 'builtin',
      u: 'builtin',
      c: 'builtin',
      h0: 'builtin',
      phi: 'file',
      theta: 'caller',
      loss: 'builtin',
      reduction: 'file',
    });
  });

  it('ignores invalid caller defaults', () => {
    const bad = { w: NaN, v: Infinity, b: '1', phi: 'tanhh', loss: 'bce' } as unknown as Parameters<typeof parseSequence>[2];
    const s = parseSequence('x\n1\n', 'csv', bad);
    assert.equal(s.model.w, 1);
    assert.equal(s.model.v, 1);
    assert.equal(s.model.b, 0);
    assert.equal(s.model.phi, 'tanh');
    assert.equal(s.model.loss, 'bce');
    assert.equal(s.modelSource.w, 'builtin');
    assert.equal(s.modelSource.loss, 'caller');
  });
});

describe('parse CSV/TSV: directiveEdit', () => {
  const model = { ...BUILTIN_DEFAULTS, w: 0.9, v: 0.5, h0: -0, b: 1e-7, phi: 'softsign' as const, loss: 'huber' as const };

  it('builds the exact directive line', () => {
    const s = parseSequence('x,y\n1,2\n', 'csv');
    const e = directiveEdit(s, { ...BUILTIN_DEFAULTS, w: 0.9, v: 0.5 });
    assert.deepEqual(e, {
      offset: 0,
      length: 0,
      text: '# bptt: w=0.9 v=0.5 b=0 u=1 c=0 h0=0 phi=tanh theta=identity loss=squared reduction=sum\n',
    });
  });

  for (const text of ['x,y\n1,2\n', '\uFEFFx,y\r\n1,2\r\n', 'x\ty\n1\t2', '# bptt: w=3\n# note\nx\n1\n']) {
    it(`round-trips ${JSON.stringify(text)}`, () => {
      const s = parseSequence(text, 'csv');
      const e = directiveEdit(s, model);
      if (!s.hasDirective) assert.equal(e.offset, s.directiveOffset);
      const edited = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.length);
      const r = parseSequence(edited, 'csv', { w: 7, theta: 'relu' });
      assert.deepEqual(r.errors, []);
      assert.equal(r.hasDirective, true);
      assert.deepEqual(r.model, model);
      assert.ok(Object.is(r.model.h0, -0));
      assert.ok(Object.values(r.modelSource).every((v) => v === 'file'));
      assert.deepEqual([...r.x], [...s.x]);
      if (text.includes('\r\n')) assert.ok(e.text.endsWith('\r\n'));
    });
  }
});

describe('parse: stepAtOffset and formatFromFileName', () => {
  it('finds the row containing an offset (end inclusive)', () => {
    const text = 'x,y\n1,2\n\n33,4\n';
    const s = parseSequence(text, 'csv');
    const at = (o: number): number => stepAtOffset(s, o);
    assert.deepEqual(
      [0, 3, 4, 5, 7, 8, 9, 10, 13, 14, text.length, -1, 1e9].map(at),
      [-1, -1, 0, 0, 0, -1, 1, 1, 1, -1, -1, -1, -1],
    );
  });

  it('stepAtLine finds the step on a line exactly where stepAtOffset finds it anywhere on that line (comments, blank lines, \\r\\n, a directive)', () => {
    const text = '# bptt: w=0.5\r\n# a comment\r\nx,y\r\n1,2\r\n\r\n33,4\r\n# between\r\n-1,\r\n  \r\n5,6';
    const s = parseSequence(text, 'csv');
    assert.deepStrictEqual(s.errors, []);
    const lines = text.split('\r\n');
    let start = 0;
    lines.forEach((content, line) => {
      const want = new Set([0, content.length >> 1, content.length].map((c) => stepAtOffset(s, start + c)));
      assert.deepStrictEqual([...want], [stepAtLine(s, line)], `line ${line}: ${JSON.stringify(content)}`);
      start += content.length + 2;
    });
    assert.deepStrictEqual([-1, lines.length, 1e9].map((l) => stepAtLine(s, l)), [-1, -1, -1]);
    assert.deepStrictEqual([0, 1, 2, 3].map((i) => stepAtLine(s, s.line[i])), [0, 1, 2, 3]);
  });

  it('maps file names to formats', () => {
    assert.equal(formatFromFileName('a/b/data.CSV'), 'csv');
    assert.equal(formatFromFileName('x.tsv'), 'tsv');
    assert.equal(formatFromFileName('C:\\seq.Json'), 'json');
    assert.equal(formatFromFileName('notes.txt'), undefined);
    assert.equal(formatFromFileName('csv'), undefined);
    assert.equal(formatFromFileName('file.csv.bak'), undefined);
  });
});
