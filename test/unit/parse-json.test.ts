import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { BUILTIN_DEFAULTS } from '../../src/core/model';
import { directiveEdit, parseSequence, stepAtOffset, type ParsedSequence } from '../../src/parse';

function errs(s: ParsedSequence): Array<[string, number, number, number, number]> {
  return s.errors.map((e) => [e.message, e.line, e.col, e.endLine, e.endCol]);
}

describe('parse JSON: values and positions', () => {
  const text = '{\n  "bptt": {"w": 0.9, "phi": "relu"},\n  "x": [1,\n    -2.5e0, "NaN"],\n  "y": [null, 0.25,\n "-Infinity"]\n}\n';

  it('reads x, y, the directive and element positions from the parser', () => {
    const s = parseSequence(text, 'json', { v: 4 });
    assert.deepEqual(s.errors, []);
    assert.equal(s.format, 'json');
    assert.equal(s.T, 3);
    assert.equal(s.x[0], 1);
    assert.equal(s.x[1], -2.5);
    assert.ok(Number.isNaN(s.x[2]));
    assert.deepEqual([...s.hasY], [0, 1, 1]);
    assert.equal(s.y[1], 0.25);
    assert.equal(s.y[2], -Infinity);
    assert.deepEqual([...s.line], [2, 3, 3]);
    const x1 = text.indexOf('-2.5e0');
    assert.deepEqual([s.xStart[1], s.xEnd[1], s.rowStart[1], s.rowEnd[1]], [x1, x1 + 6, x1, x1 + 6]);
    const nan = text.indexOf('"NaN"');
    assert.deepEqual([s.xStart[2], s.xEnd[2]], [nan, nan + 5]);
    const nul = text.indexOf('null');
    assert.deepEqual([s.yStart[0], s.yEnd[0]], [nul, nul + 4]);
    assert.equal(s.hasDirective, true);
    assert.equal(s.model.w, 0.9);
    assert.equal(s.model.phi, 'relu');
    assert.equal(s.model.v, 4);
    assert.equal(s.modelSource.w, 'file');
    assert.equal(s.modelSource.v, 'caller');
    assert.equal(s.modelSource.b, 'builtin');
    assert.equal(s.directiveOffset, 1);
  });

  it('finds steps from offsets in x and y elements', () => {
    const s = parseSequence(text, 'json');
    const x1 = text.indexOf('-2.5e0');
    const y2 = text.indexOf('"-Infinity"');
    assert.equal(stepAtOffset(s, x1), 1);
    assert.equal(stepAtOffset(s, x1 + 6), 1);
    assert.equal(stepAtOffset(s, x1 - 1), -1);
    assert.equal(stepAtOffset(s, y2 + 3), 2);
    assert.equal(stepAtOffset(s, text.indexOf('null') + 2), 0);
    assert.equal(stepAtOffset(s, 0), -1);
    assert.equal(stepAtOffset(s, text.indexOf('"bptt"')), -1);
  });

  it('y is optional; a BOM is fine', () => {
    const s = parseSequence('\uFEFF{"x": [3]}', 'json');
    assert.deepEqual(s.errors, []);
    assert.deepEqual([...s.x], [3]);
    assert.deepEqual([...s.hasY], [0]);
    assert.deepEqual([...s.yStart], [-1]);
    assert.equal(s.directiveOffset, 2);
    assert.equal(s.hasDirective, false);
  });
});

