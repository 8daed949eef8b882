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

/**
 * The first run of steps, going backward from `start`, where |g| is below (vanishing) or above
 * (exploding) the threshold, with its most extreme |g|.
 */
function runBackward(dL_ds: Float64Array, start: number, kind: GradientPhenomenon, threshold: number): { from: number; to: number; extreme: number } | null {
  const inside = kind === 'vanishing' ? (a: number) => a < threshold : (a: number) => a > threshold;
  let i = start;
  while (i >= 0 && !inside(Math.abs(dL_ds[i]))) i--;
  if (i < 0) return null;
  const from = i;
  let extreme = Math.abs(dL_ds[i]);
  while (i >= 0 && inside(Math.abs(dL_ds[i]))) {
    const a = Math.abs(dL_ds[i]);
    extreme = kind === 'vanishing' ? Math.min(extreme, a) : Math.max(extreme, a);
    i--;
  }
  return { from, to: i + 1, extreme };
}

export function gradientWarnings(dL_ds: Float64Array, vanishingThreshold: number, explodingThreshold: number): GradientWarning[] {
  const out: GradientWarning[] = [];
  const last = lastNonzero(dL_ds);
  if (last < 0) return out;
  const span = (r: { from: number; to: number }): string =>
    r.from === r.to ? `at t = ${r.from + 1}` : `from t = ${r.from + 1} back to t = ${r.to + 1}`;

  // Vanishing is measured from the last step that receives any gradient: steps after it have no
  // target downstream, and a zero there is "no signal yet", not a vanished one.
  const v = vanishingThreshold > 0 ? runBackward(dL_ds, last, 'vanishing', vanishingThreshold) : null;
  if (v) {
    out.push({
      kind: 'vanishing',
      ...v,
      threshold: vanishingThreshold,
      message: `Vanishing gradient: |∂L/∂s_t| < ${formatNumber(vanishingThreshold, 3)} ${span(v)} (min ${formatNumber(v.extreme, 3)})`,
    });
  }
  const e = explodingThreshold > 0 ? runBackward(dL_ds, last, 'exploding', explodingThreshold) : null;
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
