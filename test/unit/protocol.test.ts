import * as assert from 'assert';
import * as fc from 'fast-check';
import { MAX_PNG_DATA_URL_LENGTH, PNG_DATA_URL_PREFIX, validateWebviewMessage, type WebviewToHostMessage } from '../../src/shared/protocol';

const VALID: WebviewToHostMessage[] = [
  { type: 'ready', width: 800 },
  { type: 'didResize', width: 1 },
  { type: 'selectStep', t: 1, reveal: true },
  { type: 'selectStep', t: 1_000_000, reveal: false },
  { type: 'requestWindow', requestId: 0, start: 0, end: 10, width: 640 },
  { type: 'exportTrace', format: 'csv' },
  { type: 'exportTrace', format: 'json' },
  { type: 'savePng', dataUrl: `${PNG_DATA_URL_PREFIX}iVBORw0KGgo=` },
];

const MALFORMED: unknown[] = [
  undefined,
  null,
  0,
  'ready',
  [],
  [{ type: 'ready', width: 1 }],
  {},
  { type: 'nope' },
  { type: 'ready' },
  { type: 'ready', width: 0 },
  { type: 'ready', width: 1.5 },
  { type: 'ready', width: NaN },
  { type: 'ready', width: Infinity },
  { type: 'ready', width: '800' },
  { type: 'ready', width: 1e9 },
  { type: 'ready', width: 8, extra: 1 },
  { type: 'selectStep', t: 0, reveal: true },
  { type: 'selectStep', t: -1, reveal: true },
  { type: 'selectStep', t: 2 ** 40, reveal: true },
  { type: 'selectStep', t: 3, reveal: 'yes' },
  { type: 'requestWindow', requestId: 1, start: 10, end: 10, width: 5 },
  { type: 'requestWindow', requestId: 1, start: 10, end: 5, width: 5 },
  { type: 'requestWindow', requestId: -1, start: 0, end: 5, width: 5 },
  { type: 'requestWindow', requestId: 1, start: 0, end: 5 },
  { type: 'exportTrace', format: 'xml' },
  { type: 'exportTrace' },
  { type: 'savePng', dataUrl: 'data:image/jpeg;base64,AAAA' },
  { type: 'savePng', dataUrl: PNG_DATA_URL_PREFIX },
  { type: 'savePng', dataUrl: `${PNG_DATA_URL_PREFIX}<script>` },
  { type: 'savePng', dataUrl: `javascript:alert(1)` },
  { type: 'savePng', dataUrl: 42 },
  Object.create({ type: 'ready', width: 10 }),
  { get type() { return 'ready'; }, width: 10 },
  new Proxy({}, { ownKeys() { throw new Error('boom'); }, getOwnPropertyDescriptor() { throw new Error('boom'); } }),
];

describe('protocol: validateWebviewMessage', () => {
  it('accepts every well-formed message unchanged', () => {
    for (const m of VALID) assert.deepStrictEqual(validateWebviewMessage(m), m);
  });

  it('returns a fresh object (no aliasing of untrusted input)', () => {
    const m = { type: 'ready', width: 3 };
    assert.notStrictEqual(validateWebviewMessage(m), m);
  });

  it('rejects malformed messages', () => {
    MALFORMED.forEach((m, i) => assert.strictEqual(validateWebviewMessage(m), undefined, `MALFORMED[${i}]`));
  });

  it('rejects a PNG data URL over the size cap', () => {
    const big = PNG_DATA_URL_PREFIX + 'A'.repeat(MAX_PNG_DATA_URL_LENGTH);
    assert.strictEqual(validateWebviewMessage({ type: 'savePng', dataUrl: big }), undefined);
  });

  it('never throws on arbitrary values, and whatever passes is well-formed', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), (raw) => {
        const m = validateWebviewMessage(raw);
        if (m !== undefined) assert.ok(VALID.some((v) => v.type === m.type));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on near-miss messages: right tags, random fields', () => {
    const tag = fc.constantFrom('ready', 'didResize', 'selectStep', 'requestWindow', 'exportTrace', 'savePng', 'didSelectStep', '');
    const value = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string(), fc.constant(null), fc.constant(undefined), fc.constantFrom('csv', 'json', PNG_DATA_URL_PREFIX + 'AAAA'));
    const msg = fc.record(
      { type: tag, width: value, t: value, reveal: value, requestId: value, start: value, end: value, format: value, dataUrl: value },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(msg, (raw) => {
        const m = validateWebviewMessage(raw);
        if (m === undefined) return;
        // Whatever passes satisfies the per-type contract.
        switch (m.type) {
          case 'ready':
          case 'didResize':
            assert.ok(Number.isInteger(m.width) && m.width >= 1);
            break;
          case 'selectStep':
            assert.ok(Number.isInteger(m.t) && m.t >= 1 && typeof m.reveal === 'boolean');
            break;
          case 'requestWindow':
            assert.ok(Number.isInteger(m.start) && Number.isInteger(m.end) && m.end > m.start && m.start >= 0);
            break;
          case 'exportTrace':
            assert.ok(m.format === 'csv' || m.format === 'json');
            break;
          case 'savePng':
            assert.ok(m.dataUrl.startsWith(PNG_DATA_URL_PREFIX));
            break;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
