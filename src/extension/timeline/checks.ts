/**
 * The timeline's view of a CheckReport (issue 9): the strip's summary of every claim, which
 * claims are drawn over which exact series, and at which steps a drawn claim mismatches.
 * No `vscode` here: the worker thread and the tests run it too.
 */
import { FULL, close, digitsOf, tolFor, type CheckOptions, type CheckReport, type ClaimResult } from '../../check';
import type { ChecksSummary, ClaimSummary, DrawnKey } from '../../shared/protocol';

/** The exact series a claim of `quantity` is drawn over, or null when the charts do not show it. */
export function drawnKey(quantity: string): DrawnKey | null {
  return quantity === 'h' || quantity === 'yhat' || quantity === 'dL_dh' || quantity === 'dL_ds' ? quantity : null;
}

/** Per-step claims with values on a charted quantity, in report order: what SeriesWindow.claims holds. */
export function drawnClaims(report: CheckReport | undefined): { claim: number; key: DrawnKey }[] {
  const out: { claim: number; key: DrawnKey }[] = [];
  report?.claims.forEach((c, claim) => {
    const key = drawnKey(c.quantity);
    if (key && c.error === null && c.user !== null && c.exact !== null) out.push({ claim, key });
  });
  return out;
}

/** The report as the strip lists it: lines 1-based, no per-step arrays. */
export function checksSummary(report: CheckReport | undefined): ChecksSummary | null {
  if (!report || report.claims.length === 0) return null;
  const drawn = drawnClaims(report);
  const claims = report.claims.map((c, i): ClaimSummary => {
    const m = c.firstMismatch;
    const d = drawn.findIndex((x) => x.claim === i);
    return {
      quantity: c.quantity,
      source: c.source,
      line: (c.error?.line ?? c.line) + 1,
      ok: c.ok,
      error: c.error?.message ?? null,
      firstMismatch: m && { t: m.t, line: m.line === null ? null : m.line + 1, user: m.user, exact: m.exact },
      mismatches: c.mismatches,
      compared: c.compared,
      maxRelErr: c.maxRelErr,
      diagnosis: c.diagnosis.map(({ code, message }) => ({ code, message })),
      userTotal: c.userTotal,
      exactTotal: c.exactTotal,
      drawn: d >= 0 ? d : null,
    };
  });
  return { ok: report.ok, claims, drawn, recursion: report.recursion.map(({ quantity, user, exact }) => ({ quantity, user, exact })) };
}

/**
 * Steps [start, end) of `mask`: 1 where the claim's value differs from the exact one beyond the
 * engine's tolerance. A column's digits are not in the report, so a value is trusted to the
 * digits of its shortest form, which are never more than it was written with: a step marked here
 * the engine also counts, save a written trailing zero ("0.40") that lies exactly on the edge.
 */
export function fillMismatchMask(mask: Uint8Array, c: ClaimResult, options: CheckOptions, scale: number, start: number, end: number): void {
  const user = c.user;
  const exact = c.exact;
  if (!user || !exact) return;
  const tol = tolFor(options.rtol, options.atol, scale);
  for (let i = start; i < end; i++) {
    const u = user[i];
    const e = exact[i];
    // Only values that fail at full precision can fail at fewer digits.
    mask[i] = u === u && !close(u, e, FULL, tol) && (c.source !== 'column' || !close(u, e, digitsOf(String(u)), tol)) ? 1 : 0;
  }
}

/** The tolerance's scale, as the engine takes it: the largest finite |exact| over the claimed steps. */
export function claimScale(c: ClaimResult): number {
  let scale = 0;
  const { user, exact } = c;
  if (!user || !exact) return 0;
  for (let i = 0; i < exact.length; i++) {
    const a = Math.abs(exact[i]);
    if (user[i] === user[i] && a > scale && a !== Infinity) scale = a;
  }
  return scale;
}
