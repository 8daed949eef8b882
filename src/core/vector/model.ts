/**
 * The vector RNN: a hidden state in ℝⁿ, inputs in ℝᵐ, outputs in ℝᵏ.
 *
 *   s_t = W·h_{t-1} + V·x_t + b      h_t = φ(s_t)      ŷ_t = θ(U·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * φ and θ act elementwise, with every activation the scalar model has. The scalar model is the
 * case n = m = k = 1. Matrices are row-major Float64Arrays: W[r·n + j] is W_rj, so row r of W
 * makes s_t,r. That is PyTorch's layout (`weight_hh_l0` is n×n, `weight_ih_l0` is n×m).
 */
import { LOSS_NAMES, type PhiName, type ReductionName, type ThetaName } from '../model';

/** Every elementwise loss (summed over the k outputs), plus softmax cross-entropy on the k logits. */
export const VECTOR_LOSS_NAMES = [...LOSS_NAMES, 'cross_entropy'] as const;
export type VectorLossName = (typeof VECTOR_LOSS_NAMES)[number];

/** The six parameters, by our names. PyTorch's names map onto these in src/parse/weights. */
export const VECTOR_PARAM_NAMES = ['W', 'V', 'b', 'U', 'c', 'h0'] as const;
export type VectorParamName = (typeof VECTOR_PARAM_NAMES)[number];

export interface VectorShape {
  /** hidden units */
  n: number;
  /** inputs per step */
  m: number;
  /** outputs per step (logits, for cross_entropy) */
  k: number;
}

/** The parameters, each a row-major Float64Array. */
export interface VectorWeights extends VectorShape {
  /** n×n */
  W: Float64Array;
  /** n×m */
  V: Float64Array;
  /** n */
  b: Float64Array;
  /** k×n */
  U: Float64Array;
  /** k */
  c: Float64Array;
  /** n */
  h0: Float64Array;
}

export interface VectorModel extends VectorWeights {
  phi: PhiName;
  theta: ThetaName;
  loss: VectorLossName;
  reduction: ReductionName;
}

/** The gradient of L with respect to each parameter, with that parameter's shape. */
export type VectorGrads = Record<VectorParamName, Float64Array>;

/** Rows and columns of each parameter: vectors are n×1 (or k×1). */
export function paramShape(name: VectorParamName, shape: VectorShape): [rows: number, cols: number] {
  const { n, m, k } = shape;
  switch (name) {
    case 'W': return [n, n];
    case 'V': return [n, m];
    case 'b': return [n, 1];
    case 'U': return [k, n];
    case 'c': return [k, 1];
    case 'h0': return [n, 1];
  }
}

/**
 * One sequence, row-major by step: x[i·m + j] is x_t,j with t = i + 1.
 * For elementwise losses y is T×k; for cross_entropy y is T×1 and holds the class index (0-based).
 * y is meaningful only where hasY[i] = 1.
 */
export interface VectorSequenceData {
  T: number;
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
}

/** Values per step in y: k for an elementwise loss, 1 (the class) for cross_entropy. */
export function targetWidth(loss: VectorLossName, k: number): number {
  return loss === 'cross_entropy' ? 1 : k;
}

/**
 * The factor on each ∂ℓ/∂ŷ: `sum` is 1; `mean` is as PyTorch defines it, 1/(N·k) for an
 * elementwise loss (N steps with a target, k outputs each) and 1/N for cross_entropy.
 */
export function vectorReductionScale(model: VectorModel, nTargets: number): number {
  if (model.reduction === 'sum') return 1;
  const elements = model.loss === 'cross_entropy' ? nTargets : nTargets * model.k;
  return elements > 0 ? 1 / elements : 0;
}

/** L from Σ ℓ: divided (not multiplied by the scale), so `mean` is exactly `sum` over the count. */
export function vectorReduceLoss(model: VectorModel, sumL: number, nTargets: number): number {
  if (model.reduction === 'sum') return sumL;
  const elements = model.loss === 'cross_entropy' ? nTargets : nTargets * model.k;
  return elements > 0 ? sumL / elements : 0;
}

export interface VectorTrace extends VectorSequenceData {
  model: VectorModel;
  /** T×n each. */
  s: Float64Array;
  h: Float64Array;
  /** ∂L/∂s_t; exactly 0 after the last target. */
  dL_ds: Float64Array;
  /** L, after reduction. */
  loss: number;
  grads: VectorGrads;
  nTargets: number;
  /** 1-based t of the last step with a target, or null. */
  lastTargetT: number | null;
  /** Smallest 1-based t at which any per-step value (step.ts: x, y, s, h, ŷ, ℓ_t or a gradient) is NaN or ±∞, or null. */
  firstNonFinite: number | null;
}

export type VectorPass = (model: VectorModel, data: VectorSequenceData) => VectorTrace;
