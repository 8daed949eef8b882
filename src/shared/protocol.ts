/**
 * Messages between the extension host and the timeline webview: one discriminated union per
 * direction, tagged by `type`. Host → webview messages are past-tense events (`didX`) or
 * commands to the view; webview → host messages are requests. The host never trusts what the
 * webview sends: `validateWebviewMessage` checks every field and never throws.
 *
 * Conventions: `t` is the 1-based step of the math; `start`/`end` are 0-based array indices
 * [start, end). Lines and columns sent to the webview are 1-based, as people read them.
 * Pure: no `vscode`, no DOM.
 */
import type { Grads, NonFiniteOrigin, StepValues } from '../core/bptt';
import type { Model } from '../core/model';
import type { DidSelectVectorStepMessage, VectorInfo, VectorWindow } from './vectorProtocol';

export type { DidSelectVectorStepMessage, VectorInfo, VectorStepView, VectorWindow } from './vectorProtocol';

/** Every chart series the host reduces; `log_*` are log10|·| of the gradient series. */
export const SERIES_KEYS = [
  'x',
  'y',
  'yhat',
  'h',
  'dL_dh',
  'dL_dh_local',
  'dL_dh_recurrent',
  'dL_ds',
  'log_dL_dh',
  'log_dL_dh_local',
  'log_dL_dh_recurrent',
  'log_dL_ds',
  'sum_w',
  'sum_v',
] as const;
export type SeriesKey = (typeof SERIES_KEYS)[number];

/** Chart data for steps [start, end): shared x positions (t) and one value array per series, NaN = gap. */
export interface SeriesWindow {
  start: number;
  end: number;
  /** True when every step in the window has its own point (no min/max reduction). */
  full: boolean;
  t: Float64Array;
  values: Record<SeriesKey, Float64Array>;
  /** The user's values of each drawn claim (ChecksSummary.drawn, same order), reduced like `values`. */
  claims: ClaimWindow[];
  /**
   * A vector model's window: `values` hold norms over t (‖x_t‖, ‖h_t‖, ‖∂L/∂h_t‖ and its parts,
   * ‖∂L/∂s_t‖; NaN for y, ŷ and the running sums), and this holds σ_max and the heat strip.
   */
  vector?: VectorWindow;
}

/** One claim's values in a window: as claimed, and only where they mismatch (NaN elsewhere). */
export interface ClaimWindow {
  user: Float64Array;
  mismatch: Float64Array;
  /** log10|·| of both, for a gradient on the log-scale chart; null for a forward quantity. */
  log_user: Float64Array | null;
  log_mismatch: Float64Array | null;
}

/** What a claim's user series is drawn over: the exact series of the same quantity. */
export type DrawnKey = 'h' | 'yhat' | 'dL_dh' | 'dL_ds';

/** One claim of the file (`# check:` line, claim column) against exact BPTT, as the checks strip lists it. */
export interface ClaimSummary {
  quantity: string;
  source: 'formula' | 'column' | 'value';
  /** 1-based line of the claim (formula, value, or first claimed cell). */
  line: number;
  ok: boolean;
  /** Why the claim cannot be evaluated (bad formula, unknown quantity), or null. */
  error: string | null;
  /** Where the error enters; t and line (1-based) are null for a total. */
  firstMismatch: { t: number | null; line: number | null; user: number; exact: number } | null;
  mismatches: number;
  compared: number;
  maxRelErr: number;
  diagnosis: { code: string; message: string }[];
  userTotal: number | null;
  exactTotal: number | null;
  /** Index into ChecksSummary.drawn when the user's series is drawn on a chart, else null. */
  drawn: number | null;
}

export interface ChecksSummary {
  ok: boolean;
  claims: ClaimSummary[];
  /** The exact series each drawn claim is drawn over, in SeriesWindow.claims order, with its claim's index. */
  drawn: { claim: number; key: DrawnKey }[];
  /** For a formula set: the totals the user's own recursion produces. */
  recursion: { quantity: string; user: number; exact: number }[];
}

