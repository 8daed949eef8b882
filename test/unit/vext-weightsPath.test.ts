import * as assert from 'assert';
import { resolveWeightsPath } from '../../src/extension/vector/weightsPath';

describe('resolveWeightsPath (the extension refuses weights outside the workspace)', () => {
  const ws = ['/home/u/project'];
  const ok = (path: string) => ({ ok: true, path });

  it('is relative to the sequence file', () => {
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/data/seq.csv', 'model.safetensors', ws), ok('/home/u/project/data/model.safetensors'));
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/data/seq.csv', './w/m.npz', ws), ok('/home/u/project/data/w/m.npz'));
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/data/seq.csv', '../models/m.npz', ws), ok('/home/u/project/models/m.npz'));
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/data/seq.csv', 'models\\m.npz', ws), ok('/home/u/project/data/models/m.npz'));
  });

  it('accepts an absolute path inside a workspace folder, in any of several folders', () => {
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/seq.csv', '/home/u/project/m.npy', ws), ok('/home/u/project/m.npy'));
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/seq.csv', '/srv/shared/m.npy', [...ws, '/srv/shared']), ok('/srv/shared/m.npy'));
    assert.deepStrictEqual(resolveWeightsPath('/c:/ws/seq.csv', 'C:\\ws\\m.npz', ['/c:/ws']), ok('/c:/ws/m.npz'));
  });

  it('refuses a path that leaves the workspace, saying where it may be', () => {
    for (const [seq, w] of [
      ['/home/u/project/seq.csv', '../secret.npz'],
      ['/home/u/project/data/seq.csv', '../../other/m.npz'],
      ['/home/u/project/seq.csv', '/etc/passwd'],
      ['/home/u/project/seq.csv', '../project-evil/m.npz'],
      ['/home/u/project/seq.csv', '../../../../../../../m.npz'],
    ]) {
      const r = resolveWeightsPath(seq, w, ws);
      assert.strictEqual(r.ok, false, `${seq} + ${w}`);
      if (!r.ok) assert.match(r.message, new RegExp(`weights file ${w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is outside the workspace`));
    }
  });

  it('with no workspace open, only the sequence file\'s folder and below', () => {
    assert.deepStrictEqual(resolveWeightsPath('/tmp/a/seq.csv', 'sub/m.npz', []), ok('/tmp/a/sub/m.npz'));
    const r = resolveWeightsPath('/tmp/a/seq.csv', '../m.npz', []);
    assert.ok(!r.ok && r.message.includes("outside the sequence file's folder (no workspace is open)"));
  });

  it('an empty path is an error, not the folder itself', () => {
    assert.deepStrictEqual(resolveWeightsPath('/home/u/project/seq.csv', '  ', ws), { ok: false, message: 'weights= names no file' });
  });
});
