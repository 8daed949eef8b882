/**
 * The catalogue of known mistakes on the vector RNN. Each is a wrong variant of the backward pass
 *
 *   ∂L/∂h_t = Uᵀ·(∂L/∂ŷ_t ⊙ θ'(z_t)) + Wᵀ·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t)      z_t = U·h_t + c
 *   ∂L/∂W = Σ_t ∂L/∂s_t·h_{t−1}ᵀ      ∂L/∂h_0 = Wᵀ·∂L/∂s_1
 *
 * run through the whole recursion (propagated), as the user's code propagated its own error. The
 * codes are the scalar catalogue's (src/check/catalogue.ts) where the mistake carries over to
 * vectors, plus the vector ones: transposed_W, transposed_outer, phi_prime_of_h.
 */
import type { PhiName, ThetaName } from '../../core/model';
import type { VectorShape } from '../../core/vector/model';

/** One way to get the backward pass wrong: each field replaces one term. */
export interface VectorForm {
  /** Factor on ∂L/∂ŷ_t. */
  dyhat?: number;
  /** What stands where θ'(z_t) belongs: φ'(z_t), or nothing. */
  local?: 'phiz' | 'none';
  noLocal?: boolean;
  noRec?: boolean;
  /** Wᵀ·∂L/∂h_{t+1} */
  recUsesH?: boolean;
  /** ∂L/∂s_{t+1} without Wᵀ */
  noW?: boolean;
  /** W·∂L/∂s_{t+1} (and W·∂L/∂s_1 for h_0) */
  recW?: boolean;
  /** Wᵀ·∂L/∂s_{t+1+recShift} */
  recShift?: number;
  /** What stands where φ'(s_t) belongs: θ'(s_t), φ'(h_t), nothing, or φ' of the step before/after. */
  state?: 'thetas' | 'phih' | 'none' | 'prev' | 'next';
  /** ∂L/∂W sums ∂L/∂s_t·h_tᵀ (h_{t−1} belongs). */
  hNow?: boolean;
  /** These totals are summed as the transposed outer product (x·∂L/∂s_tᵀ …). */
  outer?: readonly ('W' | 'V' | 'U')[];
  /** No gradient crosses t = k, 2k, … */
  trunc?: number;
}

/** What a variant's forms depend on: the shape, and the counts behind the reduction. */
export interface FormContext extends VectorShape {
  T: number;
  /** Steps with a target. */
  N: number;
  /** The factor on each ∂ℓ/∂ŷ (1 for sum). */
  scale: number;
  crossEntropy: boolean;
  phi: PhiName;
  theta: ThetaName;
}

export interface VectorEntry {
  code: string;
  message: string;
  forms: (C: FormContext) => VectorForm[];
}

const LOCAL = "Uᵀ·(∂L/∂ŷ_t ⊙ θ'(U·h_t + c))";

/** The transposed outer products that are still square (the others are shape errors, found before). */
function squareOuter(C: FormContext): VectorForm[] {
  const forms: VectorForm[] = [{ outer: ['W'] }];
  if (C.m === C.n) forms.push({ outer: ['V'] }, { outer: ['W', 'V'] });
  if (C.k === C.n) forms.push({ outer: ['U'] }, { outer: ['W', 'U'] });
  if (C.m === C.n && C.k === C.n) forms.push({ outer: ['W', 'V', 'U'] });
  return forms;
}

