import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as fc from 'fast-check';
import { BUILTIN_DEFAULTS, LOSS_NAMES, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES, type Model } from '../../src/core/model';
import {
  directiveEdit,
  formatNumberForDirective,
  parseSequence,
  stepAtOffset,
  type ParsedSequence,
  type SequenceFormat,
} from '../../src/parse';

const FORMATS: SequenceFormat[] = ['csv', 'tsv', 'json'];

/** Offsets where lines start, split like VS Code (\r\n, \n, \r). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\r' || c === '\n') starts.push(i + 1);
  }
  return starts;
}

/** Checks the invariants every parse result must satisfy, whatever the input. */
function checkInvariants(text: string, s: ParsedSequence): void {
  const starts = lineStarts(text);
  const lineLen = (l: number): number => (l + 1 < starts.length ? starts[l + 1] : text.length) - starts[l];
  for (const e of s.errors) {
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0);
    for (const v of [e.line, e.col, e.endLine, e.endCol]) assert.ok(Number.isInteger(v) && v >= 0, JSON.stringify(e));
    assert.ok(e.line < starts.length && e.endLine < starts.length, JSON.stringify(e));
    assert.ok(e.col <= lineLen(e.line) && e.endCol <= lineLen(e.endLine), JSON.stringify(e));
    const a = starts[e.line] + e.col;
    const b = starts[e.endLine] + e.endCol;
    assert.ok(a <= b && b <= text.length, JSON.stringify(e));
  }
  assert.ok(s.errors.length <= 101);
  const T = s.T;
  for (const a of [s.x, s.y, s.hasY, s.line, s.xStart, s.xEnd, s.yStart, s.yEnd, s.rowStart, s.rowEnd]) {
    assert.equal(a.length, T);
  }
  for (let t = 0; t < T; t++) {
    assert.ok(0 <= s.xStart[t] && s.xStart[t] <= s.xEnd[t] && s.xEnd[t] <= text.length);
    assert.ok(0 <= s.rowStart[t] && s.rowStart[t] <= s.rowEnd[t] && s.rowEnd[t] <= text.length);
    if (s.yStart[t] >= 0) assert.ok(s.yStart[t] <= s.yEnd[t] && s.yEnd[t] <= text.length);
    if (t > 0) assert.ok(s.rowStart[t] > s.rowStart[t - 1]);
    assert.ok(s.line[t] >= 0 && s.line[t] < starts.length);
    assert.ok(starts[s.line[t]] <= s.xStart[t]);
    if (s.hasY[t] === 0) assert.ok(Number.isNaN(s.y[t]));
  }
  assert.ok(s.directiveOffset >= 0 && s.directiveOffset <= text.length);
  // stepAtOffset stays in range and never throws
  for (const o of [-1, 0, text.length >> 1, text.length, text.length + 1]) {
    const t = stepAtOffset(s, o);
    assert.ok(Number.isInteger(t) && t >= -1 && t < Math.max(T, 0));
  }
  // directiveEdit never throws and stays inside the text
  const e = directiveEdit(s, s.model);
  assert.ok(e.offset >= 0 && e.offset + e.length <= text.length);
}

const ALPHABET = [
  'x', 'y', 'X', ',', ';', '\t', ' ', '\n', '\r', '\r\n', '"', '""', '#', ':', '=', '1', '0', '.', 'e', '-', '+',
  'nan', 'inf', 'bptt', '# bptt:', 'w', 'phi', 'tanh', 'loss=bce', '{', '}', '[', ']', 'null', '"NaN"', '\uFEFF',
  '\u2028', '😀', '\uD800', '\\', '/*', '//', 'true', '"x"', '"y"', '"bptt"',
];
const soup = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 80 }).map((a) => a.join(''));

