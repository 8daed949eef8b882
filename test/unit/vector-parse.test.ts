/**
 * Vector-model sequence files (issue 11): what they read, where every problem is reported, which
 * files are vector files at all, and the model resolved from a file and its weights.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { isVectorSequence, parseAnySequence, parseSequence, type ParseError } from '../../src/parse';
import { isVectorText, parseVectorSequence, resolveVectorModel, type ParsedVectorSequence } from '../../src/parse/vector';

/** Each error as [line, col, endLine, endCol] (0-based) with a pattern its message must match. */
function located(s: { errors: ParseError[] }): Array<[number, number, number, number, string]> {
  return s.errors.map((e) => [e.line, e.col, e.endLine, e.endCol, e.message]);
}

function expectErrors(s: { errors: ParseError[] }, expected: Array<[number, number, number, number, RegExp]>): void {
  const got = located(s);
  assert.equal(got.length, expected.length, `errors: ${JSON.stringify(got)}`);
  for (let i = 0; i < expected.length; i++) {
    const [line, col, endLine, endCol, re] = expected[i];
    assert.deepEqual(got[i].slice(0, 4), [line, col, endLine, endCol], `error ${i}: ${got[i][4]}`);
    assert.match(got[i][4], re);
  }
}

function csv(text: string): ParsedVectorSequence {
  const s = parseAnySequence(text, 'csv');
  assert.ok(isVectorSequence(s), 'a vector file');
  return s;
}

function json(text: string): ParsedVectorSequence {
  const s = parseAnySequence(text, 'json');
  assert.ok(isVectorSequence(s), 'a vector file');
  return s;
}

const INLINE = '"weights": {"W": [[0.5, -0.25], [0.125, 0.5]], "V": [[1, 0], [0, 1]], "b": [0, 0.1], "U": [[1, -1]], "c": [0.2]}';

describe('vector files: which files are vector files', () => {
  it('a weights= directive key or a top-level / "bptt" "weights" key, and nothing else', () => {
    assert.equal(isVectorText('# bptt: weights=m.npz\nx1,y\n1,2\n', 'csv'), true);
    assert.equal(isVectorText('# comment\n\n  # bptt: phi=tanh, weights=m.npz\nx\n1\n', 'tsv'), true);
    assert.equal(isVectorText('\ufeff# bptt: weights=m.npz\nx\n1\n', 'csv'), true);
    assert.equal(isVectorText('# bptt: w=0.5\nx,y\n# bptt: weights=m.npz\n1,2\n', 'csv'), false, 'directives count above the header only');
    assert.equal(isVectorText('# weights=m.npz\nx\n1\n', 'csv'), false, 'a plain comment');
    assert.equal(isVectorText('{"weights": "m.npz", "x": [[1]]}', 'json'), true);
    assert.equal(isVectorText('{"x": [[1]], "bptt": {"phi": "tanh", "weights": {"W": [[1]]}}}', 'json'), true);
    assert.equal(isVectorText('{"x": [1], "bptt": {"phi": "weights"}}', 'json'), false, 'a string value');
    assert.equal(isVectorText('{"x": [1], "check": {"weights": "1"}}', 'json'), false, 'deeper than "bptt"');
    assert.equal(isVectorText('{"x": [{"weights": 1}]}', 'json'), false);
    assert.equal(isVectorText('{"x": [1, 2]}', 'json'), false);
  });

  it('every scalar sample parses through parseAnySequence exactly as parseSequence parses it', () => {
    const dir = join(__dirname, '..', '..', '..', 'samples');
    const files = readdirSync(dir).filter((f) => /\.(csv|tsv|json)$/.test(f));
    assert.ok(files.length >= 5);
    for (const f of files) {
      const format = f.endsWith('.json') ? 'json' : f.endsWith('.tsv') ? 'tsv' : 'csv';
      const text = readFileSync(join(dir, f), 'utf8');
      assert.deepEqual(parseAnySequence(text, format), parseSequence(text, format), f);
    }
  });
});