describe('parse JSON: errors and their ranges', () => {
  it('syntax errors are located and readable', () => {
    assert.deepEqual(errs(parseSequence('{"x": [1, 2}', 'json')), [['expected "," between items, but found "}"', 0, 11, 0, 12]]);
    assert.deepEqual(errs(parseSequence('{"x": [1, 2', 'json')), [['expected "]" to close the array, but the file ends here', 0, 11, 0, 11]]);
    assert.deepEqual(errs(parseSequence('{"x": [NaN]}', 'json')), [
      ['NaN is not valid JSON; write it as the string "NaN"', 0, 7, 0, 10],
    ]);
    assert.deepEqual(errs(parseSequence('{"x": [1]} // c', 'json')), [['comments are not allowed in JSON', 0, 11, 0, 15]]);
    assert.deepEqual(errs(parseSequence('{"x": [1],}', 'json')), [['expected a property name in double quotes', 0, 10, 0, 11]]);
    assert.deepEqual(errs(parseSequence('{"x": "ab', 'json')), [['unterminated string: the closing quote is missing', 0, 6, 0, 9]]);
    assert.deepEqual(errs(parseSequence('', 'json')), [['expected a value, but the file ends here', 0, 0, 0, 0]]);
    assert.deepEqual(errs(parseSequence('{"x": [1]} 2', 'json')), [['unexpected text after the end of the JSON value, but found "2"', 0, 11, 0, 12]]);
    assert.deepEqual(errs(parseSequence('{xs: [1]}', 'json')), [
      ['unexpected "xs": JSON values are numbers, "strings", true, false, null, [arrays] and {objects}, and property names need double quotes', 0, 1, 0, 3],
    ]);
  });

  it('structure errors', () => {
    assert.deepEqual(errs(parseSequence('[1, 2]', 'json')), [
      ['expected a JSON object such as {"x": [0.5, 1], "y": [0, 1]}', 0, 0, 0, 6],
    ]);
    assert.deepEqual(errs(parseSequence('{"y": [1]}', 'json')), [
      ['missing "x": expected an array of inputs, e.g. "x": [0.5, 1]', 0, 0, 0, 1],
    ]);
    assert.deepEqual(errs(parseSequence('{"x": [], "z": 1}', 'json')), [
      ['empty sequence: "x" has no elements', 0, 6, 0, 8],
      ['unknown top-level key "z"; allowed keys: bptt, x, y, check, s, h, yhat, loss, dL_dyhat, dL_dh, dL_ds', 0, 10, 0, 13],
    ]);
    assert.deepEqual(errs(parseSequence('{"x": 1, "y": {}}', 'json')), [
      ['"x" must be an array of numbers, got a number', 0, 6, 0, 7],
      ['"y" must be an array of numbers or null, got an object', 0, 14, 0, 16],
    ]);
    assert.deepEqual(errs(parseSequence('{"x": [1], "x": [2]}', 'json')), [['duplicate key "x"', 0, 11, 0, 14]]);
  });

  it('element errors', () => {
    const s = parseSequence('{"x": [1, "a", null, true],\n "y": [1, "Infinity", [], "nan"]}', 'json');
    assert.deepEqual(errs(s), [
      ['x[1] must be a number, got the string "a"', 0, 10, 0, 13],
      ['x[2] is null; every step needs an x value', 0, 15, 0, 19],
      ['x[3] must be a number, got true', 0, 21, 0, 25],
      ['y[2] must be a number or null, got an array', 1, 22, 1, 24],
      ['y[3] must be a number or null, got the string "nan"', 1, 26, 1, 31],
    ]);
    assert.equal(s.T, 4);
    assert.equal(s.y[1], Infinity);
  });

  it('x and y of different lengths: points at the y array', () => {
    const s = parseSequence('{"x": [1, 2],\n"y": [1]}', 'json');
    assert.deepEqual(errs(s), [
      ['"y" has 1 element but "x" has 2; they must be the same length (use null for steps without a target)', 1, 5, 1, 8],
    ]);
  });

  it('bptt errors', () => {
    const text = '{"bptt": {"w": "1", "phi": "tanhh", "q": 1, "loss": 3, "h0": 1e999, "theta": "relu"}, "x": [1]}';
    const s = parseSequence(text, 'json');
    assert.deepEqual(errs(s), [
      ['w must be a number, got the string "1"', 0, 15, 0, 18],
      ['unknown activation "tanhh" for phi; expected one of: tanh, sigmoid, relu, leaky_relu, identity, softsign, softplus', 0, 27, 0, 34],
      ['unknown key "q"; valid keys: w, v, b, u, c, h0, phi, theta, loss, reduction', 0, 36, 0, 39],
      ['loss must be a string naming one of the choices, got a number', 0, 52, 0, 53],
      ['h0 must be a finite number', 0, 61, 0, 66],
    ]);
    assert.equal(s.model.theta, 'relu');
    assert.equal(s.model.phi, 'tanh');
    assert.equal(s.modelSource.phi, 'builtin');
    assert.deepEqual(errs(parseSequence('{"bptt": 1, "x": [1]}', 'json')), [
      ['"bptt" must be an object such as {"w": 0.9, "phi": "tanh"}, got a number', 0, 9, 0, 10],
    ]);
  });

  it('bce targets outside [0, 1]', () => {
    const s = parseSequence('{"bptt": {"loss": "bce"}, "x": [1, 2, 3], "y": [0, 2, null]}', 'json');
    assert.deepEqual(errs(s), [['y[1] = 2 is outside [0, 1]; the bce loss needs targets between 0 and 1', 0, 51, 0, 52]]);
  });
});