/** What every trace summary has, scalar or vector. */
export interface TraceSummaryBase {
  uri: string;
  fileName: string;
  version: number;
  T: number;
  loss: number;
  nTargets: number;
  /** 1-based t of the last step with a target (where the loss is read last), or null when none has one. */
  lastTargetT: number | null;
  firstNonFinite: number | null;
  /** Largest and smallest non-zero finite |∂L/∂s_t|, or NaN when there is none. */
  maxAbs_dL_ds: number;
  minAbs_dL_ds: number;
  /** What log10 of an exact 0 is drawn at (below every non-zero value of the trace). */
  logFloor: number;
  durationMs: number;
  /** The file's claims against exact BPTT (issue 9), or null when it states none. */
  checks: ChecksSummary | null;
}

export interface TraceSummary extends TraceSummaryBase {
  grads: Grads;
  model: Model;
  nonFiniteOrigin: NonFiniteOrigin | null;
  vector?: undefined;
}

/** A vector model's trace (issue 11): maxAbs/minAbs and logFloor are of ‖∂L/∂s_t‖. */
export interface VectorTraceSummary extends TraceSummaryBase {
  vector: VectorInfo;
}

export type AnyTraceSummary = TraceSummary | VectorTraceSummary;

export interface LocatedMessage {
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
}

// ------------------------------------------------------------------ host → webview

export interface DidComputeTraceMessage {
  type: 'didComputeTrace';
  summary: AnyTraceSummary;
  /** The whole trace reduced to about two points per pixel of chart width. */
  overview: SeriesWindow;
  /**
   * Step (1-based) to select, asked for with the panel (e.g. from a hover's "show in timeline");
   * null: the webview keeps its own selection or picks the last step with a target.
   */
  select: number | null;
}

export interface DidFailParseMessage {
  type: 'didFailParse';
  uri: string;
  fileName: string;
  errors: LocatedMessage[];
}

export interface DidClearTraceMessage {
  type: 'didClearTrace';
}

/** The selected step changed (editor cursor, or the webview's own request): everything the table shows. */
export interface DidSelectStepMessage {
  type: 'didSelectStep';
  /** With values.dL_ds_next = ∂L/∂s_{t+1} (0 at t = T), which the recurrence for ∂L/∂h_t multiplies by w. */
  values: StepValues;
  model: Model;
  /** Whether the webview should bring the step into view (it came from the editor). */
  fromEditor: boolean;
}

export interface DidLoadWindowMessage {
  type: 'didLoadWindow';
  requestId: number;
  window: SeriesWindow;
}

export interface DidChangeSettingsMessage {
  type: 'didChangeSettings';
  /** Significant digits for numbers. */
  precision: number;
  /** |∂L/∂s_t| below this is shaded as vanished, above explodingThreshold as exploded (as the diagnostics judge). */
  vanishingThreshold: number;
  explodingThreshold: number;
}

// ---- where the gradient goes (issue 10): sent after didComputeTrace, computed in the worker

type FlowParam = 'w' | 'v' | 'b' | 'h0';

export interface FlowView {
  T: number;
  /** Horizons at this ratio of |∂ℓ_τ/∂s_t| / |∂ℓ_τ/∂s_τ|. */
  ratio: number;
  horizonMedian: number;
  horizonMax: number;
  /** 1-based τ of the longest horizon, 0 with no target. */
  horizonMaxAt: number;
  nTargets: number;
  /** "saturated: φ'(s_t) < 0.01 at 37 steps; …" */
  attribution: string;
  smallest: { t: number; factor: number; phiPrime: number }[];
  /** log10|w·φ'(s_t)|, min and max per bucket of steps from t; exact zeros at `floor`. */
  factorLog: { t: Float64Array; min: Float64Array; max: Float64Array; floor: number };
  /** G(d), d = 0..K, per parameter; beyondK the exact rest; lagAt the lag holding 90 % of Σ|G|. */
  lag: { K: number; allLags: boolean; G: Record<FlowParam, Float64Array>; beyondK: Record<FlowParam, number>; total: Record<FlowParam, number>; lagAt: Record<FlowParam, number | null> };
  /** With truncate=k or horizon=k set: each gradient beside the full one, and the bias for k = 1..sweep.K. */
  truncation: {
    kind: 'truncate' | 'horizon';
    k: number;
    compare: Record<keyof Grads, { truncated: number; full: number; bias: number; relBias: number }>;
    sweep: { K: number; bias: Record<FlowParam, Float64Array> };
  } | null;
}

