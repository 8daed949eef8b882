/**
 * The two equations of the backward pass at one step, with that step's numbers: one text for
 * the editor's hover and the timeline's step table.
 *
 *     ∂L/∂h_t = ∂L/∂ŷ_t·θ'·u + w·∂L/∂s_{t+1} = local + recurrent      (∂L/∂s_{T+1} = 0)
 *     ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)
 *
 * Each surface picks its product sign and whether a negative factor is parenthesised; names and
 * numbers, and where they go, are written here once. Pure: no `vscode`, no DOM.
 */
import type { Model, StepValues } from '../core';

/** How a surface writes a product: the sign between factors, and how a factor is wrapped. */
export interface EquationStyle {
  times: string;
  factor(text: string): string;
}

/** The timeline's table: `a·b`, numbers as they are. */
export const COMPACT: EquationStyle = { times: '·', factor: (text) => text };

/** The hover: `a · (−b)`, a negative factor in parentheses so the product reads unambiguously. */
export const SPACED: EquationStyle = {
  times: ' · ',
  factor: (text) => (text.startsWith('-') || text.startsWith('−') ? `(${text})` : text),
};

export interface BackwardEquations {
  dL_dh: {
    name: string;
    /** `∂L/∂ŷ_t·θ'·u`, the local part's names. */
    local: string;
    /** `w·∂L/∂s_{t+1}`, the recurrent part's names. */
    recurrent: string;
    /** The same product with the step's numbers. */
    factors: string;
    /** `local + recurrent`, each part's value. */
    parts: string;
    value: string;
  };
  dL_ds: {
    name: string;
    /** `∂L/∂h_t·φ'(s_t)`. */
    names: string;
    factors: string;
    value: string;
  };
}

/**
 * The step's backward equations as text. `dL_ds_next` is ∂L/∂s_{t+1}, 0 at t = T;
 * `f` formats a number (the user's precision).
 */
export function backwardEquations(v: StepValues, model: Model, dL_ds_next: number, f: (n: number) => string, style: EquationStyle): BackwardEquations {
  const product = (...factors: string[]): string => factors.join(style.times);
  const n = (x: number): string => style.factor(f(x));
  return {
    dL_dh: {
      name: '∂L/∂h_t',
      local: product('∂L/∂ŷ_t', "θ'", 'u'),
      recurrent: product('w', '∂L/∂s_{t+1}'),
      factors: `${product(n(v.dL_dyhat), n(v.thetaPrime), n(model.u))} + ${product(n(model.w), n(dL_ds_next))}`,
      parts: `${f(v.dL_dh_local)} + ${n(v.dL_dh_recurrent)}`,
      value: f(v.dL_dh),
    },
    dL_ds: {
      name: '∂L/∂s_t',
      names: product('∂L/∂h_t', "φ'(s_t)"),
      factors: product(n(v.dL_dh), n(v.phiPrime)),
      value: f(v.dL_ds),
    },
  };
}
