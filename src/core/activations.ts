/**
 * Activations for φ (state) and θ (output), each forward beside its derivative.
 *
 * Derivatives take both the input z and the output a = f(z), so tanh and sigmoid reuse a
 * (tanh' = 1 − a², sigmoid' = a(1 − a)) instead of evaluating the function again.
 * NaN propagates: relu(NaN) is NaN, not 0, so a broken input never looks healthy.
 */
import type { PhiName, ThetaName } from './model';
import { tanh } from './tanh';

export const enum Act {
  Tanh = 0,
  Sigmoid = 1,
  Relu = 2,
  LeakyRelu = 3,
  Identity = 4,
  Softsign = 5,
  Softplus = 6,
}

export const LEAKY_SLOPE = 0.01;

const CODES: Record<PhiName | ThetaName, Act> = {
  tanh: Act.Tanh,
  sigmoid: Act.Sigmoid,
  relu: Act.Relu,
  leaky_relu: Act.LeakyRelu,
  identity: Act.Identity,
  softsign: Act.Softsign,
  softplus: Act.Softplus,
};

export function actCode(name: PhiName | ThetaName): Act {
  return CODES[name];
}

/** σ(z) without overflow: exp is only ever taken of a non-positive number. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + eᶻ) without overflow or loss of precision for large |z|. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** a = f(z) */
export function act(f: Act, z: number): number {
  switch (f) {
    case Act.Tanh: return tanh(z);
    case Act.Sigmoid: return sigmoid(z);
    case Act.Relu: return z < 0 ? 0 : z;
    case Act.LeakyRelu: return z < 0 ? LEAKY_SLOPE * z : z;
    case Act.Identity: return z;
    // ±∞/(1 + ∞) would be NaN; the limit is ±1.
    case Act.Softsign: return Math.abs(z) === Infinity ? Math.sign(z) : z / (1 + Math.abs(z));
    case Act.Softplus: return softplus(z);
  }
}

/** f'(z), given a = f(z). relu'(0) = 0 and leaky_relu'(0) = 0.01, as in PyTorch. */
export function dact(f: Act, z: number, a: number): number {
  switch (f) {
    case Act.Tanh: return 1 - a * a;
    case Act.Sigmoid: return a * (1 - a);
    case Act.Relu: return z > 0 ? 1 : z <= 0 ? 0 : NaN;
    case Act.LeakyRelu: return z > 0 ? 1 : z <= 0 ? LEAKY_SLOPE : NaN;
    case Act.Identity: return 1;
    case Act.Softsign: {
      const d = 1 + Math.abs(z);
      return 1 / (d * d);
    }
    case Act.Softplus: return sigmoid(z);
  }
}
