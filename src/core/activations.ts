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

// Each activation beside its derivative. The forward loop of runBptt calls these directly (one
// loop per φ); act/dact dispatch to the same functions, so both agree to the bit.
export { tanh };
export const dtanh = (a: number): number => 1 - a * a;
export const dsigmoid = (a: number): number => a * (1 - a);
export const relu = (z: number): number => (z < 0 ? 0 : z);
export const drelu = (z: number): number => (z > 0 ? 1 : z <= 0 ? 0 : NaN);
export const leakyRelu = (z: number): number => (z < 0 ? LEAKY_SLOPE * z : z);
export const dleakyRelu = (z: number): number => (z > 0 ? 1 : z <= 0 ? LEAKY_SLOPE : NaN);
/** ±∞/(1 + ∞) would be NaN; the limit is ±1. */
export const softsign = (z: number): number => (Math.abs(z) === Infinity ? Math.sign(z) : z / (1 + Math.abs(z)));
export function dsoftsign(z: number): number {
  const d = 1 + Math.abs(z);
  return 1 / (d * d);
}
export const dsoftplus = sigmoid;

/** a = f(z) */
export function act(f: Act, z: number): number {
  switch (f) {
    case Act.Tanh: return tanh(z);
    case Act.Sigmoid: return sigmoid(z);
    case Act.Relu: return relu(z);
    case Act.LeakyRelu: return leakyRelu(z);
    case Act.Identity: return z;
    case Act.Softsign: return softsign(z);
    case Act.Softplus: return softplus(z);
  }
  // Unreachable. Without it TurboFan merges the implicit `undefined` into the result and boxes it.
  throw new Error(`act: unknown code ${f}`);
}

/** f'(z), given a = f(z). relu'(0) = 0 and leaky_relu'(0) = 0.01, as in PyTorch. */
export function dact(f: Act, z: number, a: number): number {
  switch (f) {
    case Act.Tanh: return dtanh(a);
    case Act.Sigmoid: return dsigmoid(a);
    case Act.Relu: return drelu(z);
    case Act.LeakyRelu: return dleakyRelu(z);
    case Act.Identity: return 1;
    case Act.Softsign: return dsoftsign(z);
    case Act.Softplus: return dsoftplus(z);
  }
  throw new Error(`dact: unknown code ${f}`);
}
