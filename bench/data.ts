/**
 * The model, data and median every Node benchmark shares, so their figures are comparable:
 * bench/bptt.c hard-codes the same model and the same 32-bit LCG.
 */
import type { Model, SequenceData } from '../src/core';

export function benchModel(phi: Model['phi'] = 'tanh'): Model {
  return { w: 0.9, v: 0.5, b: 0.1, u: 1.2, c: -0.05, h0: 0, phi, theta: 'identity', loss: 'squared', reduction: 'sum' };
}

/** x_t uniform in [-2, 2), y_t in [-1, 1), one step in eight without a target. */
export function benchData(T: number): SequenceData {
  const x = new Float64Array(T);
  const y = new Float64Array(T);
  const hasY = new Uint8Array(T);
  let st = 12345;
  const lcg = (): number => (st = (Math.imul(st, 1664525) + 1013904223) >>> 0);
  for (let t = 0; t < T; t++) {
    x[t] = (lcg() / 4294967296) * 4 - 2;
    const yt = (lcg() / 4294967296) * 2 - 1;
    const has = lcg() >>> 29 !== 0;
    hasY[t] = has ? 1 : 0;
    y[t] = has ? yt : NaN;
  }
  return { x, y, hasY };
}

export function median(v: number[]): number {
  const a = [...v].sort((p, q) => p - q);
  const n = a.length;
  return n % 2 ? a[(n - 1) / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}
