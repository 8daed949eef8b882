/**
 * The timeline's "where the gradient goes" part on the host: runs timeline/flowData.ts for each
 * shown analysis in the worker thread (inline only when the bundle has no worker, as in unit
 * runs), forwards its progress, cancels a run a newer analysis replaced, and answers each
 * selected step with its factor, products back, horizon and heat-map window (O(512²), < 5 ms).
 */
import * as vscode from 'vscode';
import type { HostToWebviewMessage } from '../../shared/protocol';
import { SECTION } from '../config';
import { Disposable, toDisposable } from '../dispose';
import { logError } from '../log';
import type { Analysis } from '../types';
import type { WorkerClient } from '../workerClient';
import { computeFlow, flowStep, flowView, type FlowResult, type FlowSettings } from './flowData';

export function readFlowSettings(scope?: vscode.Uri): FlowSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const int = (key: string, fallback: number, min: number): number => {
    const n = c.get<number>(key, fallback);
    return typeof n === 'number' && Number.isInteger(n) && n >= min ? n : fallback;
  };
  const ratio = c.get<number>('horizonRatio', 1e-3);
  return {
    horizonRatio: typeof ratio === 'number' && ratio > 0 && ratio < 1 ? ratio : 1e-3,
    lagK: int('lagK', 1000, 1),
    truncate: int('truncate', 0, 0),
    horizon: int('horizon', 0, 0),
  };
}

export class FlowHost extends Disposable {
  private run: { analysis: Analysis; cancel(): void } | undefined;
  private result: { analysis: Analysis; flow: FlowResult } | undefined;
  /** The step last selected, sent again once its flow arrives. */
  private lastT = 0;

  constructor(
    private readonly post: (m: HostToWebviewMessage) => void,
    private readonly worker: WorkerClient | undefined,
  ) {
    super();
    this._register(toDisposable(() => this.run?.cancel()));
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
    let job: { result: Promise<FlowResult | null>; cancel(): void };
    if (this.worker?.available()) {
      // A large document's sequence is in the worker already (it computed it): named, not sent.
      const data = analysis.remote ? { result: analysis.remote.id } : { x: trace.x.slice(), y: trace.y.slice(), hasY: trace.hasY.slice() };
      job = this.worker.flow({ model: { ...trace.model }, data, file, settings }, (fraction) => this.post({ type: 'didProgressFlow', fraction }));
    } else {
      job = { result: Promise.resolve().then(() => computeFlow(trace, file, settings)), cancel: () => undefined };
    }
    const run = { analysis, cancel: job.cancel };
    this.run = run;
    job.result.then(
      (flow) => {
        if (this.run !== run || this.isDisposed) return;
        this.run = undefined;
        if (!flow) return;
        this.result = { analysis, flow };
        this.send(analysis, flow, width);
      },
      (e: unknown) => logError('timeline flow', e),
    );
  }

  private send(analysis: Analysis, flow: FlowResult, width: number): void {
    this.post({ type: 'didComputeFlow', uri: analysis.uri.toString(), T: flow.factor.length, flow: flowView(flow, width) });
    if (this.lastT > 0) this.select(analysis, this.lastT);
  }

  /** The selected step's flow values, when the flow of `analysis` is ready. */
  select(analysis: Analysis | undefined, t: number): void {
    this.lastT = t;
    const r = this.result;
    if (!r || r.analysis !== analysis || t < 1 || t > r.flow.factor.length) return;
    this.post({ type: 'didSelectFlowStep', step: flowStep(r.flow, t) });
  }
}
