/**
 * The chunked byte readers (src/parse/bytes.ts) against the text parsers: any split of the UTF-8
 * bytes, inside a character, a \r\n pair or a number, gives exactly parseSequence of the text. Also:
 * encodings (UTF-16, binary, BOM), deep nesting, mixed line endings, huge cells.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as fc from 'fast-check';
import { MAX_DEPTH, MAX_UNCUT, parseSequence, parseSequenceBytes, parseSequenceBytesSync, type ParsedSequence, type SequenceFormat } from '../../src/parse';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** bytes cut at the given (sorted, deduplicated) positions. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.slice(prev, c));
    prev = c;
  }
  return out;
}

/** Everything of a result, typed arrays as plain arrays (so deepEqual shows the difference). */
function plain(s: ParsedSequence): unknown {
  return JSON.parse(JSON.stringify(s, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array).map(String) : v)));
}

function sameAsText(text: string, format: SequenceFormat, cuts: number[]): void {
  const want = parseSequence(text, format);
  const bytes = utf8(text);
  const got = parseSequenceBytesSync(split(bytes, cuts), format);
  assert.deepEqual(plain(got), plain(want), JSON.stringify(text.slice(0, 200)));
  // a size hint (right, or wrong either way) only sizes the arrays
  for (const hint of [bytes.length, 1 + (cuts[0] ?? 0) % 7, bytes.length * 3]) {
    assert.deepEqual(plain(parseSequenceBytesSync(split(bytes, cuts), format, undefined, hint)), plain(want));
  }
}

// pieces of files: valid lines, multi-byte characters, every line ending, numbers to split
const csvLine = fc.oneof(
  fc.constantFrom('x,y', 'x;y', 'x\ty', '# bptt: w=0.5 phi=relu', '# check: dL_dh = dL_dyhat * u + w * dL_ds[t+1]', '# ünïcödé ☃ 😀', 'x,y,dL_dh,s', ''),
  fc.tuple(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.option(fc.double({ noNaN: true, min: -1e3, max: 1e3 }))).map(([x, y]) => `${x},${y ?? ''}`),
  fc.tuple(fc.integer({ min: -99, max: 99 }), fc.constantFrom('', '0.40', '1.2e-3', 'NaN', 'abc', '"1.5"')).map(([x, c]) => `${x},1,${c},2`),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const eol = fc.constantFrom('\n', '\r\n', '\r');
const csvText = fc.tuple(fc.boolean(), fc.array(fc.tuple(csvLine, eol), { maxLength: 25 }), fc.boolean()).map(
  ([bom, lines, endEol]) => (bom ? '\uFEFF' : '') + lines.map(([l, e], i) => l + (i < lines.length - 1 || endEol ? e : '')).join(''),
);
const jsonValue = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('null', 'true', '"NaN"', '"-Infinity"', '"ü☃😀"', '[1, [2]]', '{"a": 1}', '1e', '-', '"a\\"b"', '/* c */', ','),
);
const jsonText = fc
  .tuple(
    fc.boolean(),
    fc.array(jsonValue, { maxLength: 20 }),
    fc.array(jsonValue, { maxLength: 20 }),
    fc.constantFrom(', ', ',\n  ', ',\r\n', ','),
    fc.constantFrom('', '"bptt": {"w": 0.25, "loss": "bce"}, ', '"check": {"dL_dh": ["a = b", 1.5], "dL_dw": 2}, ', '"dL_dh": [1, null, 0.40], '),
  )
  .map(([bom, xs, ys, sep, extra]) => `${bom ? '\uFEFF' : ''}{${extra}"x": [${xs.join(sep)}],${sep}"y": [${ys.join(sep)}]}`);
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('parse bytes: any chunking gives exactly the text parse', () => {
  it('CSV/TSV: random files, random splits (inside characters, \\r\\n pairs and numbers)', () => {
    fc.assert(
      fc.property(csvText, fc.constantFrom<SequenceFormat>('csv', 'tsv'), cuts, (text, format, c) => sameAsText(text, format, c)),
      { numRuns: 400 },
    );
  });

  it('JSON: random files, random splits', () => {
    fc.assert(fc.property(jsonText, cuts, (text, c) => sameAsText(text, 'json', c)), { numRuns: 400 });
  });

  it('every single-byte split of a file with multi-byte characters and CRLF', () => {
    const csv = '\uFEFF# bptt: w=0.5\r\n# check: h = tanh(s)\r\nx,y,dL_dh\r\n1.25,ü,0.40\r1e-3,2,\n"3",4,5\n';
    const json = '\uFEFF{"bptt": {"w": 0.5},\r\n "check": {"h": "tanh(s) ☃"},\r\n "x": [1.25, -2e-3,\r\n "NaN"], "y": [null, 1, "ü"]}';
    for (const [text, format] of [[csv, 'csv'], [json, 'json']] as const) {
      const n = utf8(text).length;
      for (let i = 0; i <= n; i++) sameAsText(text, format, [i]);
      sameAsText(text, format, Array.from({ length: n }, (_, i) => i)); // one byte per chunk
    }
  });

  it('the async reader reads an async iterable the same way', async () => {
    const text = 'x,y\n1,2\n3,4\n';
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (const c of split(utf8(text), [1, 5, 9])) yield c;
    }
    assert.deepEqual(plain(await parseSequenceBytes(chunks(), 'csv')), plain(parseSequence(text, 'csv')));
  });

  it('a reading error is thrown to the caller (not a parse error)', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield utf8('x,y\n');
      throw new Error('EIO');
    }
    await assert.rejects(parseSequenceBytes(broken(), 'csv'), /EIO/);
  });
});

