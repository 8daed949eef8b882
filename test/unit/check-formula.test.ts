/**
 * The formula language: precedence (^ right-associative, tighter than * and unary minus), primes
 * and Greek letters, located errors with what was expected; property tests: no input throws
 * anything but a FormulaError, and every error lies inside the claim text.
 *
 * BPTT_PROPS_RUNS sets the cases per property (as in hostile-props.test.ts); unset, each
 * property keeps its own default (3000 for the parser, 1000 for runChecks).
 */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { runBptt } from '../../src/core';
import { FormulaError, parseFormula, runChecks, roundingTol, digitsOf } from '../../src/check';
import { exactOf } from '../../src/check/exact';
import { compile } from '../../src/check/formula/compile';
import type { CheckClaimSource } from '../../src/check';
import { parseSequence } from '../../src/parse';

const seq = parseSequence('# bptt: w=0.5 v=1.5 u=2 c=0.1 h0=0.25 theta=sigmoid\nx,y\n1,0.2\n-0.5,\n2,0.9\n', 'csv');
const trace = runBptt(seq.model, seq);
const E = exactOf(trace);
const RUNS_ENV = process.env.BPTT_PROPS_RUNS;
const runs = (fallback: number) => (RUNS_ENV ? Math.max(1, Number(RUNS_ENV) | 0) : fallback);
const value = (expr: string, t = 1) => compile(parseFormula(expr), E).at(t);

function errorOf(expr: string): FormulaError {
  try {
    const f = compile(parseFormula(expr), E);
    for (let t = 1; t <= E.T; t++) f.at(t);
  } catch (e) {
    assert.ok(e instanceof FormulaError, `a FormulaError, not ${String(e)}`);
    return e;
  }
  assert.fail(`"${expr}" should not compile`);
}

describe('check formula: arithmetic', () => {
  it('^ is right-associative and binds tighter than * and unary minus', () => {
    assert.equal(value('2^3^2'), 512);
    assert.equal(value('-2^2'), -4);
    assert.equal(value('(-2)^2'), 4);
    assert.equal(value('2*3^2'), 18);
    assert.equal(value('2^-1'), 0.5);
    assert.equal(value('--2^2'), 4);
    assert.equal(value('1 - 2^2'), -3);
    assert.equal(value('8/2/2'), 2);
  });
  it("primes and Greek letters mean the file's activations and their derivatives", () => {
    const s = E.arrays.s[2], z = 2 * E.arrays.h[2] + 0.1;
    const y = 1 / (1 + Math.exp(-z));
    assert.equal(value("φ'(s)", 2), 1 - Math.tanh(s) ** 2);
    assert.equal(value("phi'(s)", 2), value('dphi(s)', 2));
    assert.ok(Math.abs(value("θ'(u*h + c)", 2) - y * (1 - y)) < 1e-15);
    assert.equal(value('θ(u·h + c)', 2), value('theta(u*h+c)', 2));
    assert.equal(value('yhat', 2), value('theta(u*h+c)', 2));
  });
  it('indices and boundary values: h[0] = h0, dL_ds[T+1] = 0', () => {
    assert.equal(value('h[t-1]', 1), 0.25);
    assert.equal(value('dL_ds[t+1]', 3), 0);
    assert.equal(value('dL_dh[T+1]'), 0);
    assert.equal(value('h[T]'), E.arrays.h[3]);
    assert.equal(value('x[2*t-1]', 2), 2);
    assert.equal(value('N + T'), 5);
  });
  it('sum runs over t; terms reading a target count only where the step has one', () => {
    assert.equal(value('sum(1)'), 3);
    assert.equal(value('sum(y)'), 0.2 + 0.9);
    assert.ok(Math.abs(value('sum(dL_ds * h[t-1])') - trace.grads.w) < 1e-15);
  });
});

