/**
 * The timeline's "where the gradient goes" part on the host: runs timeline/flowData.ts for each
 * shown analysis in the worker thread (inline only when the bundle has no worker, as in unit
 * runs), forwards its progress, cancels a run a newer analysis replaced, and answers each
 * selected step with its factor, products back, horizon and heat-map window (O(512²), < 5 ms).
 * The worker keeps the flow's per-step arrays and computes the views and steps the panel shows.
 */
import type { FlowStep, FlowView, HostToWebviewMessage } from '../../shared/protocol';
import { readFlowSettings } from '../config';
import { Disposable, toDisposable } from '../dispose';
import { logError } from '../log';
import type { Analysis } from '../types';
import type { WorkerClient } from '../workerClient';
import { computeFlow, flowStep, flowView, type FlowResult } from './flowData';

/** A computed flow, wherever it is: kept by the worker (which answers a step or a view at another width), or here when there is no worker. */
interface FlowSource {
  /** Steps of the sequence. */
  T: number;
  view(width: number): Promise<FlowView>;
  /** 1-based t; null outside 1..T. */
  step(t: number): Promise<FlowStep | null>;
  forget(): void;
}

function localFlow(r: FlowResult): FlowSource {
  return {
    T: r.factor.length,
    view: (width) => Promise.resolve(flowView(r, width)),
    step: (t) => Promise.resolve(flowStep(r, t)),
    forget: () => undefined,
  };
}

function remoteFlow(worker: WorkerClient, id: number, first: FlowView, firstWidth: number): FlowSource {
  return {
    T: first.T,
    view: (width) => (width === firstWidth ? Promise.resolve(first) : worker.readFlowView(id, width)),
    step: (t) => worker.readFlowStep(id, t),
    forget: () => worker.forgetFlow(id),
  };
}

export class FlowHost extends Disposable {
  private run: { analysis: Analysis; cancel(): void } | undefined;
  private result: { analysis: Analysis; flow: FlowSource } | undefined;
  /** The step last selected, sent again once its flow arrives. */
  private lastT = 0;

  /**
   * `flowWorker`: a worker of the flow's own, not the one that computes (and keeps) the analyses,
   * so that hovers, chart windows and the next run never wait behind a flow of 10⁶ steps (~1 s),
   * and a flow can be stopped by terminating it where there is no SharedArrayBuffer for a cancel flag.
   */
  constructor(
    private readonly post: (m: HostToWebviewMessage) => void,
    private readonly flowWorker: WorkerClient | undefined,
  ) {
    super();
    this._register(
      toDisposable(() => {
        this.run?.cancel();
        this.result?.flow.forget();
      }),
    );
  }

  /** Stops the flow being computed, if any (its analysis is about to be replaced: a run of its document started). */
  cancel(): void {
    this.run?.cancel();
    this.run = undefined;
  }

  /** Computes the flow of `analysis` (unless it is the one shown or running), then sends it. */
  show(analysis: Analysis, width: number, force = false): void {
    const trace = analysis.trace;
    if (!trace) return;
    if (!force && (this.run?.analysis === analysis || this.result?.analysis === analysis)) {
      if (this.result?.analysis === analysis) this.send(analysis, this.result.flow, width);
      return;
    }
    this.run?.cancel();
    const settings = readFlowSettings(analysis.uri);
    const file = analysis.parsed.truncation;
    let job: { result: Promise<FlowSource | null>; cancel(): void };
    const flowWorker = this.flowWorker;
    if (flowWorker?.available()) {
      // A large document's sequence is in the worker that computed it: a copy goes to the flow's.
      const sequence = analysis.remote ? analysis.remote.sequence() : Promise.resolve({ x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice() });
      let cancelled = false;
      let running: { cancel(): void } | undefined;
      const result = sequence.then((data) => {
        if (cancelled) return null;
        const w = flowWorker.flow({ model: { ...trace.model }, data, file, settings, width }, (fraction) => this.post({ type: 'didProgressFlow', fraction }));
        running = w;
        return w.result.then((r) => r && remoteFlow(flowWorker, r.id, r.view, width));
      });
      job = {
        result,
        cancel: () => {
          cancelled = true;
          running?.cancel();
          // Without a shared cancel flag the flow would run to its end: its worker is stopped instead.
          if (running && typeof SharedArrayBuffer !== 'function') flowWorker.stop('flow cancelled');
        },
      };
    } else {
      job = { result: Promise.resolve().then(() => computeFlow(trace, file, settings)).then((r) => r && localFlow(r)), cancel: () => undefined };
    }
    const run = { analysis, cancel: job.cancel };
    this.run = run;
    job.result.then(
      (flow) => {
        if (this.run !== run || this.isDisposed) return flow?.forget();
        this.run = undefined;
        if (!flow) return;
        this.result?.flow.forget();
        this.result = { analysis, flow };
        this.send(analysis, flow, width);
      },
      (e: unknown) => logError('timeline flow', e),
    );
  }

  private send(analysis: Analysis, flow: FlowSource, width: number): void {
    flow.view(width).then(
      (view) => {
        if (this.result?.flow !== flow) return;
        this.post({ type: 'didComputeFlow', uri: analysis.uri.toString(), T: flow.T, flow: view });
        if (this.lastT > 0) this.select(analysis, this.lastT);
      },
      (e: unknown) => logError('timeline flow', e),
    );
  }

  /** The selected step's flow values, when the flow of `analysis` is ready. */
  select(analysis: Analysis | undefined, t: number): void {
    this.lastT = t;
    const r = this.result;
    if (!r || r.analysis !== analysis || t < 1 || t > r.flow.T) return;
    r.flow.step(t).then(
      (step) => {
        // Only the answer for the step still selected, of the flow still shown.
        if (step && this.result === r && this.lastT === t) this.post({ type: 'didSelectFlowStep', step });
      },
      (e: unknown) => logError('timeline flow step', e),
    );
  }
}