/** The codes, in the order a diagnosis lists equally good ones: most specific first. */
export const VECTOR_CATALOGUE: readonly VectorEntry[] = [
  { code: 'transposed_W', message: 'The recurrent term uses W·∂L/∂s_{t+1} where Wᵀ·∂L/∂s_{t+1} belongs: s_{t+1} = W·h_t + …, so the gradient flows back through Wᵀ (in row layout, ds @ Whᵀ, not ds @ Wh).', forms: () => [{ recW: true }] },
  { code: 'transposed_outer', message: '∂L/∂W is summed as h_{t−1}·∂L/∂s_tᵀ, the transpose: it is Σ_t ∂L/∂s_t·h_{t−1}ᵀ (and ∂L/∂V = Σ_t ∂L/∂s_t·x_tᵀ; in row layout h_prevᵀ @ ds).', forms: squareOuter },
  { code: 'phi_prime_of_h', message: "∂L/∂s_t uses φ'(h_t) where φ'(s_t) belongs: for tanh it is 1 − h_t², not 1 − tanh²(h_t).", forms: () => [{ state: 'phih' }] },
  { code: 'phi_prime_for_theta_prime', message: `The local term of ∂L/∂h_t uses φ' where θ'(U·h_t + c) belongs: it is ${LOCAL}, through the output activation θ.`,
    // With φ = identity this is missing_theta_prime, which names it.
    forms: (C) => (C.phi === 'identity' ? [] : [{ local: 'phiz' }]) },
  { code: 'theta_prime_for_phi_prime', message: "∂L/∂s_t uses θ' where φ'(s_t) belongs: ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t), through the state activation φ.",
    // With θ = identity (always, for cross_entropy) this is missing_phi_prime, which names it.
    forms: (C) => (C.theta === 'identity' ? [] : [{ state: 'thetas' }]) },
  { code: 'missing_recurrent_term', message: '∂L/∂h_t lacks the recurrent term Wᵀ·∂L/∂s_{t+1}: h_t also reaches the loss through s_{t+1}.', forms: () => [{ noRec: true }] },
  { code: 'missing_local_term', message: `∂L/∂h_t lacks the local term ${LOCAL}: h_t also reaches the loss through ŷ_t.`, forms: () => [{ noLocal: true }] },
  { code: 'recurrent_uses_dL_dh', message: 'The recurrent term uses Wᵀ·∂L/∂h_{t+1} where Wᵀ·∂L/∂s_{t+1} belongs: h_t enters s_{t+1}, not h_{t+1}.', forms: () => [{ recUsesH: true }] },
  { code: 'missing_w', message: 'The recurrent term lacks Wᵀ: it is Wᵀ·∂L/∂s_{t+1}, since s_{t+1} = W·h_t + V·x_{t+1} + b.', forms: () => [{ noW: true }] },
  { code: 'missing_theta_prime', message: `The local term of ∂L/∂h_t lacks ⊙ θ'(U·h_t + c): it is ${LOCAL}.`, forms: () => [{ local: 'none' }] },
  { code: 'missing_phi_prime', message: "∂L/∂s_t lacks ⊙ φ'(s_t): ∂L/∂s_t = ∂L/∂h_t ⊙ φ'(s_t), not ∂L/∂h_t (for tanh, ⊙ (1 − h_t²)).", forms: () => [{ state: 'none' }] },
  { code: 'wrong_sign', message: '∂L/∂ŷ_t has its sign flipped: for the squared loss it is ŷ_t − y_t, not y_t − ŷ_t (for cross_entropy, softmax(ŷ_t) − onehot(y_t)).', forms: () => [{ dyhat: -1 }] },
  { code: 'h_t_for_h_prev', message: '∂L/∂W sums ∂L/∂s_t·h_tᵀ where ∂L/∂s_t·h_{t−1}ᵀ belongs: W multiplies h_{t−1} in s_t.', forms: () => [{ hNow: true }] },
  {
    code: 'shifted_index',
    message: "A quantity of step t±1 is used where step t belongs (e.g. φ'(s_{t+1}) for φ'(s_t)): each factor of step t's recursion is of step t, except ∂L/∂s_{t+1} and h_{t−1}.",
    forms: () => [{ state: 'next' }, { state: 'prev' }, { recShift: 1 }],
  },
  {
    code: 'mean_vs_sum',
    message: 'Off by the number of target elements (mean vs sum): with reduction=sum, ∂L/∂ŷ_t = ∂ℓ_t/∂ŷ_t; with mean, PyTorch divides by N·k (N for cross_entropy).',
    forms: (C) => {
      const e = C.crossEntropy ? C.N : C.N * C.k;
      return e > 0 ? [{ dyhat: e }, { dyhat: 1 / e }] : [];
    },
  },
  {
    code: 'divided_by_T',
    message: 'The mean is divided by T where N, the number of steps with a target, belongs: ∂L/∂ŷ_t = ∂ℓ_t/∂ŷ_t / (N·k) (N for cross_entropy).',
    forms: (C) => {
      const perStep = C.crossEntropy ? 1 : C.k;
      return C.T > 0 && C.N > 0 && C.T !== C.N ? [{ dyhat: C.scale === 1 ? 1 / (C.T * perStep) : C.N / C.T }] : [];
    },
  },
  { code: 'factor_of_2', message: 'Off by a factor of 2: ℓ = ½‖ŷ−y‖² (squared) has ∂ℓ/∂ŷ = ŷ − y, while ‖ŷ−y‖² (mse) has 2(ŷ − y).', forms: () => [{ dyhat: 2 }, { dyhat: 0.5 }] },
  { code: 'truncated', message: 'These are the gradients of BPTT truncated to chunks of k steps (no gradient crosses t = k, 2k, …): full BPTT carries Wᵀ·∂L/∂s_{t+1} across every step.', forms: () => [] },
];

export const VECTOR_CODES: readonly string[] = VECTOR_CATALOGUE.map((e) => e.code);

export function vectorTruncatedMessage(k: number): string {
  return `These are the gradients of BPTT truncated to chunks of k = ${k} steps (no gradient crosses t = ${k}, ${2 * k}, …): full BPTT carries Wᵀ·∂L/∂s_{t+1} across every step.`;
}

/** A transposed outer product that cannot be square: the shape says it (n ≠ m, or k ≠ n). */
export function transposedShapeMessage(name: string, found: readonly number[], expected: readonly number[]): string {
  return `${name} has shape ${found.join('×')} where ${expected.join('×')} belongs: the outer product is the wrong way round (x_t·∂L/∂s_tᵀ for ∂L/∂s_t·x_tᵀ).`;
}
