/**
 * Vanishing and exploding gradients, read off |∂L/∂s_t| going backward in time. Pure, O(T), no
 * allocation: it runs after every pass, also on 10⁶ steps.
 */
import { formatNumber } from '../shared/format';

export type GradientPhenomenon = 'vanishing' | 'exploding';

export interface GradientWarning {
  kind: GradientPhenomenon;
  /** 0-based step where the phenomenon starts, going backward (the later end of the run). */
  from: number;
  /** 0-based earliest step of the run (it continues backward down to here). */
  to: number;
  /** min |∂L/∂s_t| over the run (vanishing) or max (exploding). */
  extreme: number;
  threshold: number;
  message: string;
}

/** Latest 0-based step with a nonzero (or non-finite) gradient, or -1. */
function lastNonzero(dL_ds: Float64Array): number {
  for (let i = dL_ds.length - 1; i >= 0; i--) if (dL_ds[i] !== 0) return i;
  return -1;
}

interface Run {
  from: number;
  to: number;
  extreme: number;
}

/*
 * The first run of steps, going backward from `start`, where |g| < threshold (vanishing) or
 * |g| > threshold (exploding), with its most extreme |g|. Plain loops without closures: this runs
 * on every update of a 10⁶-step trace.
 */

function runBelow(g: Float64Array, start: number, threshold: number): Run | null {
  let i = start;
  while (i >= 0 && !(Math.abs(g[i]) < threshold)) i--;
  if (i < 0) return null;
  const from = i;
  let min = Infinity;
  for (; i >= 0; i--) {
    const a = Math.abs(g[i]);
    if (!(a < threshold)) break;
    if (a < min) min = a;
  }
  return { from, to: i + 1, extreme: min };
}

function runAbove(g: Float64Array, start: number, threshold: number): Run | null {
  let i = start;
  while (i >= 0 && !(Math.abs(g[i]) > threshold)) i--;
  if (i < 0) return null;
  const from = i;
  let max = 0;
  for (; i >= 0; i--) {
    const a = Math.abs(g[i]);
    if (!(a > threshold)) break;
    if (a > max) max = a;
  }
  return { from, to: i + 1, extreme: max };
}

export function gradientWarnings(dL_ds: Float64Array, vanishingThreshold: number, explodingThreshold: number): GradientWarning[] {
  const out: GradientWarning[] = [];
  const last = lastNonzero(dL_ds);
  if (last < 0) return out;
  const span = (r: Run): string =>
    r.from === r.to ? `at t = ${r.from + 1}` : `from t = ${r.from + 1} back to t = ${r.to + 1}`;

  // Vanishing is measured from the last step that receives any gradient: steps after it have no
  // target downstream, and a zero there is "no signal yet", not a vanished one.
  const v = vanishingThreshold > 0 ? runBelow(dL_ds, last, vanishingThreshold) : null;
  if (v) {
    out.push({
      kind: 'vanishing',
      ...v,
      threshold: vanishingThreshold,
      message: `Vanishing gradient: |∂L/∂s_t| < ${formatNumber(vanishingThreshold, 3)} ${span(v)} (min ${formatNumber(v.extreme, 3)})`,
    });
  }
  const e = explodingThreshold > 0 ? runAbove(dL_ds, last, explodingThreshold) : null;
  if (e) {
    out.push({
      kind: 'exploding',
      ...e,
      threshold: explodingThreshold,
      message: `Exploding gradient: |∂L/∂s_t| > ${formatNumber(explodingThreshold, 3)} ${span(e)} (max ${formatNumber(e.extreme, 3)})`,
    });
  }
  return out;
}
