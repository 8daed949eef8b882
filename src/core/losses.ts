/**
 * Per-step losses ℓ(ŷ, y), each beside its derivative ∂ℓ/∂ŷ.
 */
import type { LossName } from './model';

export const enum Loss {
  Squared = 0,
  Mse = 1,
  Abs = 2,
  Bce = 3,
  Huber = 4,
}

/** Huber's δ, as torch.nn.HuberLoss's default. */
export const HUBER_DELTA = 1;

const CODES: Record<LossName, Loss> = {
  squared: Loss.Squared,
  mse: Loss.Mse,
  abs: Loss.Abs,
  bce: Loss.Bce,
  huber: Loss.Huber,
};

export function lossCode(name: LossName): Loss {
  return CODES[name];
}

/** ℓ(ŷ, y) */
export function loss(l: Loss, yhat: number, y: number): number {
  const d = yhat - y;
  switch (l) {
    case Loss.Squared: return 0.5 * d * d;
    case Loss.Mse: return d * d;
    case Loss.Abs: return Math.abs(d);
    // Each log term is skipped when its weight is 0, so y = 1, ŷ = 1 gives 0 rather than 0·log 0 = NaN.
    case Loss.Bce: return -((y !== 0 ? y * Math.log(yhat) : 0) + (y !== 1 ? (1 - y) * Math.log(1 - yhat) : 0));
    case Loss.Huber: {
      const a = Math.abs(d);
      return a <= HUBER_DELTA ? 0.5 * d * d : HUBER_DELTA * (a - 0.5 * HUBER_DELTA);
    }
  }
  // Unreachable. Without it TurboFan merges the implicit `undefined` into the result and boxes it.
  throw new Error(`loss: unknown code ${l}`);
}

/** ∂ℓ/∂ŷ. abs'(0) = 0 (sign). */
export function dloss(l: Loss, yhat: number, y: number): number {
  const d = yhat - y;
  switch (l) {
    case Loss.Squared: return d;
    case Loss.Mse: return 2 * d;
    case Loss.Abs: return Math.sign(d);
    case Loss.Bce: return (y !== 0 ? -y / yhat : 0) + (y !== 1 ? (1 - y) / (1 - yhat) : 0);
    case Loss.Huber: return Math.abs(d) <= HUBER_DELTA ? d : HUBER_DELTA * Math.sign(d);
  }
  throw new Error(`dloss: unknown code ${l}`);
}
