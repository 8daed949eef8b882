/**
 * The timeline protocol's vector-model parts (issue 11): what a vector trace adds to the scalar
 * messages of protocol.ts. The charts draw norms over t (‖x_t‖, ‖h_t‖, ‖∂L/∂h_t‖ and its parts,
 * ‖∂L/∂s_t‖) through the same SeriesWindow keys; the heat strip and σ_max travel beside them.
 * Pure: no `vscode`, no DOM.
 */
import type { HeatStrip } from './heatStrip';

/** The vector model and why its gradient vanishes or explodes, for the summary. */
export interface VectorInfo {
  n: number;
  m: number;
  k: number;
  phi: string;
  theta: string;
  loss: string;
  reduction: string;
  /** ‖∂L/∂P‖ (Frobenius) of each parameter. */
  gradNorms: { W: number; V: number; b: number; U: number; c: number; h0: number };
  /** ‖W‖₂. */
  normW: number;
  /** max φ' of the activation, and Pascanu et al.'s bound ‖W‖₂·max φ' (< 1: vanishing is guaranteed). */
  maxPhiPrime: number;
  pascanuBound: number;
  vanishingGuaranteed: boolean;
  /** Smallest and largest σ_max(∂s_{t+1}/∂s_t) over t = 1..T−1 (NaN for T < 2). */
  sigmaMin: number;
  sigmaMax: number;
  /** Horizons from the running product of σ_max (an upper bound on the exact ones), ratio 1e-3: median and max steps back. */
  horizonMedian: number;
  horizonMax: number;
}

/** The series only a vector window has: σ_max per point (min/max-reduced like the others), and the heat strip. */
export interface VectorWindow {
  sigma_max: Float64Array;
  log_sigma_max: Float64Array;
  heat: HeatStrip;
}

/** The selected step of a vector model: every vector the step table shows in full. */
export interface VectorStepView {
  t: number;
  T: number;
  hasTarget: boolean;
  /** σ_max of J_t = ∂s_{t+1}/∂s_t = W·diag(φ'(s_t)). */
  sigma: number;
  x: Float64Array;
  s: Float64Array;
  h: Float64Array;
  phiPrime: Float64Array;
  dL_dh_local: Float64Array;
  dL_dh_recurrent: Float64Array;
  dL_dh: Float64Array;
  dL_ds: Float64Array;
}

export interface DidSelectVectorStepMessage {
  type: 'didSelectVectorStep';
  step: VectorStepView;
  /** Whether the webview should bring the step into view (it came from the editor). */
  fromEditor: boolean;
}
