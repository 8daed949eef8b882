/**
 * Generated vector-model files for the CLI tests: random weights (inline JSON), inputs and targets
 * for a given φ/θ/loss, with some steps left without a target.
 */
import { PHI_NAMES, THETA_NAMES, type PhiName, type ThetaName } from '../../src/core/model';
import { VECTOR_LOSS_NAMES, type VectorLossName } from '../../src/core/vector/model';
import { mulberry32 } from './reference/rng';

export interface CaseSpec {
  n: number;
  m: number;
  k: number;
  T: number;
  phi: PhiName;
  theta: ThetaName;
  loss: VectorLossName;
  reduction: 'sum' | 'mean';
  seed: number;
}

export type Weights = Record<'W' | 'V' | 'b' | 'U' | 'c' | 'h0', number[] | number[][]>;

/** The tests' seeded generator (mulberry32), under the name these cases have always used. */
export const rng = mulberry32;

export function makeCase(spec: CaseSpec): { weights: Weights; x: number[][]; y: (number[] | number | null)[] } {
  const r = rng(spec.seed);
  const u = (s: number) => (2 * r() - 1) * s;
  const { n, m, k, T } = spec;
  const mat = (rows: number, cols: number, s: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => u(s)));
  const vec = (len: number, s: number) => Array.from({ length: len }, () => u(s));
  const weights: Weights = {
    W: mat(n, n, 0.9 / Math.sqrt(n)), V: mat(n, m, 0.8), b: vec(n, 0.3), U: mat(k, n, 0.9 / Math.sqrt(n)), c: vec(k, 0.3), h0: vec(n, 0.5),
  };
  const x = Array.from({ length: T }, () => vec(m, 1));
  const y = Array.from({ length: T }, (_, i) => {
    // about one step in four has no target, and the last two never do (the backward pass starts earlier)
    if (i >= T - 2 && T > 3) return null;
    if (r() < 0.25) return null;
    if (spec.loss === 'cross_entropy') return Math.floor(r() * k);
    if (spec.loss === 'bce') return Array.from({ length: k }, () => 0.05 + 0.9 * r());
    return vec(k, 1);
  });
  return { weights, x, y };
}

export function caseText(spec: CaseSpec, c: ReturnType<typeof makeCase>): string {
  const bptt = { phi: spec.phi, theta: spec.theta, loss: spec.loss, reduction: spec.reduction };
  return `{"bptt": ${JSON.stringify(bptt)},\n "weights": ${JSON.stringify(c.weights)},\n "x": ${JSON.stringify(c.x)},\n "y": ${JSON.stringify(c.y)}}\n`;
}

/**
 * Every φ, θ and loss at each n, rotating so that each appears with several partners: bce takes
 * θ = sigmoid (its ŷ must be in (0, 1)) and cross_entropy θ = identity (it reads logits).
 */
export function caseSpecs(ns: readonly number[], Ts: readonly number[]): CaseSpec[] {
  const out: CaseSpec[] = [];
  const count = Math.max(PHI_NAMES.length, THETA_NAMES.length, VECTOR_LOSS_NAMES.length);
  ns.forEach((n, ni) => {
    for (let i = 0; i < count; i++) {
      const loss = VECTOR_LOSS_NAMES[(i + ni) % VECTOR_LOSS_NAMES.length];
      const theta = loss === 'bce' ? 'sigmoid' : loss === 'cross_entropy' ? 'identity' : THETA_NAMES[(i + 2 * ni) % THETA_NAMES.length];
      const k = loss === 'cross_entropy' ? 2 + (i % 3) : 1 + ((i + ni) % 3);
      out.push({
        n, m: 1 + ((i + 2 * ni) % 3), k, T: Ts[(i + ni) % Ts.length], phi: PHI_NAMES[i % PHI_NAMES.length], theta, loss,
        reduction: i % 2 === 0 ? 'sum' : 'mean', seed: 1000 * n + i,
      });
    }
  });
  return out;
}