describe('vector files: CSV / TSV', () => {
  it('reads x1 … xm and y1 … yk, steps without a target, the settings and where the weights are named', () => {
    const text = '# n = 2\n# bptt: weights=model.safetensors phi=relu loss=mse reduction=mean layout=row h0=0.5\nx2,x1,y1,y2,note\n1,2,3,4,a\n5,6,,,b\n\n-1,-2,0.5,-0.5,\n';
    const s = csv(text);
    assert.deepEqual(s.errors, []);
    assert.equal(s.T, 3);
    assert.equal(s.xWidth, 2);
    assert.equal(s.yWidth, 2);
    assert.deepEqual([...s.x], [2, 1, 6, 5, -2, -1], 'x1 first, whatever the column order');
    assert.deepEqual([...s.hasY], [1, 0, 1]);
    assert.deepEqual([s.y[0], s.y[1], s.y[4], s.y[5]], [3, 4, 0.5, -0.5]);
    assert.deepEqual([...s.line], [3, 4, 6]);
    assert.deepEqual([...s.rowStart], [text.indexOf('1,2,3'), text.indexOf('5,6'), text.indexOf('-1,-2')]);
    assert.deepEqual([...s.yLine!], [3, -1, 6]);
    assert.deepEqual([...s.yCol!], [4, -1, 6]);
    assert.deepEqual(s.settings, { phi: 'relu', theta: 'identity', loss: 'mse', reduction: 'mean', layout: 'row', h0: Float64Array.of(0.5) });
    const w = text.indexOf('model.safetensors');
    assert.deepEqual(s.weights, { kind: 'file', path: 'model.safetensors', start: w, end: w + 17, at: { start: w, end: w + 17, line: 1, col: w - 8, endLine: 1, endCol: w - 8 + 17 } });
    assert.equal(s.hasDirective, true);
    assert.deepEqual(s.columns, ['x2', 'x1', 'y1', 'y2', 'note']);
  });

  it('x and y alone (m = k = 1), label for cross_entropy, tabs, and the caller defaults beneath the directive', () => {
    const a = parseVectorSequence('# bptt: weights=w.json\nx\ty\n1\t2\n3\t\n', 'tsv', { phi: 'sigmoid', loss: 'abs' });
    assert.deepEqual(a.errors, []);
    assert.equal(a.format, 'tsv');
    assert.deepEqual([a.xWidth, a.yWidth, ...a.x, ...a.hasY], [1, 1, 1, 3, 1, 0]);
    assert.equal(a.settings.phi, 'sigmoid');
    assert.equal(a.settings.loss, 'abs');
    const b = csv('# bptt: weights=w.json loss=cross_entropy\nx1,x2,label\n1,2,0\n3,4,\n5,6,2\n');
    assert.deepEqual(b.errors, []);
    assert.deepEqual([b.yWidth, ...b.y], [1, 0, NaN, 2]);
    assert.deepEqual([...b.hasY], [1, 0, 1]);
  });

  it('every problem of the directive and the header at its token', () => {
    expectErrors(csv('# bptt: weights=w.json foo=1 w=0.5 phi=nope layout=diag h0=1;x loss=\nx,y\n1,2\n'), [
      [0, 23, 0, 26, /^unknown key "foo"; valid keys for a vector model: phi, theta, loss, reduction, layout, h0, weights, grads$/],
      [0, 29, 0, 30, /^"w" is a scalar-model key; a vector model's parameters come from its weights/],
      [0, 39, 0, 43, /^unknown phi "nope"; expected one of: tanh, sigmoid/],
      [0, 51, 0, 55, /^unknown layout "diag"; expected one of: column, row$/],
      [0, 59, 0, 62, /^h0 must be a finite number, or one for each hidden unit/],
      [0, 63, 0, 68, /^missing value for loss/],
    ]);
    expectErrors(csv('# bptt: weights=w.json\na,b\n1,2\n'), [[1, 0, 1, 3, /^header has no x columns; found: a, b \(name them x1 … xm, or x\)$/]]);
    expectErrors(csv('# bptt: weights=w.json\nx1,x3,y\n1,2,3\n'), [[1, 0, 1, 7, /^header has x-columns up to x3 but no "x2"/]]);
    expectErrors(csv('# bptt: weights=w.json\nx,x1,y\n1,2,3\n'), [[1, 0, 1, 6, /^header has both "x" and numbered x columns/]]);
    expectErrors(csv('# bptt: weights=w.json\nx1,X1,y\n1,2,3\n'), [[1, 3, 1, 5, /^header has more than one "X1" column/]]);
    expectErrors(csv('# bptt: weights=w.json\nx,label\n1,2\n'), [[1, 2, 1, 7, /^a "label" column is a class index for loss=cross_entropy, but the loss is squared/]]);
    expectErrors(csv('# bptt: weights=w.json loss=cross_entropy\nx,y1,y2\n1,2,3\n'), [[1, 0, 1, 7, /^loss=cross_entropy takes one class index a step: name that column "label"/]]);
    expectErrors(csv('# bptt: weights=w.json\n# only comments\n'), [[2, 0, 2, 0, /^no header row/]]);
    expectErrors(csv('# bptt: weights=w.json\nx,y\n'), [[1, 0, 1, 3, /^no data rows/]]);
    expectErrors(csv('# bptt weights=w.json\n# bptt: weights=w.json\nx\n1\n'), [[0, 0, 0, 21, /^a directive needs a colon after "bptt"/]]);
  });

  it('every problem of a row at its cell', () => {
    const text = '# bptt: weights=w.json loss=cross_entropy\nx1,x2,label\n1,,0\n1,abc,0\n1,2,1.5\n1,2\n1,2,0,9\n# bptt: phi=relu\n';
    expectErrors(csv(text), [
      [2, 2, 2, 2, /^x2 is empty; every row needs all its x values$/],
      [3, 2, 3, 5, /^x2: "abc" is not a number$/],
      [4, 4, 4, 7, /^label: "1.5" is not a class index/],
      [5, 0, 5, 3, /^row has 2 cells, but the header has 3 columns \(x1, x2, label\)$/],
      [6, 0, 6, 7, /^row has 4 cells, but the header has 3 columns/],
      [7, 0, 7, 16, /^a "# bptt:" directive must come before the header row/],
    ]);
    expectErrors(csv('# bptt: weights=w.json\nx,y1,y2\n1,2,\n'), [[2, 4, 2, 4, /^y2 is empty but other targets of this row are not/]]);
    expectErrors(csv('# bptt: weights=w.json\nx,y\n1,"2\n'), [[2, 2, 2, 4, /^unterminated quoted field/]]);
    expectErrors(csv('# bptt: weights=w.json\nx\n1\0\n'), [[2, 1, 2, 2, /looks binary/]]);
  });
});

describe('vector files: JSON', () => {
  it('reads nested x and y, null targets, inline weights with their shapes, and element positions', () => {
    const text = `{"bptt": {"phi": "softsign", "h0": [0.1, -0.1]},\n ${INLINE},\n "x": [[1, 2],\n  [3, 4], [5, 6]],\n "y": [[0.5], null,\n  [1.5]]}`;
    const s = json(text);
    assert.deepEqual(s.errors, []);
    assert.deepEqual([s.T, s.xWidth, s.yWidth], [3, 2, 1]);
    assert.deepEqual([...s.x], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...s.hasY], [1, 0, 1]);
    assert.deepEqual([s.y[0], s.y[2]], [0.5, 1.5]);
    assert.deepEqual([...s.line], [2, 3, 3]);
    const x1 = text.indexOf('[3, 4]');
    assert.deepEqual([s.rowStart[1], s.rowEnd[1]], [x1, x1 + 6]);
    assert.deepEqual([...s.yLine!], [4, -1, 5]);
    assert.deepEqual([...s.yCol!], [7, -1, 2]);
    assert.deepEqual(s.settings.h0, Float64Array.of(0.1, -0.1));
    assert.equal(s.settings.phi, 'softsign');
    assert.equal(s.weights?.kind, 'inline');
    const tensors = s.weights?.kind === 'inline' ? s.weights.tensors : [];
    assert.deepEqual(tensors.map((t) => [t.name, t.shape, [...t.data]]), [
      ['W', [2, 2], [0.5, -0.25, 0.125, 0.5]], ['V', [2, 2], [1, 0, 0, 1]], ['b', [2], [0, 0.1]], ['U', [1, 2], [1, -1]], ['c', [1], [0.2]],
    ]);
    assert.equal(s.weights?.start, text.indexOf('{"W"'));
    assert.deepEqual(s.columns, ['bptt', 'weights', 'x', 'y']);
  });

  it('a weights path (top level or in "bptt"), flat x for m = 1, and class indices for cross_entropy', () => {
    const a = json('{"weights": "m.safetensors", "x": [1, 2, 3], "y": [0.5, null, 1]}');
    assert.deepEqual(a.errors, []);
    assert.deepEqual([a.xWidth, ...a.x, a.yWidth, ...a.hasY], [1, 1, 2, 3, 1, 1, 0, 1]);
    assert.deepEqual(a.weights, { kind: 'file', path: 'm.safetensors', start: 13, end: 26, at: { start: 13, end: 26, line: 0, col: 13, endLine: 0, endCol: 26 } });
    const b = json('{"bptt": {"loss": "cross_entropy", "weights": "w.npz"}, "x": [[1], [2]], "y": [3, null]}');
    assert.deepEqual(b.errors, []);
    assert.deepEqual([...b.y], [3, NaN]);
    assert.equal(b.weights?.kind, 'file');
  });

  it('every problem at its element', () => {
    const text = `{"bptt": {"w": 1, "phi": "nope", "h0": "x"},\n "weights": {"W": [[1, 2], [3]], "b": [[1], 2]},\n "x": [[1, 2], [3], null, [4, "a"]],\n "y": [[1], [1, 2], 7, null], "z": 1}`;
    expectErrors(json(text), [
      [0, 10, 0, 13, /^"w" is a scalar-model key/],
      [0, 25, 0, 31, /^unknown phi "nope"/],
      [0, 39, 0, 42, /^h0 must be a number or an array of numbers, got the string "x"$/],
      [1, 27, 1, 28, /^weights: "W" is ragged: found 1 elements at depth 2 where the first has 2 elements$/],
      [1, 44, 1, 45, /^weights: "b" is ragged: found a number at depth 2 where the first has 1 elements$/],
      [2, 15, 2, 18, /^x\[1\] has 1 number but x\[0\] has 2; every step needs the same number of inputs$/],
      [2, 20, 2, 24, /^x\[2\] must be an array of numbers, got null$/],
      [2, 30, 2, 33, /^x\[3\]\[1\] must be a number, got the string "a"$/],
      [3, 12, 3, 18, /^y\[1\] has 2 numbers but the first target has 1/],
      [3, 20, 3, 21, /^y\[2\] is a number, but the first targets are arrays/],
      [3, 30, 3, 33, /^unknown top-level key "z"; a vector-model file has: bptt, weights, x, y$/],
    ]);
    expectErrors(json('{"weights": "w.npz", "x": [1, [2]], "y": [[1], [2], [3]]}'), [
      [0, 30, 0, 31, /^x\[1\] is an array, but x\[0\] is a number/],
      [0, 41, 0, 56, /^"y" has 3 elements but "x" has 2/],
    ]);
    expectErrors(json('{"bptt": {"loss": "cross_entropy"}, "weights": "w.npz", "x": [[1], [2]], "y": [1.5, -1]}'), [
      [0, 79, 0, 80, /^y\[0\] = 1.5 is not a class index/],
      [0, 84, 0, 85, /^y\[1\] = -1 is not a class index/],
    ]);
    expectErrors(json('{"weights": 5, "x": []}'), [
      [0, 12, 0, 13, /^"weights" must be a file name \(a string\) or an object of arrays/],
      [0, 20, 0, 22, /^empty sequence/],
    ]);
    expectErrors(json('{"weights": "w.npz", "y": [1]}'), [[0, 0, 0, 1, /^missing "x"/]]);
    expectErrors(json('{"weights": "w.npz", "x": [[1], [2]'), [[0, 35, 0, 35, /^expected "\]" to close the array, but the file ends here/]]);
    expectErrors(json('{"weights": "a", "bptt": {"weights": "b"}, "x": [[1]]}'), [[0, 26, 0, 35, /^duplicate key "weights"/]]);
  });
});

