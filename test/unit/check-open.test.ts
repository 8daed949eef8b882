/**
 * Which documents are analysed on open (issue 9): a file with claims to check asks for it like
 * one with a directive, even without a `# bptt:` line.
 */
import * as assert from 'node:assert/strict';
import { mayHaveClaims } from '../../src/extension/documentFormat';

describe('check: files with claims are analysed on open', () => {
  it('a # check: line (CSV/TSV), anywhere among the comments', () => {
    assert.ok(mayHaveClaims('# check: dL_dh = dL_dyhat * u\nx,y\n1,0\n', 'csv'));
    assert.ok(mayHaveClaims('# note\n  #check:dL_dw = 1.5\nx\ty\n1\t0\n', 'tsv'));
    assert.ok(!mayHaveClaims('x,y\n# checkdL_dh\n1,0\n', 'csv'));
  });
  it('a per-step gradient column in the header, quoted or not', () => {
    assert.ok(mayHaveClaims('x,y,dL_dh\n1,0,0.5\n', 'csv'));
    assert.ok(mayHaveClaims('x\ty\t"dL_ds"\n1\t0\t0.5\n', 'tsv'));
    assert.ok(mayHaveClaims('dL_dyhat,x\n1,0\n', 'csv'));
    assert.ok(!mayHaveClaims('x,y,dL_dhx\n1,0,2\n', 'csv'));
    assert.ok(!mayHaveClaims('x,y\n1,0\n', 'csv'));
  });
  it('a "check" key or a gradient array in JSON', () => {
    assert.ok(mayHaveClaims('{"x": [1], "check": {"dL_dh": "dL_dyhat * u"}}', 'json'));
    assert.ok(mayHaveClaims('{"x": [1], "dL_ds": [0.5]}', 'json'));
    assert.ok(!mayHaveClaims('{"x": [1], "y": [0]}', 'json'));
  });
});
