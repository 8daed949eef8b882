/**
 * samples/vector/numpy-row-transposedW.npz: what a NumPy student with the transposed-W bug saves
 * (np.savez of dWx dWh db dh0 dWy dby and the per-step dcurrent_h / dtanh as dL_dh, dL_ds) for the
 * sample samples/vector/numpy-row.csv, its weights samples/weights/numpy_rnn.npz and h0 = 0.
 * The sequence is read here with a plain CSV split (not src/parse), the gradients by the
 * independent student of students.ts, and written by the tests' own .npz writer.
 * Regenerate: npm run compile-tests && node -e "require('./out/test/unit/vcheck/sample').writeSample()"
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorFile } from '../../../src/parse/weights';
import { writeNpz } from '../weights/writers';
import { numpyStudent, numpyTensors, type Bug, type RowProblem } from './students';

export const ROOT = join(__dirname, '..', '..', '..', '..');
export const SAMPLES = join(ROOT, 'samples', 'vector');
export const SAMPLE_GRADS = join(SAMPLES, 'numpy-row-transposedW.npz');

/** x1..x4 and y (empty: no target) of numpy-row.csv, after its comment lines and header. */
function readRows(text: string): { xs: number[][]; ys: (number[] | null)[] } {
  const rows = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).slice(1);
  const cells = rows.map((l) => l.split(','));
  return { xs: cells.map((c) => c.slice(0, 4).map(Number)), ys: cells.map((c) => (c[4].trim() === '' ? null : [Number(c[4])])) };
}

/** The sample's problem in the student's row layout: Wx m×n, Wh n×n, Wy n×k as np.savez wrote them. */
export async function sampleProblem(): Promise<RowProblem> {
  const read = await readTensorFile(readFileSync(join(ROOT, 'samples', 'weights', 'numpy_rnn.npz')), 'numpy_rnn.npz');
  if (!read.ok) throw new Error(read.problems.map((p) => p.message).join('; '));
  const get = (name: string) => read.tensors.find((t) => t.name === name)!;
  const matrix = (name: string): number[][] => {
    const t = get(name);
    return Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])));
  };
  const b = Array.from(get('b').data);
  return { Wx: matrix('Wx'), Wh: matrix('Wh'), b, Wy: matrix('Wy'), by: Array.from(get('by').data), h0: b.map(() => 0), ...readRows(readFileSync(join(SAMPLES, 'numpy-row.csv'), 'utf8')), reduction: 'sum' };
}

/** The .npz bytes of the student's gradients with `bug`. */
export async function sampleGradsNpz(bug: Bug = 'transposed_W'): Promise<Uint8Array> {
  return writeNpz(numpyTensors(numpyStudent(await sampleProblem(), bug)));
}

export async function writeSample(): Promise<void> {
  writeFileSync(SAMPLE_GRADS, await sampleGradsNpz());
}
