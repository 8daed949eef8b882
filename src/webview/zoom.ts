/**
 * The charts' shared x range: zoom and pan, kept in the persisted state, and the window requests
 * that bring full-resolution data for a zoomed range (the overview is reduced to ≈ 2 points per
 * pixel of the whole trace).
 */
import type uPlot from 'uplot';
import type { DidLoadWindowMessage, SeriesWindow } from '../shared/protocol';
import { plotData, type Chart } from './charts';
import { post, type TimelineState } from './state';

const WINDOW_DEBOUNCE_MS = 80;

export interface ZoomHost {
  /** The charts whose x ranges move together. */
  charts(): readonly Chart[];
  /** Plot width in CSS px: what the host reduces a window to. */
  width(): number;
  /** New data in the charts (the legends show the selected step again). */
  onData(): void;
  /** A new x range, already persisted (the toolbar says which steps). */
  onRange(): void;
}

export class Zoom {
  /** Set while this class moves the charts' ranges, so their setScale hooks do not re-enter. */
  private syncing = false;
  private requestId = 0;
  private pending: { id: number; start: number; end: number } | null = null;
  private requestTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly state: TimelineState,
    private readonly host: ZoomHost,
  ) {}

  range(): [number, number] | null {
    const { min, max } = this.host.charts()[0]?.u.scales.x ?? {};
    return min != null && max != null ? [min, max] : null;
  }

  /** Sets every chart's x range without re-entering onXScale for each. */
  set(min: number, max: number): void {
    this.sync((c) => c.u.setScale('x', { min, max }));
    this.rangeChanged(min, max);
  }

  /** The setScale hook of every chart: the user dragged or uPlot reset one; the others follow. */
  onXScale(u: uPlot): void {
    if (this.syncing) return;
    const { min, max } = u.scales.x;
    if (min == null || max == null) return;
    this.sync((c) => {
      if (c.u !== u) c.u.setScale('x', { min, max });
    });
    this.rangeChanged(min, max);
  }

  /** `range`: the x range being set, when a setScale is still pending (uPlot commits in a microtask). */
  show(w: SeriesWindow, range = this.range()): void {
    this.state.show(w);
    this.sync((c) => {
      c.u.setData(plotData(c.spec, w), false);
      if (range) c.u.setScale('x', { min: range[0], max: range[1] });
    });
    this.host.onData();
  }

  /** A window the host sent: shown only if it is the one asked for last. */
  takeWindow(m: DidLoadWindowMessage): void {
    if (this.pending && m.requestId === this.pending.id) {
      this.pending = null;
      this.show(m.window);
    }
  }

  /** A new trace: windows asked for the previous one are dropped. */
  forgetRequests(): void {
    this.pending = null;
  }

  by(factor: number, center: number): void {
    const r = this.range();
    const T = this.state.summary?.T;
    if (!r || !T) return;
    const span = Math.min(T - 1, Math.max(4, (r[1] - r[0]) * factor));
    let min = center - (center - r[0]) * (span / (r[1] - r[0]));
    min = Math.min(Math.max(1, min), T - span);
    this.set(min, min + span);
  }

  pan(fraction: number): void {
    const r = this.range();
    const T = this.state.summary?.T;
    if (!r || !T) return;
    const span = r[1] - r[0];
    const min = Math.min(Math.max(1, r[0] + span * fraction), T - span);
    this.set(min, min + span);
  }

  reset(): void {
    const T = this.state.summary?.T;
    if (T) this.set(1, T);
  }

  /** Pans (keeping the zoom span) so step t is visible. */
  keepInView(t: number): void {
    const r = this.range();
    const T = this.state.summary?.T;
    if (!r || !T || (t >= r[0] && t <= r[1])) return;
    const span = r[1] - r[0];
    const min = Math.min(Math.max(1, t - span / 2), Math.max(1, T - span));
    this.set(min, min + span);
  }

  private sync(each: (c: Chart) => void): void {
    this.syncing = true;
    try {
      for (const c of this.host.charts()) each(c);
    } finally {
      this.syncing = false;
    }
  }

  /** After any zoom or pan: persist it, and show data fine enough for the new range. */
  private rangeChanged(min: number, max: number): void {
    const { summary, overview, shown } = this.state;
    if (!summary || !overview) return;
    const T = summary.T;
    const whole = min <= 1 && max >= T;
    this.state.persisted.zoom = whole ? null : [min, max];
    this.state.save();
    this.host.onRange();
    const start = Math.max(0, Math.floor(min) - 1);
    const end = Math.min(T, Math.ceil(max));
    if (whole || end <= start) {
      this.cancelRequest();
      if (shown !== overview) this.show(overview, [min, max]);
      return;
    }
    const covers = shown !== null && shown.start <= start && shown.end >= end;
    if (!covers) this.show(overview, [min, max]);
    const fineEnough = covers && (shown.full || (shown.start === start && shown.end === end));
    if (!fineEnough) this.request(start, end);
    else this.cancelRequest();
  }

  /** A window asked for an earlier range must not replace what the new range already shows. */
  private cancelRequest(): void {
    clearTimeout(this.requestTimer);
    this.pending = null;
  }

  private request(start: number, end: number): void {
    if (this.pending && this.pending.start === start && this.pending.end === end) return;
    clearTimeout(this.requestTimer);
    this.requestTimer = setTimeout(() => {
      this.pending = { id: ++this.requestId, start, end };
      post({ type: 'requestWindow', requestId: this.pending.id, start, end, width: this.host.width() });
    }, WINDOW_DEBOUNCE_MS);
  }
}
