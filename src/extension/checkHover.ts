/**
 * The claims at one step, for the hover: the user's value beside the exact one. O(1) per hover
 * after a one-time O(T) scan per claim (the column's scale, cached), so the hover stays in budget.
 * Pure (no `vscode`).
 */
import { FULL, close, digitsOf, tolFor, type CheckReport, type ClaimResult } from '../check';

export interface StepClaim {
  quantity: string;
  source: ClaimResult['source'];
  user: number;
  exact: number;
  ok: boolean;
}

/** max |exact| over the claimed steps: the engine's absolute floor scales with it (tolerance.ts). */
const scales = new WeakMap<Float64Array, number>();

function scaleOf(exact: Float64Array): number {
  let scale = scales.get(exact);
  if (scale !== undefined) return scale;
  scale = 0;
  for (let i = 0; i < exact.length; i++) {
    const a = Math.abs(exact[i]);
    if (a > scale && a !== Infinity) scale = a;
  }
  scales.set(exact, scale);
  return scale;
}

/**
 * Every per-step claim at 0-based step i, with the engine's verdict rule. A formula's value is
 * computed (full precision); a column cell's digits are those of its shortest decimal form,
 * which is how it was written unless it had trailing zeros.
 */
export function claimsAtStep(report: CheckReport | undefined, i: number, rtol: number, atol: number): StepClaim[] {
  if (!report) return [];
  const out: StepClaim[] = [];
  for (const c of report.claims) {
    if (c.error || !c.user || !c.exact || i >= c.user.length) continue;
    const user = c.user[i], exact = c.exact[i];
    if (c.source === 'column' && Number.isNaN(user) && Number.isNaN(exact)) continue; // empty cell: no claim
    const digits = c.source === 'column' ? digitsOf(String(user)) : FULL;
    out.push({ quantity: c.quantity, source: c.source, user, exact, ok: close(user, exact, digits, tolFor(rtol, atol, scaleOf(c.exact))) });
  }
  return out;
}