describe('parse: encodings are named, never parsed as garbage', () => {
  const csv = 'x,y\n1,2\n3,4\n';
  const le = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));
  const be = (s: string): Uint8Array => {
    const b = Buffer.from(s, 'utf16le');
    return new Uint8Array(b.swap16());
  };
  const cases: Array<[string, Uint8Array, string]> = [
    ['UTF-16 LE with BOM', le('\uFEFF' + csv), 'this file is UTF-16 LE; save it as UTF-8'],
    ['UTF-16 LE without BOM', le(csv), 'this file is UTF-16 LE; save it as UTF-8'],
    ['UTF-16 BE with BOM', be('\uFEFF' + csv), 'this file is UTF-16 BE; save it as UTF-8'],
    ['UTF-16 BE without BOM', be(csv), 'this file is UTF-16 BE; save it as UTF-8'],
  ];
  for (const [name, bytes, message] of cases) {
    it(`${name}: from bytes and from its text decoded as UTF-8`, () => {
      for (const format of ['csv', 'json'] as const) {
        for (const chunks of [[bytes], split(bytes, [1, 2, 3, 7])]) {
          const s = parseSequenceBytesSync(chunks, format);
          assert.deepEqual(s.errors.map((e) => e.message), [message]);
          assert.equal(s.T, 0);
        }
      }
      if (!name.includes('BOM')) {
        const s = parseSequence(new TextDecoder().decode(bytes), 'csv');
        assert.deepEqual(s.errors.map((e) => e.message), [message]);
      }
    });
  }

  it('a NUL byte: "looks binary" with its line and column, and no NUL in any message', () => {
    const text = 'x,y\n1,2\n3,\u00004\n5,6\n';
    for (const format of ['csv', 'json'] as const) {
      for (const s of [parseSequence(text, format), parseSequenceBytesSync(split(utf8(text), [3, 9]), format)]) {
        assert.deepEqual(
          s.errors.map((e) => [e.message, e.line, e.col]),
          [['this file looks binary (NUL byte at line 3, column 3); BPTT Lens reads UTF-8 text', 2, 2]],
        );
      }
    }
    const bin = new Uint8Array(4096).map((_, i) => (i * 7919) & 255);
    const s = parseSequenceBytesSync([bin], 'csv');
    assert.equal(s.errors.length, 1);
    assert.match(s.errors[0].message, /looks binary|UTF-16/);
    assert.ok(!s.errors[0].message.includes('\0'));
  });

  it('a UTF-8 BOM counts as one character of the text; a 0-byte file is a located error', () => {
    const s = parseSequenceBytesSync([new Uint8Array([0xef, 0xbb, 0xbf]), utf8('x\n7\n')], 'csv');
    assert.deepEqual(s.errors, []);
    assert.deepEqual([s.rowStart[0], s.directiveOffset], [3, 1]);
    for (const format of ['csv', 'json'] as const) {
      const e = parseSequenceBytesSync([], format);
      assert.equal(e.errors.length, 1);
      assert.deepEqual([e.errors[0].line, e.errors[0].col], [0, 0]);
    }
  });
});

