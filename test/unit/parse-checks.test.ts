/** The check-inputs contract: `# check:` lines and claim columns (CSV/TSV), the "check" object and claim arrays (JSON). */
import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { parseSequence, type ParsedSequence } from '../../src/parse';

const errs = (s: ParsedSequence): Array<[string, number, number]> => s.errors.map((e) => [e.message, e.line, e.col]);

describe('parse: checks and claim columns (CSV/TSV)', () => {
  const text =
    '# bptt: w=0.5\n# check: dL_dh = dL_dyhat * dphi(h) + w * dL_ds[t+1]\n#check:dL_dw=1.0234\nx,y,dL_dh,s,other\n' +
    '1,2,0.40,1.2e-3,q\n# check: h >= 0 = h\n3,,,NaN,\n5,6\n';
  const s = parseSequence(text, 'csv');

  it('collects # check: lines in file order, split at the first plain "=", with positions', () => {
    assert.deepEqual(
      s.checks.map((c) => [c.quantity, c.expr, c.line, c.col, c.offset, c.length, c.quantityLine, c.quantityCol]),
      [
        ['dL_dh', 'dL_dyhat * dphi(h) + w * dL_ds[t+1]', 1, 17, text.indexOf('dL_dyhat'), 35, 1, 9],
        ['dL_dw', '1.0234', 2, 13, text.indexOf('1.0234'), 6, 2, 7],
        ['h >= 0', 'h', 5, 18, text.indexOf('= h\n') + 2, 1, 5, 9],
      ],
    );
    for (const c of s.checks) assert.equal(text.substr(c.offset, c.length), c.expr);
  });

  it('reads claim columns with values, digits and cell offsets; no claim where empty or missing', () => {
    assert.deepEqual(s.columns, ['x', 'y', 'dL_dh', 's', 'other']);
    assert.deepEqual(s.claimColumns.map((c) => c.name), ['dL_dh', 's']);
    const [dh, sc] = s.claimColumns;
    assert.deepEqual([...dh.values].map(String), ['0.4', 'NaN', 'NaN']);
    assert.deepEqual([...dh.digits], [2, 255, 255]);
    assert.deepEqual([...sc.values].map(String), ['0.0012', 'NaN', 'NaN']);
    assert.deepEqual([...sc.digits], [2, 0, 255]); // a written NaN is a claim; row 3 has no cell
    assert.equal(text.slice(dh.start[0], dh.end[0]), '0.40');
    assert.equal(dh.start[1], dh.end[1]); // an empty cell has a position
    assert.deepEqual([sc.start[2], sc.end[2]], [-1, -1]);
    assert.deepEqual(errs(s), [['row has 2 cells, but the header has 5 columns (x, y, dL_dh, s, other)', 7, 0]]);
  });

  it('reports a # check: line without "=" and a claim cell that is not a number', () => {
    const bad = parseSequence('# check: dL_dh == 3\n# check: = 1\nx,h\n1,abc\n', 'csv');
    assert.deepEqual(errs(bad), [
      ['a "# check:" line needs "quantity = formula", e.g. "# check: dL_dh = dL_dyhat * u"', 0, 0],
      ['a "# check:" line needs a quantity before "=" and a formula after it', 1, 8],
      ['h: "abc" is not a number', 3, 2],
    ]);
    assert.deepEqual(bad.checks, []);
  });

  it('a file without claims has empty lists', () => {
    const plain = parseSequence('x,y\n1,2\n', 'csv');
    assert.deepEqual([plain.checks, plain.claimColumns], [[], []]);
  });
});

describe('parse: checks and claim arrays (JSON)', () => {
  const text =
    '{"x": [1, 2, 3],\n "check": {"dL_dh": "dL_dyhat * u", "dL_dw": 1.0234, "dL_ds": ["f \\"A\\"", "B"]},\n "dL_dh": [0.40, null, "NaN"], "loss": [1e-3, 2, 3]}';
  const s = parseSequence(text, 'json');

  it('collects the "check" entries: a formula string, a total, a list', () => {
    assert.deepEqual(errs(s), []);
    assert.deepEqual(
      s.checks.map((c) => [c.quantity, c.expr, c.line, c.col, c.length, c.quantityLine, c.quantityCol]),
      [
        ['dL_dh', 'dL_dyhat * u', 1, 21, 12, 1, 12],
        ['dL_dw', '1.0234', 1, 45, 6, 1, 37],
        ['dL_ds', 'f "A"', 1, 64, 7, 1, 54],
        ['dL_ds', 'B', 1, 75, 1, 1, 54],
      ],
    );
    assert.equal(text.substr(s.checks[0].offset, s.checks[0].length), 'dL_dyhat * u');
    assert.equal(text.substr(s.checks[2].offset, s.checks[2].length), 'f \\"A\\"');
  });

  it('reads claim arrays: numbers with their digits, null = no claim, "NaN" = a claim of NaN', () => {
    assert.deepEqual(s.claimColumns.map((c) => c.name), ['dL_dh', 'loss']);
    const dh = s.claimColumns[0];
    assert.deepEqual([...dh.values].map(String), ['0.4', 'NaN', 'NaN']);
    assert.deepEqual([...dh.digits], [2, 255, 0]);
    assert.equal(text.slice(dh.start[0], dh.end[0]), '0.40');
    assert.equal(text.slice(dh.start[1], dh.end[1]), 'null');
    assert.deepEqual([...s.claimColumns[1].digits], [1, 1, 1]);
  });

  it('reports a "check" that is not an object, bad entries, and claim arrays of the wrong length', () => {
    assert.deepEqual(errs(parseSequence('{"x": [1], "check": 1}', 'json')), [
      ['"check" must be an object such as {"dL_dh": "formula"}, got a number', 0, 20],
    ]);
    assert.deepEqual(errs(parseSequence('{"x": [1], "check": {"h": true, "s": [1, {}]}}', 'json')), [
      ['"check" entry "h" must be a formula string, a number, or a list of them, got true', 0, 26],
      ['"check" entry "s" must be a formula string, a number, or a list of them, got an object', 0, 41],
    ]);
    assert.deepEqual(errs(parseSequence('{"x": [1, 2], "h": [1, "a", 3]}', 'json')), [
      ['"h" has 3 elements but "x" has 2; they must be the same length (use null for steps without a claim)', 0, 19],
      ['h[1] must be a number or null, got the string "a"', 0, 23],
    ]);
  });
});
