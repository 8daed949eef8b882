/** One-line summaries of a pass (CodeLens, status bar). Pure. */
import type { Trace } from '../core';
import { formatNumber } from '../shared/format';

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
