/**
 * Property tests with hostile generators: deep nesting, long cells, control characters and
 * prototype-named keys. Whatever the input: parseSequence never throws, every error is located
 * inside the text, every message is short and free of raw control characters, the whole error
 * output is bounded, and a clean parse runs BPTT and its warnings without throwing.
 *
 * BPTT_PROPS_RUNS sets the cases per property (default 200, as in `npm test`);
 * scripts/reliability.sh runs ≥ 10⁵ in all and prints the summary this file logs.
 */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { runBptt, traceWarnings } from '../../src/core';
import { MAX_ERRORS, parseSequence, type ParsedSequence, type SequenceFormat } from '../../src/parse';
import { MAX_MESSAGE, MAX_QUOTED, boundMessage, escapeText, quote } from '../../src/parse/errors';

const RUNS = Math.max(1, Number(process.env.BPTT_PROPS_RUNS ?? 200) | 0);

// eslint-disable-next-line no-control-regex
const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
/** The longest a message may be once escaped: every character of MAX_MESSAGE became a 6-character \uXXXX. */
const MAX_ESCAPED = 6 * MAX_MESSAGE;
const MAX_TOTAL = (MAX_ERRORS + 1) * MAX_ESCAPED;

interface Stat {
  cases: number;
  errors: number;
  maxMessage: number;
  maxTotal: number;
  maxMs: number;
  maxInput: number;
}
const stats = new Map<string, Stat>();

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13) starts.push(i + 1);
  }
  return starts;
}

/** Parses, checks every promise above, and records the figures for the summary. */
function check(name: string, text: string, format: SequenceFormat): ParsedSequence {
  const t0 = performance.now();
  const s = parseSequence(text, format);
  const starts = lineStarts(text);
  let total = 0;
  let longest = 0;
  for (const e of s.errors) {
    assert.ok(e.message.length > 0 && e.message.length <= MAX_ESCAPED, `message of ${e.message.length} characters`);
    assert.doesNotMatch(e.message, RAW_UNSAFE, `raw control character in ${JSON.stringify(e.message.slice(0, 200))}`);
    assert.ok(Number.isInteger(e.line) && e.line >= 0 && e.line < starts.length, JSON.stringify(e));
    assert.ok(Number.isInteger(e.endLine) && e.endLine >= e.line && e.endLine < starts.length, JSON.stringify(e));
    const a = starts[e.line] + e.col;
    const b = starts[e.endLine] + e.endCol;
    assert.ok(e.col >= 0 && a <= b && b <= text.length, JSON.stringify(e));
    total += e.message.length;
    longest = Math.max(longest, e.message.length);
  }
  assert.ok(s.errors.length <= MAX_ERRORS + 1);
  assert.ok(total <= MAX_TOTAL);
  if (s.errors.length === 0) {
    const trace = runBptt(s.model, s);
    for (const w of traceWarnings(trace, { vanishing: 1e-6, exploding: 1e6 })) {
      assert.ok(Number.isInteger(w.t) && w.t >= 1 && w.t <= trace.T, JSON.stringify(w));
      assert.ok(w.message.length > 0 && w.message.length <= MAX_MESSAGE);
    }
  }
  const ms = performance.now() - t0;
  const st = stats.get(name) ?? { cases: 0, errors: 0, maxMessage: 0, maxTotal: 0, maxMs: 0, maxInput: 0 };
  st.cases++;
  st.errors += s.errors.length > 0 ? 1 : 0;
  st.maxMessage = Math.max(st.maxMessage, longest);
  st.maxTotal = Math.max(st.maxTotal, total);
  st.maxMs = Math.max(st.maxMs, ms);
  st.maxInput = Math.max(st.maxInput, text.length);
  stats.set(name, st);
  return s;
}

const FORMATS: SequenceFormat[] = ['csv', 'tsv', 'json'];
const format = fc.constantFrom(...FORMATS);