describe('check formula: located errors with what was expected', () => {
  const cases: [string, RegExp, string][] = [
    ['dL_dyhat * dphi(h) + w * dL_dz[t+1]', /unknown name "dL_dz"; did you mean dL_d[sh]\?/, 'dL_dz'],
    ['phi(s, h)', /phi takes 1 argument, got 2/, 'phi(s, h)'],
    ['tnah(s)', /unknown function "tnah"; did you mean tanh\?/, 'tnah'],
    ['h[t-2]', /h\[-1\].*out of range: h takes 0\.\.T/, 't-2'],
    ['dL_ds[t+2]', /out of range: dL_ds takes 1\.\.T\+1/, 't+2'],
    ['s[0]', /s\[0\] is out of range/, '0'],
    ['h[s]', /an index is an integer expression of t, T and N/, 's'],
    ['w[1]', /w is not per-step/, 'w'],
    ['sum(sum(h))', /cannot be nested/, 'sum'],
    ['h +', /Expected expression/, ''],
    ['h % 2', /unknown operator %/, 'h % 2'],
    ['x.y', /only a per-step name can be indexed/, 'x.y'],
    ['"h"', /unexpected text/, '"h"'],
    ['true', /unknown name "true"/, 'true'],
    ['phi', /phi is a function/, 'phi'],
    ['h[t-0.5]', /out of range/, 't-0.5'],
  ];
  for (const [expr, message, at] of cases) {
    it(`${expr}  →  ${message.source}`, () => {
      const e = errorOf(expr);
      assert.match(e.message, message);
      assert.ok(e.start >= 0 && e.end <= Math.max(expr.length, 1) && e.start < e.end, `[${e.start}, ${e.end}) inside "${expr}"`);
      if (at) assert.equal(expr.slice(e.start, e.end), at);
    });
  }
  it("points at the written column after a rewritten prime: θ'(q)", () => {
    const e = errorOf("θ'(q) + 1");
    assert.equal(e.start, 3);
  });
  it('a total needs sum() around per-step values; a per-step quantity needs a formula, not a number', () => {
    const src = (quantity: string, expr: string): CheckClaimSource => ({ quantity, expr, line: 0, col: 10, offset: 10, length: expr.length, quantityLine: 0, quantityCol: 2 });
    const r = runChecks({ checks: [src('dL_dw', 'dL_ds * h[t-1]'), src('dL_dh', '1.5'), src('dl_dh', 'h'), src('dL_dh0', 'w * dL_ds[1]')], claimColumns: [] }, trace);
    assert.match(r.claims[0].error!.message, /dL_dw is a total.*sum/);
    assert.match(r.claims[1].error!.message, /per step/);
    assert.match(r.claims[2].error!.message, /unknown quantity "dl_dh"; did you mean dL_dh\?/);
    assert.equal(r.claims[2].error!.col, 2);
    assert.equal(r.claims[3].ok, true);
  });
});

describe('check formula: properties', () => {
  const atoms = fc.constantFrom('h', 's', 'x', 'y', 'w', 't', 'T', 'N', '1', '2.5', 'dL_ds', 'h[t-1]', 'dL_ds[t+1]', 'q', 'phi', '(', ')', '[', ']', ',', '^', '*', '-', '+', '/', "'", 'φ', "θ'", 'sum(', 'dphi(', ' ', '.', '%', '"', 'h[', 'e', '1e', '==');
  it('no input throws anything but a located FormulaError (random token soup)', () => {
    fc.assert(fc.property(fc.array(atoms, { maxLength: 14 }), (parts) => {
      const expr = parts.join('');
      try {
        compile(parseFormula(expr), E).at(1);
      } catch (e) {
        assert.ok(e instanceof FormulaError, `"${expr}" threw ${String(e)}`);
        assert.ok(e.start >= 0 && e.start < e.end && e.end <= Math.max(expr.length, 1), `"${expr}": [${e.start}, ${e.end})`);
      }
    }), { numRuns: runs(3000) });
  });
  it('no input throws anything but a located FormulaError (any string)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (expr) => {
      try {
        compile(parseFormula(expr), E).at(1);
      } catch (e) {
        assert.ok(e instanceof FormulaError, `${JSON.stringify(expr)} threw ${String(e)}`);
        assert.ok(e.start >= 0 && e.start < e.end && e.end <= Math.max(expr.length, 1), `${JSON.stringify(expr)}: [${e.start}, ${e.end})`);
      }
    }), { numRuns: runs(3000) });
  });
  it('runChecks never throws, and locates every error inside the claim on its line', () => {
    fc.assert(fc.property(fc.array(atoms, { maxLength: 12 }), (parts) => {
      const expr = parts.join('');
      const line = `# check: dL_dh = ${expr}`;
      const r = runChecks({ checks: [{ quantity: 'dL_dh', expr, line: 3, col: 17, offset: 100, length: expr.length, quantityLine: 3, quantityCol: 9 }], claimColumns: [] }, trace);
      const e = r.claims[0].error;
      if (e) {
        assert.equal(e.line, 3);
        assert.ok(e.col >= 17 && e.col + e.length <= Math.max(line.length, 18), `${line}: col ${e.col}+${e.length}`);
        assert.equal(e.offset - 100, e.col - 17);
      }
    }), { numRuns: runs(1000) });
  });
});

describe('check numbers: tolerance from the written digits', () => {
  it('digits and half a unit in the last place', () => {
    assert.equal(digitsOf('0.40'), 2);
    assert.equal(digitsOf('1.2e-3'), 2);
    assert.equal(digitsOf('-0.000123400'), 6);
    assert.equal(digitsOf('nan'), 17);
    assert.ok(Math.abs(roundingTol(0.4, 2) - 0.005) < 1e-8);
  });
});