describe('parse: never throws (property tests)', () => {
  it('random text of any code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom(...FORMATS), (text, f) => {
        checkInvariants(text, parseSequence(text, f));
      }),
      { numRuns: 500 },
    );
  });

  it('random grapheme strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.constantFrom(...FORMATS), (text, f) => {
        checkInvariants(text, parseSequence(text, f));
      }),
      { numRuns: 300 },
    );
  });

  it('token soup of the formats\' own characters', () => {
    fc.assert(
      fc.property(soup, fc.constantFrom(...FORMATS), (text, f) => {
        checkInvariants(text, parseSequence(text, f));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutations of valid files (deletions and insertions)', () => {
    const valid = [
      '\uFEFF# bptt: w=0.9 v=0.5 phi=tanh\r\nt,x,y\r\n0,1,0.5\r\n\r\n1,"2",\r\n2,-3e-2,1\r\n',
      'x\ty\n1\t2\n3\t4\n',
      '{\n  "bptt": {"w": 0.9, "loss": "bce"},\n  "x": [1, 2, "NaN"],\n  "y": [0, null, 1]\n}\n',
    ];
    const mutation = fc.record({
      at: fc.nat(),
      del: fc.nat({ max: 4 }),
      ins: fc.oneof(fc.constant(''), fc.constantFrom(...ALPHABET), fc.string({ unit: 'binary', maxLength: 3 })),
    });
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), fc.array(mutation, { minLength: 1, maxLength: 4 }), (k, ms) => {
        let text = valid[k];
        for (const m of ms) {
          const at = m.at % (text.length + 1);
          text = text.slice(0, at) + m.ins + text.slice(at + m.del);
        }
        const f: SequenceFormat = k === 2 ? 'json' : k === 1 ? 'tsv' : 'csv';
        checkInvariants(text, parseSequence(text, f));
      }),
      { numRuns: 2000 },
    );
  });

  it('tolerates bad caller defaults and non-string input from JavaScript callers', () => {
    const weird = [null, 42, { w: 'x', phi: 3 }, { get w(): number { throw new Error('boom'); } }];
    for (const d of weird) {
      const s = parseSequence('x\n1\n', 'csv', d as never);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.model, BUILTIN_DEFAULTS);
    }
    const s = parseSequence(undefined as never, 'csv');
    assert.equal(s.errors.length, 1);
  });
});

// ---- generated valid files parse back to exactly the numbers written

const anyDouble = fc.oneof(
  fc.double(),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.constantFrom(0, -0, 0.1, 1e21, 1e-7, 5e-324, NaN, Infinity, -Infinity, 123456789012345680000),
);

type Printer = (n: number) => string;
/** Ways JavaScript and Python print a number; each reads back as exactly n. */
const PRINTERS: Printer[] = [
  (n) => formatNumberForDirective(n),
  (n) => signed(n, (a) => a.toExponential()),
  (n) => signed(n, (a) => a.toExponential().toUpperCase()),
  (n) => (n > 0 && Number.isFinite(n) ? '+' + String(n) : formatNumberForDirective(n)),
  (n) => signed(n, (a) => String(a).replace(/^0\./, '.')),
  (n) => signed(n, (a) => (/^\d+$/.test(String(a)) ? String(a) + '.' : String(a))),
  (n) => python(n),
];

function signed(n: number, p: (a: number) => string): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return (n < 0 || Object.is(n, -0) ? '-' : '') + p(Math.abs(n));
}

