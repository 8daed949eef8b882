/**
 * The host's handle on a result the worker keeps (resident.ts): steps by index or by document
 * offset, the timeline's series and windows, the export. A handle dies with its worker (then
 * every read rejects, and the store runs the document again) or when its analysis is replaced
 * (`forget`).
 */
import type { CheckReport } from '../check';
import type { Trace } from '../core';
import type { ExportFormat, SeriesWindow } from '../shared/protocol';
import type { StepAt, StepRead } from './resident';
import type { FlowSequence } from './workerProtocol';
import type { SeriesSource, SeriesStats, SummaryMeta } from './timeline/data';
import { traceSummary } from './timeline/data';

/** The requests a RemoteResult makes (WorkerClient's). */
export interface ResultChannel {
  readStep(result: number, at: StepAt): Promise<StepRead | null>;
  prepareSeries(result: number): Promise<SeriesStats>;
  readWindow(result: number, start: number, end: number, width: number): Promise<SeriesWindow>;
  exportTrace(result: number, format: ExportFormat): Promise<Uint8Array>;
  readSequence(result: number): Promise<FlowSequence>;
  forget(result: number): void;
}

export class RemoteResult {
  private series: Promise<SeriesSource> | undefined;
  private forgotten = false;

  constructor(
    private readonly channel: ResultChannel,
    /** The compute request's id: the result's name in the worker. */
    readonly id: number,
  ) {}

  /** The step `at` names (resident.ts stepIndexOf); null if none. */
  at(at: StepAt): Promise<StepRead | null> {
    return this.channel.readStep(this.id, at);
  }

  /**
   * The timeline's series of `trace` (this result's light trace: scalars only) and `checks`, prepared
   * in the worker once; their windows are reduced there too.
   */
  seriesOf(trace: Trace, checks: CheckReport | undefined): Promise<SeriesSource> {
    this.series ??= this.channel.prepareSeries(this.id).then(
      (stats): SeriesSource => ({
        summary: (meta: SummaryMeta) => traceSummary(trace, stats, checks, meta),
        window: (start, end, width) => this.channel.readWindow(this.id, start, end, width),
      }),
    );
    // Not kept when it failed: asked again, it asks the worker again.
    this.series.catch(() => (this.series = undefined));
    return this.series;
  }

  /** A copy of the sequence (x, y, hasY), for the flow's own worker. */
  sequence(): Promise<FlowSequence> {
    return this.channel.readSequence(this.id);
  }

  exportBytes(format: ExportFormat): Promise<Uint8Array> {
    return this.channel.exportTrace(this.id, format);
  }

  /** The worker may drop the result: nobody reads it any more. */
  forget(): void {
    if (this.forgotten) return;
    this.forgotten = true;
    this.channel.forget(this.id);
  }
}
