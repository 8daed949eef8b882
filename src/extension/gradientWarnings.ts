/**
 * The trace's warnings (src/core/warnings.ts: dead_relu, loss_domain, vanishing, exploding) as
 * Problems on the row of the step each names. dead_relu and loss_domain are always shown (they
 * explain a silent 0 or NaN); vanishing/exploding follow the `gradientWarnings` setting.
 */
import { traceWarnings, type Trace, type WarningCode } from '../core';

export { gradientWarnings, type GradientPhenomenon, type GradientWarning } from '../core/warnings';

export interface WarningSettings {
  gradientWarnings: boolean;
  vanishingThreshold: number;
  explodingThreshold: number;
}

export interface StepWarning {
  code: WarningCode;
  severity: 'warning' | 'information';
  /** 0-based step whose row the diagnostic goes on. */
  step: number;
  message: string;
}

export function stepWarnings(trace: Trace, settings: WarningSettings): StepWarning[] {
  const on = settings.gradientWarnings;
  const all = traceWarnings(trace, { vanishing: on ? settings.vanishingThreshold : 0, exploding: on ? settings.explodingThreshold : 0 });
  return all.map((w) => ({
    code: w.code,
    severity: w.code === 'vanishing' || w.code === 'exploding' ? 'information' : 'warning',
    step: w.t - 1,
    message: w.message,
  }));
}
