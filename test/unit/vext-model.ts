/** Small random vector models for the extension's vector tests (seeded, so every run is the same). */
import type { LossName, PhiName, ReductionName, ThetaName } from '../../src/core/model';
import type { VectorLossName, VectorModel, VectorSequenceData } from '../../src/core/vector/model';

/** Park–Miller: deterministic and independent of Math.random. */
export function rng(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

export interface CaseSpec {
  n: number;
  m: number;
  k: number;
  T: number;
  phi: PhiName;
  theta: ThetaName;
  loss: VectorLossName | LossName;
  reduction: ReductionName;
  /** Weight scale of W (large: exploding, small: vanishing). */
  wScale?: number;
  seed?: number;
  /** 0-based steps without a target. */
  noTarget?: number[];
}

export function vectorCase(spec: CaseSpec): { model: VectorModel; data: VectorSequenceData } {
  const { n, m, k, T } = spec;
  const r = rng(spec.seed ?? 7);
  const u = (scale = 1): number => (2 * r() - 1) * scale;
  const fill = (len: number, scale = 1): Float64Array => Float64Array.from({ length: len }, () => u(scale));
  const model: VectorModel = {
    n, m, k,
    W: fill(n * n, (spec.wScale ?? 1) / Math.sqrt(n)),
    V: fill(n * m),
    b: fill(n, 0.1),
    U: fill(k * n),
    c: fill(k, 0.1),
    h0: fill(n, 0.5),
    phi: spec.phi,
    theta: spec.loss === 'cross_entropy' ? 'identity' : spec.theta,
    loss: spec.loss,
    reduction: spec.reduction,
  };
  const ce = spec.loss === 'cross_entropy';
  const yw = ce ? 1 : k;
  const hasY = new Uint8Array(T).fill(1);
  for (const i of spec.noTarget ?? []) hasY[i] = 0;
  // bce needs targets in [0, 1]; every other loss takes any real target.
  const y = Float64Array.from({ length: T * yw }, () => (ce ? Math.floor(r() * k) : spec.loss === 'bce' ? r() : u()));
  return { model, data: { T, x: fill(T * m), y, hasY } };
}