/** Characters a terminal or an editor would act on, and the ones that confuse a parser. */
const nasty = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u001b[31m', '\u001b]0;title\u0007', '\u202e', '\u2066', '\u2028', '\ufeff', '\ud800', '\udc00', '\u0000', '"', ',', '\t', '\r\n'),
);
const nastyString = (maxLength: number) => fc.array(fc.oneof(nasty, fc.string({ maxLength: 3 })), { maxLength, size: 'max' }).map((a) => a.join(''));

const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'x', 'y', 'bptt', 'w', 'phi'];
const key = fc.oneof(fc.constantFrom(...PROTO), nastyString(6));

/** A long cell: a repeated piece, so a 10⁵-character cell costs little to generate. */
const longCell = fc.tuple(fc.oneof(nastyString(4), fc.constantFrom('a', '9', 'H', '\u001b', '"', '1e400', '-')), fc.oneof({ arbitrary: fc.integer({ min: 100, max: 2_000 }), weight: 4 }, { arbitrary: fc.integer({ min: 2_000, max: 100_000 }), weight: 1 }))
  .map(([piece, n]) => (piece === '' ? 'z' : piece).repeat(Math.ceil(n / Math.max(1, piece.length))).slice(0, n));

function csvOf(header: string[], rows: string[][], delim: string): string {
  return [header.join(delim), ...rows.map((r) => r.join(delim))].join('\n') + '\n';
}