describe('vector files: the model from the file and its weights', () => {
  it('the weights, the settings and the file\'s h0 make the model', () => {
    const s = json(`{"bptt": {"phi": "sigmoid", "reduction": "mean", "h0": 0.25}, ${INLINE}, "x": [[1, 2], [3, 4]], "y": [[1], null]}`);
    const r = resolveVectorModel(s);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.model.n, r.model.m, r.model.k, r.model.phi, r.model.reduction], [2, 2, 1, 'sigmoid', 'mean']);
    assert.deepEqual([...r.model.W], [0.5, -0.25, 0.125, 0.5]);
    assert.deepEqual([...r.model.h0], [0.25, 0.25]);
    assert.deepEqual([...r.model.c], [0.2]);
  });

  it('layout=row reads the matrices transposed', () => {
    const s = json(`{"bptt": {"layout": "row"}, ${INLINE}, "x": [[1, 2]], "y": [[1]]}`.replace('"U": [[1, -1]]', '"U": [[1], [-1]]'));
    const r = resolveVectorModel(s);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([...r.model.W], [0.5, 0.125, -0.25, 0.5]);
    assert.deepEqual([...r.model.U], [1, -1]);
  });

  it('m and k against the data, classes against k, θ with cross_entropy, and h0 against n, each where the file says it', () => {
    const m = json(`{${INLINE}, "x": [[1, 2, 3]], "y": [[1]]}`);
    const rm = resolveVectorModel(m);
    assert.ok(!rm.ok);
    expectErrors(rm, [[0, 120, 0, 131, /^the data has 3 inputs a step, but the weights take m = 2 \(V is 2×2\)$/]]);
    const k = json(`{${INLINE}, "x": [[1, 2]], "y": [[1, 2]]}`);
    const rk = resolveVectorModel(k);
    assert.ok(!rk.ok);
    expectErrors(rk, [[0, 135, 0, 143, /^the data has 2 target values a step, but the weights give k = 1 outputs \(U is 1×2\)$/]]);
    const ce = parseVectorSequence('# bptt: weights=w.json loss=cross_entropy theta=sigmoid h0=1;2;3\nx1,x2,label\n1,2,0\n3,4,\n5,6,1\n', 'csv');
    const two = [{ name: 'W', shape: [2, 2], dtype: 'json', data: new Float64Array(4) }, { name: 'V', shape: [2, 2], dtype: 'json', data: new Float64Array(4) },
      { name: 'b', shape: [2], dtype: 'json', data: new Float64Array(2) }, { name: 'U', shape: [1, 2], dtype: 'json', data: new Float64Array(2) },
      { name: 'c', shape: [1], dtype: 'json', data: new Float64Array(1) }];
    const rce = resolveVectorModel(ce, two);
    assert.ok(!rce.ok);
    expectErrors(rce, [
      [0, 16, 0, 22, /^loss=cross_entropy applies softmax to the logits U·h_t \+ c itself: theta must be identity, not sigmoid$/],
      [4, 4, 4, 5, /^class 1 at step 3 is not below k = 1/],
      [0, 59, 0, 64, /^h0 has 3 values, but the weights have n = 2 hidden units/],
    ]);
  });

  it('the weights\' own problems at what named them', () => {
    const s = parseVectorSequence('# bptt: weights=w.npz\nx,y\n1,2\n', 'csv');
    const r = resolveVectorModel(s, [{ name: 'W', shape: [2, 2], dtype: '<f8', data: new Float64Array(4) }]);
    assert.ok(!r.ok);
    assert.ok(r.errors.length >= 1);
    for (const e of r.errors) {
      assert.deepEqual([e.line, e.col, e.endLine, e.endCol], [0, 16, 0, 21]);
      assert.match(e.message, /^w\.npz: /);
    }
  });
});

describe('vector files: grads= names the gradients to check', () => {
  it('CSV directive and JSON "bptt" give the path and where it is written; a non-string is located', () => {
    const c = csv('# bptt: weights=w.json grads=g.npz layout=row\nx,y\n1,2\n');
    assert.deepEqual(c.errors, []);
    assert.equal(c.grads?.path, 'g.npz');
    assert.deepEqual([c.grads?.at?.line, c.grads?.at?.col, c.grads?.at?.endCol], [0, 29, 34]);
    const j = parseVectorSequence('{"bptt": {"grads": "g.npz"}, "weights": "w.json", "x": [[1]], "y": [[2]]}', 'json');
    assert.deepEqual(j.errors, []);
    assert.deepEqual([j.grads?.path, j.grads?.at?.col, j.grads?.at?.endCol], ['g.npz', 20, 25]);
    const bad = parseVectorSequence('{"bptt": {"grads": 3}, "weights": "w.json", "x": [[1]], "y": [[2]]}', 'json');
    expectErrors(bad, [[0, 19, 0, 20, /"grads" must be the name of your gradients file \(a string\), got a number/]]);
    const none = csv('# bptt: weights=w.json\nx,y\n1,2\n');
    assert.equal(none.grads, undefined);
  });
});
