/** One-line summaries of a pass (CodeLens, status bar). Pure. */
import type { Grads, Trace } from '../core';
import { compareGrads, flowInputs, runHorizon, runTruncated } from '../flow';
import { formatNumber } from '../shared/format';
import { relBias } from '../shared/flowSeries';

const GRAD_ORDER = ['w', 'v', 'b', 'u', 'c', 'h0'] as const;

/** `L=0.123`, `∂L/∂w=…`, … for every parameter gradient. */
export function gradientParts(trace: Trace, digits: number): string[] {
  const f = (n: number): string => formatNumber(n, digits);
  return [`L=${f(trace.loss)}`, ...GRAD_ORDER.map((k) => `∂L/∂${k}=${f(trace.grads[k])}`)];
}

/** One compact line: `L=0.1277  ∂L/∂w=1.02  ∂L/∂v=0.009376 …` (CodeLens width is scarce). */
export function gradientSummary(trace: Trace, digits: number): string {
  return gradientParts(trace, digits).join('  ');
}

/** The status bar's short form: `BPTT L=… ∂L/∂w=…`. */
export function statusSummary(trace: Trace, digits: number): string {
  return `BPTT L=${formatNumber(trace.loss, digits)} ∂L/∂w=${formatNumber(trace.grads.w, digits)}`;
}

export function modelSummary(model: Record<string, number | string>): string {
  return Object.entries(model)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Work (steps × passes) a summary may spend on the truncated gradient on the extension host: ~10 ms. */
const TRUNCATION_WORK = 2e6;

export interface TruncatedGrads {
  kind: 'truncate' | 'horizon';
  k: number;
  grads: Grads;
}

/**
 * The gradients under truncate=k (one O(T) pass with detached chunks) or horizon=k (O(T·k)); null
 * when the run would be too long for the host (the timeline computes it on the worker).
 */
export function truncatedGrads(trace: Trace, which: { kind: 'truncate' | 'horizon'; k: number }): TruncatedGrads | null {
  if (which.kind === 'truncate') return trace.T <= TRUNCATION_WORK ? { ...which, grads: runTruncated(trace.model, trace, which.k).grads } : null;
  if (trace.T * Math.min(which.k, trace.T) > TRUNCATION_WORK) return null;
  const run = runHorizon(trace, flowInputs(trace), which.k);
  return run && { ...which, grads: run.grads };
}

/** `truncate=5: ∂L/∂w=0.1262 (−44.2 %)  ∂L/∂v=…`: each truncated gradient and its bias against the full one. */
export function truncationParts(trace: Trace, t: TruncatedGrads, digits: number): string[] {
  const cmp = compareGrads(t.grads, trace.grads);
  return GRAD_ORDER.filter((k) => k !== 'u' && k !== 'c').map((k) => `∂L/∂${k}=${formatNumber(cmp[k].truncated, digits)} (${relBias(cmp[k].relBias)})`);
}
