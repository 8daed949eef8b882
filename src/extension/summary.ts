/** One-line summaries of a pass (CodeLens, status bar). Pure. */
import type { Trace } from '../core';
import { formatNumber } from '../shared/format';

const GRAD_ORDER = ['w', 'v', 'b', 'u', 'c', 'h0'] as const;

/** `L = 0.123  ∂L/∂w = …  ∂L/∂v = …` with every parameter gradient. */
export function gradientSummary(trace: Trace, digits: number): string {
  const f = (n: number): string => formatNumber(n, digits);
  const grads = GRAD_ORDER.map((k) => `∂L/∂${k} = ${f(trace.grads[k])}`);
  return [`L = ${f(trace.loss)}`, ...grads].join('  ·  ');
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
