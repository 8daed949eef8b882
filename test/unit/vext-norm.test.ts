import * as assert from 'assert';
import { norm2 } from '../../src/core/vector/norm';

describe('norm2 (hover, step table, summary)', () => {
  it('norm2 neither overflows nor underflows, and keeps NaN and ∞', () => {
    assert.strictEqual(norm2([3, 4]), 5);
    assert.ok(Math.abs(norm2([3e200, 4e200]) / 5e200 - 1) < 1e-15);
    assert.ok(Math.abs(norm2([3e-200, 4e-200]) / 5e-200 - 1) < 1e-15);
    assert.ok(Number.isNaN(norm2([1, NaN, Infinity])));
    assert.strictEqual(norm2([1, -Infinity]), Infinity);
    assert.strictEqual(norm2([0, -0]), 0);
    assert.strictEqual(norm2([9, 3, 4, 9], 1, 2), 5);
  });
});
