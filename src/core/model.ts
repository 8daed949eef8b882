/**
 * The scalar RNN's configuration: names, defaults and the validated Model type.
 *
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * With b = 0, u = 1, c = 0 this is the textbook model ŷ_t = θ(h_t).
 */

export const PHI_NAMES = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity', 'softsign', 'softplus'] as const;
export const THETA_NAMES = ['identity', 'sigmoid', 'tanh', 'relu', 'softplus'] as const;
export const LOSS_NAMES = ['squared', 'mse', 'abs', 'bce', 'huber'] as const;
export const REDUCTION_NAMES = ['sum', 'mean'] as const;

export type PhiName = (typeof PHI_NAMES)[number];
export type ThetaName = (typeof THETA_NAMES)[number];
export type LossName = (typeof LOSS_NAMES)[number];
export type ReductionName = (typeof REDUCTION_NAMES)[number];

export const NUMERIC_KEYS = ['w', 'v', 'b', 'u', 'c', 'h0'] as const;
export type NumericKey = (typeof NUMERIC_KEYS)[number];

/** Every key a `# bptt:` directive, a `"bptt"` object or a caller's defaults may set. */
export const MODEL_KEYS = ['w', 'v', 'b', 'u', 'c', 'h0', 'phi', 'theta', 'loss', 'reduction'] as const;
export type ModelKey = (typeof MODEL_KEYS)[number];

export interface Model {
  w: number;
  v: number;
  b: number;
  u: number;
  c: number;
  h0: number;
  phi: PhiName;
  theta: ThetaName;
  loss: LossName;
  reduction: ReductionName;
}

/** Built-in defaults: the last rung of the precedence file directive → caller defaults → built-in. */
export const BUILTIN_DEFAULTS: Readonly<Model> = Object.freeze({
  w: 1,
  v: 1,
  b: 0,
  u: 1,
  c: 0,
  h0: 0,
  phi: 'tanh',
  theta: 'identity',
  loss: 'squared',
  reduction: 'sum',
});

export const CHOICES = {
  phi: PHI_NAMES,
  theta: THETA_NAMES,
  loss: LOSS_NAMES,
  reduction: REDUCTION_NAMES,
} as const;

export function isModelKey(k: string): k is ModelKey {
  return (MODEL_KEYS as readonly string[]).includes(k);
}

export function isNumericKey(k: string): k is NumericKey {
  return (NUMERIC_KEYS as readonly string[]).includes(k);
}