/** Python's repr(float): nan, inf, 1.0, 1e-05, 1e+21. */
function python(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  let s = formatNumberForDirective(n);
  if (/^-?\d+$/.test(s)) s += '.0';
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

interface Row {
  x: number;
  y: number | null;
  px: number;
  py: number;
}

const rowArb = fc.record({
  x: anyDouble,
  y: fc.option(anyDouble, { nil: null }),
  px: fc.nat({ max: PRINTERS.length - 1 }),
  py: fc.nat({ max: PRINTERS.length - 1 }),
});

const modelArb: fc.Arbitrary<Partial<Model>> = fc.record(
  {
    w: fc.double({ noNaN: true, noDefaultInfinity: true }),
    v: fc.double({ noNaN: true, noDefaultInfinity: true }),
    h0: fc.constantFrom(-0, 0.5, -1e-300),
    phi: fc.constantFrom(...PHI_NAMES),
    theta: fc.constantFrom(...THETA_NAMES),
    loss: fc.constantFrom(...LOSS_NAMES.filter((l) => l !== 'bce')),
    reduction: fc.constantFrom(...REDUCTION_NAMES),
  },
  { requiredKeys: [] },
);

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe('parse: generated valid files round-trip (property tests)', () => {
  it('CSV/TSV with random delimiters, spacing, quoting, line endings, comments and blank lines', () => {
    const layoutArb = fc.record({
      delim: fc.constantFrom(',', '\t', ';'),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      yFirst: fc.boolean(),
      extra: fc.boolean(),
      finalEol: fc.boolean(),
    });
    const decoArb = fc.array(
      fc.record({ quote: fc.boolean(), pad: fc.constantFrom('', ' ', '  '), blank: fc.boolean(), comment: fc.boolean() }),
      { minLength: 64, maxLength: 64 },
    );
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), modelArb, layoutArb, decoArb, (rows, m, L, deco) => {
        const d = L.delim;
        let text = L.bom ? '\uFEFF' : '';
        let line = 0;
        const pairs = Object.entries(m).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumberForDirective(v) : v}`);
        if (pairs.length > 0) {
          text += `# bptt: ${pairs.join(' ')}${L.eol}`;
          line++;
        }
        text += `# a comment${L.eol}`;
        line++;
        const header = L.yFirst ? ['y', 'x'] : ['x', 'y'];
        if (L.extra) header.push('note');
        text += header.join(d) + L.eol;
        line++;
        const want: Array<{ line: number; xs: number; xe: number }> = [];
        rows.forEach((r: Row, i: number) => {
          const dc = deco[i % deco.length];
          if (dc.blank) {
            text += dc.pad + L.eol;
            line++;
          }
          if (dc.comment) {
            text += `# note ${i}${L.eol}`;
            line++;
          }
          const cells: Record<string, string> = {
            x: PRINTERS[r.px](r.x),
            y: r.y === null ? '' : PRINTERS[r.py](r.y),
            note: `n${i}`,
          };
          let rowText = '';
          let xs = 0;
          let xe = 0;
          header.forEach((h, k) => {
            if (k > 0) rowText += d;
            rowText += dc.pad;
            if (dc.quote) rowText += '"';
            if (h === 'x') xs = text.length + rowText.length;
            rowText += cells[h];
            if (h === 'x') xe = text.length + rowText.length;
            if (dc.quote) rowText += '"';
            rowText += dc.pad;
          });
          const last = i === rows.length - 1;
          text += rowText + (last && !L.finalEol ? '' : L.eol);
          want.push({ line, xs, xe });
          line++;
        });
        const s = parseSequence(text, d === '\t' ? 'tsv' : 'csv');
        assert.deepEqual(s.errors, [], text);
        assert.equal(s.format, d === '\t' ? 'tsv' : 'csv');
        assert.equal(s.T, rows.length);
        rows.forEach((r: Row, t: number) => {
          assert.ok(sameNumber(s.x[t], r.x), `x[${t}]: ${s.x[t]} vs ${r.x} (${PRINTERS[r.px](r.x)})`);
          assert.equal(s.hasY[t], r.y === null ? 0 : 1);
          if (r.y !== null) assert.ok(sameNumber(s.y[t], r.y), `y[${t}]: ${s.y[t]} vs ${r.y}`);
          assert.equal(s.line[t], want[t].line);
          assert.equal(s.xStart[t], want[t].xs);
          assert.equal(s.xEnd[t], want[t].xe);
          assert.equal(stepAtOffset(s, want[t].xs), t);
        });
        assert.deepEqual(s.model, { ...BUILTIN_DEFAULTS, ...m });
        for (const k of Object.keys(m)) assert.equal(s.modelSource[k as keyof Model], 'file');
        assert.equal(s.hasDirective, pairs.length > 0);
        checkInvariants(text, s);
      }),
      { numRuns: 300 },
    );
  });

  it('JSON with numbers and non-finite strings, on one or many lines', () => {
    const jsonNum = (n: number): string => (Number.isFinite(n) ? formatNumberForDirective(n) : JSON.stringify(String(n)));
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), modelArb, fc.boolean(), (rows, m, pretty) => {
        const sep = pretty ? ',\n    ' : ', ';
        const parts: string[] = [];
        const bptt = Object.entries(m).map(([k, v]) => `"${k}": ${typeof v === 'number' ? formatNumberForDirective(v) : JSON.stringify(v)}`);
        if (bptt.length > 0) parts.push(`"bptt": {${bptt.join(', ')}}`);
        parts.push(`"x": [${rows.map((r) => jsonNum(r.x)).join(sep)}]`);
        parts.push(`"y": [${rows.map((r) => (r.y === null ? 'null' : jsonNum(r.y))).join(sep)}]`);
        const text = pretty ? `{\n  ${parts.join(',\n  ')}\n}\n` : `{${parts.join(', ')}}`;
        const s = parseSequence(text, 'json');
        assert.deepEqual(s.errors, [], text);
        assert.equal(s.T, rows.length);
        const starts = lineStarts(text);
        rows.forEach((r, t) => {
          assert.ok(sameNumber(s.x[t], r.x), `x[${t}]`);
          assert.equal(s.hasY[t], r.y === null ? 0 : 1);
          if (r.y !== null) assert.ok(sameNumber(s.y[t], r.y), `y[${t}]`);
          assert.equal(text.slice(s.xStart[t], s.xEnd[t]), jsonNum(r.x));
          assert.ok(starts[s.line[t]] <= s.xStart[t] && (s.line[t] + 1 >= starts.length || s.xStart[t] < starts[s.line[t] + 1]));
          assert.equal(stepAtOffset(s, s.yStart[t]), t);
        });
        const want = { ...BUILTIN_DEFAULTS, ...m };
        assert.deepEqual(s.model, want);
        // and directiveEdit makes any of them self-describing
        const e = directiveEdit(s, want);
        const edited = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.length);
        const r = parseSequence(edited, 'json');
        assert.deepEqual(r.errors, [], edited);
        assert.deepEqual(r.model, want);
        assert.deepEqual([...r.x], [...s.x]);
      }),
      { numRuns: 300 },
    );
  });
});
