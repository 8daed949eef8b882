import * as assert from 'assert';
import * as fc from 'fast-check';
import { readPersistedState, type PersistedState } from '../../src/shared/protocol';

const EMPTY: PersistedState = { uri: null, T: 0, zoom: null, t: null, log: null };

describe('readPersistedState', () => {
  it('keeps a well-formed state as it is', () => {
    const s: PersistedState = { uri: 'file:///a/b.csv', T: 60, zoom: [3.5, 20], t: 7, log: true };
    assert.deepStrictEqual(readPersistedState(JSON.parse(JSON.stringify(s))), s);
  });

  it('defaults what is missing or malformed, field by field', () => {
    assert.deepStrictEqual(readPersistedState(undefined), EMPTY);
    assert.deepStrictEqual(readPersistedState([1, 2]), EMPTY);
    assert.deepStrictEqual(readPersistedState({ uri: 4, T: -1, zoom: [5, 2], t: 0, log: 'yes' }), EMPTY);
    assert.deepStrictEqual(readPersistedState({ zoom: [1, Infinity] }), EMPTY);
    assert.deepStrictEqual(readPersistedState({ zoom: [1, 2, 3] }), EMPTY);
    assert.deepStrictEqual(readPersistedState({ uri: 'x', t: 2.5 }), { ...EMPTY, uri: 'x' });
  });

  it('never throws, and always returns the PersistedState shape', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const s = readPersistedState(raw);
        assert.deepStrictEqual(Object.keys(s), ['uri', 'T', 'zoom', 't', 'log']);
        assert.ok(s.zoom === null || (Number.isFinite(s.zoom[0]) && Number.isFinite(s.zoom[1]) && s.zoom[0] < s.zoom[1]));
      }),
    );
  });
});