describe('parse JSON: directiveEdit', () => {
  it('stays inside the text when an unterminated comment swallows the end (found by fast-check)', () => {
    const text = 'x{\n  "bptt": {"w": 0.9, "loss": bce"},\n  "x": [1, 2, "NaN"],\n  "y": [0, null, 1]\n/*';
    const seq = parseSequence(text, 'json');
    const edit = directiveEdit(seq, seq.model);
    assert.ok(edit.offset >= 0 && edit.offset + edit.length <= text.length, `${edit.offset} + ${edit.length} > ${text.length}`);
  });

  const model = { ...BUILTIN_DEFAULTS, w: 0.9, v: 0.5, c: -0, loss: 'mse' as const, reduction: 'mean' as const };
  const cases: Array<[string, string]> = [
    ['{"x": [1]}', '{"bptt": {"w": 0.9, "v": 0.5, "b": 0, "u": 1, "c": -0, "h0": 0, "phi": "tanh", "theta": "identity", "loss": "mse", "reduction": "mean"}, "x": [1]}'],
    ['{ "x": [1] }', '{ "bptt": {"w": 0.9, "v": 0.5, "b": 0, "u": 1, "c": -0, "h0": 0, "phi": "tanh", "theta": "identity", "loss": "mse", "reduction": "mean"}, "x": [1] }'],
    ['{\r\n\t"x": [1]\r\n}', '{\r\n\t"bptt": {"w": 0.9, "v": 0.5, "b": 0, "u": 1, "c": -0, "h0": 0, "phi": "tanh", "theta": "identity", "loss": "mse", "reduction": "mean"},\r\n\t"x": [1]\r\n}'],
    ['{"x": [1], "bptt": {"w": 3}}', '{"x": [1], "bptt": {"w": 0.9, "v": 0.5, "b": 0, "u": 1, "c": -0, "h0": 0, "phi": "tanh", "theta": "identity", "loss": "mse", "reduction": "mean"}}'],
  ];
  for (const [text, want] of cases) {
    it(`edits ${JSON.stringify(text)}`, () => {
      const s = parseSequence(text, 'json');
      const e = directiveEdit(s, model);
      if (!s.hasDirective) {
        assert.equal(e.offset, s.directiveOffset);
        assert.equal(e.length, 0);
      }
      const edited = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.length);
      assert.equal(edited, want);
      const r = parseSequence(edited, 'json', { w: 5 });
      assert.deepEqual(r.errors, []);
      assert.equal(r.hasDirective, true);
      assert.deepEqual(r.model, model);
      assert.ok(Object.is(r.model.c, -0));
    });
  }
});