/** Offset of the first "[" or "{" that opens level MAX_DEPTH + 1 (no brackets inside strings here). */
function tooDeep(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[' || text[i] === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if (text[i] === ']' || text[i] === '}') depth--;
  }
  return -1;
}

describe('parse: hostile shapes', () => {
  it('a line longer than MAX_UNCUT is a located error, not one giant string', () => {
    const chunk = new Uint8Array(1 << 20).fill(0x31);
    const head = new TextEncoder().encode('x,y\n1,');
    const chunks = [head, ...Array.from({ length: MAX_UNCUT / chunk.length + 2 }, () => chunk)];
    const seq = parseSequenceBytesSync(chunks, 'csv');
    assert.equal(seq.errors.length, 1);
    assert.match(seq.errors[0].message, /a single line is longer than 64 MB/);
    assert.equal(seq.errors[0].line, 1);
  });

  it(`deep nesting stops at ${MAX_DEPTH} levels with a located message, never a stack overflow`, () => {
    for (const text of ['['.repeat(100000), '{"x": ' + '[{"a": '.repeat(50000), `{"x": [1], "bptt": ${'['.repeat(70)}${']'.repeat(70)}}`]) {
      const s = parseSequence(text, 'json');
      assert.equal(s.errors.length, 1);
      assert.match(s.errors[0].message, /^nested too deeply: more than 64 levels/);
      assert.deepEqual([s.errors[0].line, s.errors[0].col], [0, tooDeep(text)]);
      assert.deepEqual(plain(parseSequenceBytesSync(split(utf8(text), [17, 4000]), 'json')), plain(s));
    }
    // 64 levels are fine (the structure error names the problem instead)
    const ok = parseSequence(`{"x": [1], "check": {"a": ${'['.repeat(62)}${']'.repeat(62)}}}`, 'json');
    assert.ok(!ok.errors.some((e) => /nested/.test(e.message)));
  });

  it('mixed line endings: lines like VS Code (\\r\\n, \\r, \\n)', () => {
    const text = 'x,y\r\n1,2\r3,4\n\r\n5,6\r';
    for (const s of [parseSequence(text, 'csv'), parseSequenceBytesSync(split(utf8(text), [4, 5, 9]), 'csv')]) {
      assert.deepEqual(s.errors, []);
      assert.deepEqual([...s.line], [1, 2, 4]);
      assert.deepEqual([...s.x], [1, 3, 5]);
    }
  });

  it('a 10 MB cell: one bounded message, the same from any chunking', () => {
    const big = 'a'.repeat(10_000_000);
    const text = `x,y\n1,${big}\n2,3\n`;
    const s = parseSequence(text, 'csv');
    assert.equal(s.errors.length, 1);
    assert.ok(s.errors[0].message.length < 200, s.errors[0].message.slice(0, 300));
    const chunks = split(utf8(text), [5, 65536, 5_000_000, 9_999_999]);
    assert.deepEqual(plain(parseSequenceBytesSync(chunks, 'csv')), plain(s));
  });
});

describe('parse JSON: the fast path through arrays of numbers reads every number as Number() does', () => {
  it('random decimal forms, signs, zeros, exponents and long mantissas', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 22 });
    const literal = fc
      .tuple(fc.boolean(), digits, fc.option(digits), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 330 }))))
      .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int.replace(/^0+(?=\d)/, '')}${frac === null ? '' : '.' + frac}${exp === null ? '' : exp[0] + exp[1] + exp[2]}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(literal, fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)), { minLength: 1, maxLength: 20 }), fc.constantFrom(',', ', ', ',\n'), (nums, sep) => {
        const s = parseSequence(`{"x": [${nums.join(sep)}], "y": [${nums.join(sep)}]}`, 'json');
        assert.deepEqual(s.errors, []);
        nums.forEach((n, t) => {
          assert.ok(Object.is(s.x[t], Number(n)), `${n}: ${s.x[t]} vs ${Number(n)}`);
          assert.ok(Object.is(s.y[t], Number(n)), n);
        });
      }),
      { numRuns: 500 },
    );
  });
});