describe('hostile inputs (property tests)', function () {
  this.timeout(0);
  let failed = 0;
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed++;
  });

  after(() => {
    if (process.env.BPTT_PROPS_SUMMARY !== '1') return;
    const rows = [...stats].map(([name, s]) =>
      `${name.padEnd(28)} ${String(s.cases).padStart(8)} cases  ${String(s.errors).padStart(7)} with errors  ` +
      `max message ${String(s.maxMessage).padStart(4)} ch  max error output ${String(s.maxTotal).padStart(6)} ch  ` +
      `largest input ${String(s.maxInput).padStart(7)} ch  slowest ${s.maxMs.toFixed(1)} ms`);
    const total = [...stats.values()].reduce((a, s) => a + s.cases, 0);
    console.log(`\n${rows.join('\n')}\n${'total'.padEnd(28)} ${String(total).padStart(8)} cases, ${failed} failing propert${failed === 1 ? 'y' : 'ies'}\n`);
  });

  it('deep nesting: arrays, objects and mixed, up to depth 20 000', () => {
    const opener = fc.constantFrom('[', '{"x": ', '{"bptt": ', '{"a": [', '[{"y": ');
    const depthArb = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 300 }), weight: 4 }, { arbitrary: fc.integer({ min: 300, max: 20_000 }), weight: 1 });
    fc.assert(
      fc.property(fc.array(opener, { minLength: 1, maxLength: 4 }), depthArb, fc.boolean(), fc.constantFrom('1', '', 'null', '"\u001b"'), (openers, depth, close, leaf) => {
        let open = '';
        for (let i = 0; i < depth; i++) open += openers[i % openers.length];
        const closeText = close ? open.split('').reverse().map((c) => (c === '[' ? ']' : c === '{' ? '}' : '')).join('') : '';
        check('deep nesting (json)', open + leaf + closeText, 'json');
      }),
      { numRuns: RUNS },
    );
  });

  it('long cells: headers, x and y cells, keys and strings up to 10⁵ characters', () => {
    fc.assert(
      fc.property(longCell, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 150 }), format, (cell, where, nRows, f) => {
        let text: string;
        if (f === 'json') {
          const forms = [`{"${cell}": 1, "x": [1]}`, `{"x": ["${cell}"]}`, `{"x": [1], "y": [${cell}]}`, `{"bptt": {"phi": "${cell}"}, "x": [1]}`, `{"x": [${cell}]}`, `{"bptt": {"${cell}": 1}, "x": [1, 2]}`];
          text = forms[where];
        } else {
          const d = f === 'tsv' ? '\t' : ',';
          // A long header cell is quoted by every row's error; a long x or y cell appears in 1–3 rows.
          const header = where === 0 ? ['x', cell, 'z'] : where === 1 ? [cell] : ['x', 'y'];
          const row = where === 2 ? [cell, '1'] : where === 3 ? ['1', cell] : ['1', '2'];
          const rows = Array.from({ length: where === 2 || where === 3 ? 1 + (nRows % 3) : nRows }, () => row);
          text = (where === 4 ? `# bptt: ${cell}=1 phi=${cell}\n` : '') + csvOf(header, rows, d);
        }
        check(`long cells (${f})`, text, f);
      }),
      { numRuns: RUNS },
    );
  });

  it('control characters and prototype-named keys everywhere', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(key, nastyString(8)), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 30 }), format, (table, f) => {
        let text: string;
        if (f === 'json') {
          const [keys, ...values] = table;
          const obj = keys.map((k, i) => `${JSON.stringify(k)}: ${i % 2 ? JSON.stringify(values.flat()) : `{${JSON.stringify(k)}: ${JSON.stringify(k)}}`}`);
          text = `{${obj.join(', ')}, "x": [1]}`;
        } else {
          text = `# bptt: ${table[0].map((k) => `${k}=${k}`).join(' ')}\n` + csvOf(table[0], table.slice(1), f === 'tsv' ? '\t' : ',');
        }
        check(`control chars, proto keys (${f})`, text, f);
      }),
      { numRuns: RUNS },
    );
  });

  it('raw control-character soup of any format', () => {
    fc.assert(
      fc.property(nastyString(300), format, (text, f) => {
        check(`control-char soup (${f})`, text, f);
      }),
      { numRuns: RUNS },
    );
  });

  it('quote / escapeText / boundMessage: no raw unsafe character, bounded, identity on plain short text', () => {
    fc.assert(
      fc.property(fc.oneof(nastyString(100), fc.string({ unit: 'binary', maxLength: 200 }), longCell), (s) => {
        const q = quote(s);
        const e = escapeText(s);
        const b = boundMessage(s);
        for (const out of [q, e, b]) assert.doesNotMatch(out, RAW_UNSAFE);
        assert.ok(e.length <= 6 * MAX_QUOTED && q.length <= 6 * MAX_QUOTED + 2 && b.length <= MAX_ESCAPED);
        if (s.length <= MAX_QUOTED && !RAW_UNSAFE.test(s) && !/[\ud800-\udfff]/.test(s)) assert.equal(e, s);
        if (s.length > MAX_QUOTED) assert.ok(e.endsWith('…'));
        const st = stats.get('message helpers') ?? { cases: 0, errors: 0, maxMessage: 0, maxTotal: 0, maxMs: 0, maxInput: 0 };
        st.cases++;
        st.maxMessage = Math.max(st.maxMessage, q.length, e.length, b.length);
        st.maxInput = Math.max(st.maxInput, s.length);
        stats.set('message helpers', st);
      }),
      { numRuns: RUNS },
    );
  });

  it('escapes what a terminal acts on, by name', () => {
    assert.equal(escapeText('a\u001b[31mb\u0000c\td\ne\rf\u007f\u009b\u202e'), 'a\\x1b[31mb\\0c\\td\\ne\\rf\\x7f\\x9b\\u202e');
    assert.equal(quote('say "hi"\\'), '"say \\"hi\\"\\\\"');
    assert.equal(escapeText('x'.repeat(100)), 'x'.repeat(59) + '…');
    assert.equal(escapeText('😀'.repeat(40)).length, 59, 'a surrogate pair is never split: 29 pairs + …');
    assert.equal(boundMessage('m'.repeat(10_000)).length, MAX_MESSAGE);
  });
});
