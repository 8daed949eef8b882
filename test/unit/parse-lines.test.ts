import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as fc from 'fast-check';
import { byteChunks, parseSequence, parseSequenceBytesSync } from '../../src/parse';

/** One line below the header, and what it should give. */
type Line = { text: string; kind: 'row' | 'bad' | 'late' | 'other' };

const LINES: Line[] = [
  { text: '1.5,2', kind: 'row' },
  { text: '-0.25,', kind: 'row' },
  { text: ' 3 , "4"', kind: 'row' },
  { text: 'abc,1', kind: 'bad' },
  { text: '', kind: 'other' },
  { text: '  \t', kind: 'other' },
  { text: '# a comment', kind: 'other' },
  { text: '# bptt: w=2', kind: 'late' },
];

/**
 * The CSV row reader builds the line table itself for the lines it reads (no second pass): every
 * error's line and column, and every step's line, must be where the text puts them, whatever the line
 * breaks (\n, \r\n, \r), blank and comment lines, and however the bytes are cut into chunks.
 */
describe('parse: lines and columns of CSV rows (the row reader builds the line table)', () => {
  it('property: errors and step lines match the text, from text and from bytes in any chunk size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ line: fc.constantFrom(...LINES), eol: fc.constantFrom('\n', '\r\n', '\r') }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (body, finalEol, chunk) => {
          // the first 1024 bytes are read as one block (to tell UTF-16): the rows come after them, in chunks
          let text = `# bptt: w=0.5\r\n#${' '.repeat(1100)}\nx,y\n`;
          const expectedErrors: { line: number; col: number; endCol: number }[] = [];
          const expectedLines: number[] = [];
          body.forEach(({ line, eol }, k) => {
            const l = k + 3;
            if (line.kind === 'row') expectedLines.push(l);
            if (line.kind === 'bad') {
              expectedLines.push(l);
              expectedErrors.push({ line: l, col: 0, endCol: 3 });
            }
            if (line.kind === 'late') expectedErrors.push({ line: l, col: 0, endCol: line.text.length });
            // a \r, an empty line and \n would be one \r\n break
            const e = text.endsWith('\r') && line.text === '' && eol === '\n' ? '\r\n' : eol;
            text += line.text + (k < body.length - 1 || finalEol ? e : '');
          });
          const bytes = new TextEncoder().encode(text);
          for (const p of [parseSequence(text, 'csv'), parseSequenceBytesSync(byteChunks(bytes, chunk), 'csv', {}, bytes.length)]) {
            assert.deepEqual([...p.line], expectedLines);
            const found = p.errors
              .filter((e) => !e.message.startsWith('no data rows'))
              .map((e) => ({ line: e.line, col: e.col, endCol: e.endCol, endLine: e.endLine }));
            assert.deepEqual(found, expectedErrors.map((e) => ({ ...e, endLine: e.line })));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
