/**
 * Streaming JSON in fixed memory: a 10 MB sequence parsed from bytes needs at most 16 bytes per
 * element beyond the arrays it produces. Measured in a child process (--expose-gc, and
 * --single-threaded-gc so that freed ArrayBuffers are released at once): the live memory (V8 heap +
 * external) after full collections, sampled at every 1 MB chunk and at the end, less the baseline
 * (which holds the file's bytes) and the result's typed arrays.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const child = `
const { parseSequenceBytes } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'parse'))});
const live = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.external; };
(async () => {
  const format = process.argv[1];
  const n = 450000;
  let seed = 1;
  const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5).toFixed(6);
  const parts = [];
  for (let t = 0; t < n; t++) parts.push((t % 10 === 0 ? '\\n' : '') + r());
  const text = format === 'json'
    ? '{"bptt": {"w": 0.5},\\n"x": [' + parts.join(',') + '],\\n"y": [' + parts.join(',') + ']}'
    : 'x,y\\n' + parts.map((p) => p.trim() + ',' + p.trim()).join('\\n') + '\\n';
  const bytes = Buffer.from(text);
  const chunkBytes = 1 << 20;
  const base = live();
  let peak = 0;
  async function* chunks() {
    for (let o = 0; o < bytes.length; o += chunkBytes) {
      peak = Math.max(peak, live() - base);
      yield bytes.subarray(o, o + chunkBytes);
    }
  }
  const p = await parseSequenceBytes(chunks(), format);
  peak = Math.max(peak, live() - base);
  let produced = 0;
  for (const v of Object.values(p)) if (ArrayBuffer.isView(v)) produced += v.byteLength;
  const elements = format === 'json' ? 2 * p.T : p.T;
  console.log(JSON.stringify({ T: p.T, errors: p.errors.length, MB: bytes.length / 1e6, produced, peak, beyond: (peak - produced) / elements }));
})();
`;

function measure(format: 'json' | 'csv'): { T: number; errors: number; MB: number; beyond: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--single-threaded-gc', '-e', child, format], { encoding: 'utf8' });
  return JSON.parse(out) as { T: number; errors: number; MB: number; beyond: number };
}

describe('parse: memory of the streaming readers', function () {
  this.timeout(120000);

  it('a 10 MB JSON sequence needs ≤ 16 bytes per element beyond the arrays it produces', () => {
    const m = measure('json');
    assert.equal(m.errors, 0);
    assert.equal(m.T, 450000);
    assert.ok(m.MB > 6, `${m.MB} MB`);
    assert.ok(m.beyond <= 16, `${m.beyond.toFixed(1)} bytes per element beyond the arrays`);
  });

  it('a CSV sequence stays within 24 bytes per row beyond its arrays (its line table and growth)', () => {
    const m = measure('csv');
    assert.equal(m.errors, 0);
    assert.ok(m.beyond <= 24, `${m.beyond.toFixed(1)} bytes per row beyond the arrays`);
  });
});
