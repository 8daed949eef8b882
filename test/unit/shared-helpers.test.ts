import * as assert from 'assert';
import { basename } from '../../src/shared/basename';
import { formatMB, MB } from '../../src/shared/mb';

describe('basename', () => {
  it('is the last segment of a URI path, a POSIX path or a Windows file name', () => {
    assert.strictEqual(basename('/home/me/data/run.csv'), 'run.csv');
    assert.strictEqual(basename('C:\\data\\run.tsv'), 'run.tsv');
    assert.strictEqual(basename('/c:/data\\mixed/run.json'), 'run.json');
  });

  it('is the whole name when there is no separator (an untitled document)', () => {
    assert.strictEqual(basename('Untitled-1'), 'Untitled-1');
    assert.strictEqual(basename(''), '');
  });

  it('is empty for a path ending in a separator', () => {
    assert.strictEqual(basename('/data/'), '');
  });
});

describe('MB', () => {
  it('is 2^20 bytes, the unit of VS Code’s 50 MB sync limit', () => {
    assert.strictEqual(MB, 1_048_576);
  });

  it('formats whole MB', () => {
    assert.strictEqual(formatMB(50 * MB), '50 MB');
    assert.strictEqual(formatMB(50 * MB + 1), '50 MB');
    assert.strictEqual(formatMB(1_000_000), '1 MB');
    assert.strictEqual(formatMB(0), '0 MB');
  });
});
