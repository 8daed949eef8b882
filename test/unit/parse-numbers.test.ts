import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as fc from 'fast-check';
import { NUM, scanDecimal, scanNumber } from '../../src/parse/numbers';
import { byteChunks, parseSequence, parseSequenceBytesSync } from '../../src/parse';

/** The same double, bit for bit (-0 and 0 differ; NaN equals NaN). */
function sameBits(a: number, b: number): boolean {
  return Object.is(a, b);
}

/** Decimal strings of every shape the fast path must get right: signs, leading zeros, '.5', '5.', up to 25 fraction digits. */
function decimals(count: number): string[] {
  let seed = 987654321;
  const r = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * k);
  };
  const digits = (k: number): string => Array.from({ length: k }, () => String(r(10))).join('');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const sign = ['', '', '-', '+'][r(4)];
    const zeros = r(3) === 0 ? '0'.repeat(r(4)) : '';
    const int = zeros + digits(r(18));
    const frac = r(4) === 0 ? '' : '.' + (r(3) === 0 ? '0'.repeat(r(24)) : '') + digits(r(20));
    const s = sign + int + frac;
    if (/\d/.test(s)) out.push(s);
  }
  return out;
}

const FIXED = [
  '0.1', '0.2', '0.3', '-0.1', '1e-7', '1E-7', '-1e-7', '1e+5', '1e5', '1e21', '1e22', '1e23', '9007199254740993',
  '12345678901234567', '0.12345678901234567', '123456789012345', '1234567890123456', '0.000000123456789012345',
  '0.0000000123456789012345', '-0', '+0', '-0.0', '0.0', '.5', '-.5', '+.5', '5.', '-5.', '+1', '-1', '00012.5000',
  '1.7976931348623157e308', '1.8e308', '5e-324', '2e-324', '4.9406564584124654e-324', '2.2250738585072014e-308',
  '0.1000000000000000055511151231257827', '1.00000000000000011102230246251565404', '999999999999999.9',
  '0.3333333333333333', '-0.12345', '0.99999', '123.456', '4503599627370497.5', '0.' + '0'.repeat(22) + '1',
  '0.' + '0'.repeat(21) + '1', '0.' + '0'.repeat(30),
];

describe('numbers: the plain-decimal fast path (scanDecimal) and scanNumber', () => {
  it('scanDecimal reads the plain decimals that make up a CSV, bit for bit as Number() does', () => {
    const taken = ['0.1', '-0.12345', '.5', '5.', '+1', '-0', '0', '123456789012345', '-0.0000000000000000000001', '00012.5000'];
    for (const s of taken) {
      assert.equal(scanDecimal(s, 0, s.length), s.length, `${s}: fast path not taken`);
      assert.ok(sameBits(NUM[0], Number(s)), `${s}: ${NUM[0]} vs ${Number(s)}`);
    }
    assert.ok(sameBits((scanDecimal('-0', 0, 2), NUM[0]), -0));
  });

  it('scanDecimal declines what it cannot read exactly: > 15 significant digits, > 22 fraction digits, no digit', () => {
    for (const s of ['1234567890123456', '0.1234567890123456', '9007199254740993', '0.' + '0'.repeat(22) + '1', '', '-', '+', '.', '-.', 'nan', 'inf', '"1"', ' 1']) {
      assert.equal(scanDecimal(s, 0, s.length), -1, JSON.stringify(s));
    }
  });

  it('scanDecimal stops at the first character that cannot continue a plain decimal (the caller falls back to scanNumber)', () => {
    assert.equal(scanDecimal('1e-7', 0, 4), 1);
    assert.equal(scanDecimal('2.5,3', 0, 5), 3);
    assert.equal(NUM[0], 2.5);
    assert.equal(scanDecimal('x,-0.25\n', 2, 8), 7);
    assert.equal(NUM[0], -0.25);
    assert.equal(scanDecimal('1.2.3', 0, 5), 3);
    assert.equal(scanDecimal('7 ', 0, 2), 1);
    assert.equal(scanDecimal('12345', 0, 3), 3, 'n bounds the scan');
    assert.equal(NUM[0], 123);
  });

  it('on 200 000 generated decimals, every value scanDecimal and scanNumber give is the bits of Number()', () => {
    let fast = 0;
    let declined = 0;
    for (const s of [...FIXED, ...decimals(200_000)]) {
      const q = scanDecimal(s, 0, s.length);
      if (q === s.length) {
        fast++;
        assert.ok(sameBits(NUM[0], Number(s)), `scanDecimal ${s}: ${NUM[0]} vs ${Number(s)}`);
      } else declined++;
      assert.equal(scanNumber(s, 0, s.length), true, s);
      assert.ok(sameBits(NUM[0], Number(s)), `scanNumber ${s}: ${NUM[0]} vs ${Number(s)}`);
    }
    // both paths are exercised (the test would be vacuous otherwise)
    assert.ok(fast > 50_000 && declined > 50_000, `fast ${fast}, declined ${declined}`);
  });

  it('property: any double printed by String, toFixed, toPrecision or toExponential reads back as Number() reads it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 21 }), (d, f, p) => {
        const forms = [String(d), Math.abs(d) < 1e21 ? d.toFixed(f) : String(d), d.toPrecision(p), d.toExponential(Math.min(f, 20))];
        for (const s of forms) {
          if (!Number.isFinite(d)) continue;
          const q = scanDecimal(s, 0, s.length);
          if (q === s.length) assert.ok(sameBits(NUM[0], Number(s)), `scanDecimal ${s}`);
          assert.ok(scanNumber(s, 0, s.length) && sameBits(NUM[0], Number(s)), `scanNumber ${s}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a CSV of these decimals: x and y are the bits of Number(cell), from text and from bytes, however the cell is spaced', () => {
    const cells = [...FIXED, ...decimals(3000)];
    const pads = ['', ' ', '\t'];
    let text = 'x,y\n';
    for (let k = 0; k < cells.length; k++) {
      const y = cells[cells.length - 1 - k];
      // y: none, quoted (the slow path), or plain
      text += `${pads[k % 3]}${cells[k]}${pads[(k >> 1) % 3]},${k % 5 === 0 ? '' : k % 5 === 1 ? `"${y}"` : y}\n`;
    }
    const bytes = new TextEncoder().encode(text);
    for (const p of [parseSequence(text, 'csv'), parseSequenceBytesSync(byteChunks(bytes, 4096), 'csv', {}, bytes.length)]) {
      assert.equal(p.T, cells.length);
      assert.deepEqual(p.errors, []);
      for (let k = 0; k < cells.length; k++) {
        assert.ok(sameBits(p.x[k], Number(cells[k])), `x[${k}] = ${cells[k]}: ${p.x[k]}`);
        assert.equal(text.slice(p.xStart[k], p.xEnd[k]), cells[k]);
        assert.equal(p.hasY[k], k % 5 === 0 ? 0 : 1);
        if (k % 5 !== 0) {
          assert.ok(sameBits(p.y[k], Number(cells[cells.length - 1 - k])), `y[${k}]`);
        }
      }
    }
  });
});