/** |∂ℓ_τ/∂s_t| over columns t = tFrom.. and rows τ = tauFrom.. (1-based), row-major. */
export interface FlowConnectivity {
  tFrom: number;
  tauFrom: number;
  cols: number;
  rows: number;
  values: Float64Array;
  minPositive: number;
  max: number;
}

export interface FlowStep {
  t: number;
  factor: number;
  phiPrime: number;
  /** ∂s_t/∂s_{t−d} for a few lags d. */
  products: { d: number; to: number; product: number }[];
  /** How many steps back ℓ_t reaches; null when t has no target. */
  horizon: number | null;
  connectivity: FlowConnectivity;
}

export interface DidComputeFlowMessage {
  type: 'didComputeFlow';
  uri: string;
  T: number;
  flow: FlowView;
}

export interface DidProgressFlowMessage {
  type: 'didProgressFlow';
  /** 0..1 of the gradient-by-lag pass. */
  fraction: number;
}

export interface DidSelectFlowStepMessage {
  type: 'didSelectFlowStep';
  step: FlowStep;
}

export type HostToWebviewMessage =
  | DidComputeFlowMessage
  | DidProgressFlowMessage
  | DidSelectFlowStepMessage
  | DidComputeTraceMessage
  | DidFailParseMessage
  | DidClearTraceMessage
  | DidSelectStepMessage
  | DidSelectVectorStepMessage
  | DidLoadWindowMessage
  | DidChangeSettingsMessage;

// ------------------------------------------------------------------ webview → host

export interface ReadyMessage {
  type: 'ready';
  /** Plot width in CSS px: how many buckets the host reduces to. */
  width: number;
}

export interface SelectStepMessage {
  type: 'selectStep';
  t: number;
  /** Reveal and highlight the step's line in the editor. */
  reveal: boolean;
}

export interface RequestWindowMessage {
  type: 'requestWindow';
  requestId: number;
  start: number;
  end: number;
  width: number;
}

export type ExportFormat = 'csv' | 'json';

export interface ExportTraceMessage {
  type: 'exportTrace';
  format: ExportFormat;
}

export interface SavePngMessage {
  type: 'savePng';
  dataUrl: string;
}

export interface DidResizeMessage {
  type: 'didResize';
  width: number;
}

/** Reveal claim `index` (of ChecksSummary.claims) in the editor: a claim with no step to select (a total, a bad formula). */
export interface RevealClaimMessage {
  type: 'revealClaim';
  index: number;
}

export type WebviewToHostMessage =
  | RevealClaimMessage
  | ReadyMessage
  | SelectStepMessage
  | RequestWindowMessage
  | ExportTraceMessage
  | SavePngMessage
  | DidResizeMessage;

// ------------------------------------------------------------------ persisted state

/**
 * What the webview keeps with setState across hiding and reloads; VS Code hands it back to the
 * webview (getState) and to the host's panel serializer on restore, which reopens `uri`.
 */
export interface PersistedState {
  /** The document whose trace is shown. */
  uri: string | null;
  T: number;
  /** The charts' x range, or null for every step. */
  zoom: [number, number] | null;
  /** The selected step (1-based). */
  t: number | null;
  /** Log scale for the gradient chart; null: decided by the trace's dynamic range. */
  log: boolean | null;
}

/** PersistedState as stored: written by another version of the extension, any field may be anything. */
export type StoredState = { [K in keyof PersistedState]?: unknown };

// The host's checks of what the webview sends live in validate.ts.
export {
  MAX_CLAIMS, MAX_PNG_DATA_URL_LENGTH, MAX_STEP, MAX_WIDTH, PNG_DATA_URL_PREFIX, readPersistedState, validateWebviewMessage,
} from './validate';

/** For exhaustive switches over message tags. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
