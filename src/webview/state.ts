/**
 * The webview's state, in one object handed to every panel: what it persists across reloads
 * (PersistedState, shared with the host's serializer) and what it holds from the host's messages.
 * Only those messages and the user's actions change it.
 */
import { formatNumber } from '../shared/format';
import {
  readPersistedState,
  type DidChangeSettingsMessage,
  type DidComputeTraceMessage,
  type AnyTraceSummary,
  type DidSelectStepMessage,
  type DidSelectVectorStepMessage,
  type PersistedState,
  type SeriesWindow,
  type WebviewToHostMessage,
} from '../shared/protocol';
import { gradientBands, prefersLog, type Band } from '../shared/series';

interface VsCodeApi {
  postMessage(msg: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

export const post = (m: WebviewToHostMessage): void => vscode.postMessage(m);

export class TimelineState {
  readonly persisted: PersistedState = readPersistedState(vscode.getState());
  /** Significant digits. */
  precision = 6;
  thresholds = { vanishing: 1e-6, exploding: 1e6 };
  summary: AnyTraceSummary | null = null;
  /** The whole trace, reduced to the chart width. */
  overview: SeriesWindow | null = null;
  /** What the charts currently show: the overview or a zoom window. */
  shown: SeriesWindow | null = null;
  /** Where `shown` vanishes or explodes, shaded on the charts. */
  bands: Band[] = [];
  /** Every value of the selected step, once the host sent them. */
  step: DidSelectStepMessage | null = null;
  /** The same for a vector model: every vector of the selected step. */
  vectorStep: DidSelectVectorStepMessage | null = null;

  save(): void {
    vscode.setState(this.persisted);
  }

  /** A number at the user's precision; a dash for none. */
  fmt(n: number | null | undefined): string {
    return n == null ? '—' : formatNumber(n, this.precision);
  }

  /** A threshold or a magnitude in a sentence: 3 digits. */
  sci(n: number): string {
    return formatNumber(n, 3);
  }

  isLog(): boolean {
    const s = this.summary;
    return this.persisted.log ?? (s ? prefersLog({ maxAbs: s.maxAbs_dL_ds, minAbs: s.minAbs_dL_ds }) : false);
  }

  show(w: SeriesWindow): void {
    this.shown = w;
    this.computeBands();
  }

  takeTrace(m: DidComputeTraceMessage): void {
    const s = m.summary;
    const p = this.persisted;
    // Same file, same length: an edit or a resize; keep the user's zoom and selection.
    if (p.uri !== s.uri || p.T !== s.T) {
      p.zoom = null;
      p.t = null;
      this.step = null;
      this.vectorStep = null;
    }
    // A step asked for with the panel wins; else the kept one; else the last step with a target,
    // so the table and the legends show numbers straight away.
    if (m.select !== null) p.t = Math.min(s.T, Math.max(1, m.select));
    else if (p.t === null && s.T > 0) p.t = s.lastTargetT ?? s.T;
    p.uri = s.uri;
    p.T = s.T;
    this.save();
    this.summary = s;
    this.overview = m.overview;
    this.show(m.overview);
  }

  takeStep(m: DidSelectStepMessage): void {
    this.step = m;
    this.persisted.t = m.values.t;
    this.save();
  }

  takeVectorStep(m: DidSelectVectorStepMessage): void {
    this.vectorStep = m;
    this.persisted.t = m.step.t;
    this.save();
  }

  takeSettings(m: DidChangeSettingsMessage): void {
    this.precision = m.precision;
    this.thresholds = { vanishing: m.vanishingThreshold, exploding: m.explodingThreshold };
    this.computeBands();
  }

  /** A parse failure or no trace: the document is remembered, its trace is gone. */
  clear(uri?: string): void {
    this.summary = null;
    this.overview = this.shown = null;
    this.bands = [];
    if (uri !== undefined) {
      this.persisted.uri = uri;
      this.save();
    }
  }

  private computeBands(): void {
    const { summary: s, shown: w, thresholds: th } = this;
    this.bands = s && w ? gradientBands(w.t, w.values.log_dL_ds, s.logFloor, th.vanishing, th.exploding) : [];
  }
}
