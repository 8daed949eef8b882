/**
 * What the Problems panel shows for the file's claims (issue 9): one error per failing claim, at
 * the formula (formula/value claims) or at the cell where the error enters (columns), with the
 * diagnosis; a located error for a formula that cannot be evaluated. Passing claims show nothing.
 * Pure (no `vscode`).
 */
import type { CheckReport, ClaimResult, RecursionTotal } from '../check';
import { formatNumber } from '../shared/format';
import type { Problem } from './problems';

/** Diagnostic codes besides the catalogue's: a formula that cannot be evaluated, a mistake no entry reproduces. */
export const BAD_FORMULA = 'check_bad_formula';
export const UNKNOWN_MISTAKE = 'check_failed';

const GRAD_NAMES: Record<string, string> = { dL_dw: '∂L/∂w', dL_dv: '∂L/∂v', dL_db: '∂L/∂b', dL_du: '∂L/∂u', dL_dc: '∂L/∂c', dL_dh0: '∂L/∂h0' };

/** "dL_dh is wrong from t = 8 (line 15): yours 0.2510, exact 0.06696 (7 of 8 steps differ) — phi_prime_for_theta_prime: …" */
export function claimMessage(c: ClaimResult, digits: number): string {
  const f = (n: number): string => formatNumber(n, digits);
  const m = c.firstMismatch;
  let head: string;
  if (!m) head = `${c.quantity} is wrong`;
  else if (m.t === null) head = `${c.quantity} is wrong: yours ${f(m.user)}, exact ${f(m.exact)}`;
  else {
    const where = `from t = ${m.t}${m.line === null ? '' : ` (line ${m.line + 1})`}`;
    head = `${c.quantity} is wrong ${where}: yours ${f(m.user)}, exact ${f(m.exact)} (${c.mismatches} of ${c.compared} steps differ)`;
  }
  const why = c.diagnosis.length === 0 ? 'no known mistake reproduces these values' : c.diagnosis.map((d) => `${d.code}: ${d.message}`).join(' Or ');
  return `${head} — ${why}`;
}

/** "With your recursion ∂L/∂w = 0.6787 (exact 0.1721), …" — only the totals that differ. */
export function recursionMessage(recursion: RecursionTotal[], digits: number): string | undefined {
  const f = (n: number): string => formatNumber(n, digits);
  const differ = recursion.filter((r) => !(Math.abs(r.user - r.exact) <= 1e-9 * Math.max(Math.abs(r.user), Math.abs(r.exact))));
  if (differ.length === 0) return undefined;
  return `With your recursion ${differ.map((r) => `${GRAD_NAMES[r.quantity] ?? r.quantity} = ${f(r.user)} (exact ${f(r.exact)})`).join(', ')}.`;
}

const GRADIENT_FORMULAS = new Set(['dL_dyhat', 'dL_dh', 'dL_ds']);

export function checkProblems(report: CheckReport | undefined, digits: number): Problem[] {
  if (!report) return [];
  const out: Problem[] = [];
  const recursion = recursionMessage(report.recursion, digits);
  for (const c of report.claims) {
    if (c.ok) continue;
    if (c.error) {
      const e = c.error;
      out.push({ severity: 'error', message: `check: ${e.message}`, range: { kind: 'offsets', start: e.offset, end: e.offset + Math.max(1, e.length), line: e.line }, code: BAD_FORMULA });
      continue;
    }
    // Columns: the cell where the error enters; formulas and values: the expression.
    const m = c.firstMismatch;
    const at = c.source === 'column' && m ? { start: m.offset, end: m.offset + m.length, line: m.line ?? c.line } : { start: c.offset, end: c.offset + c.length, line: c.line };
    let message = claimMessage(c, digits);
    if (recursion && c.source === 'formula' && GRADIENT_FORMULAS.has(c.quantity)) message += ` ${recursion}`;
    out.push({ severity: 'error', message, range: { kind: 'offsets', ...at }, code: c.diagnosis[0]?.code ?? UNKNOWN_MISTAKE });
  }
  return out;
}

/** "checks: 3 ✓ 1 ✗" */
export function checksSummary(report: CheckReport): string {
  const bad = report.claims.filter((c) => !c.ok).length;
  return `checks: ${report.claims.length - bad} ✓ ${bad} ✗`;
}

/** What clicking the summary does: a failing claim opens the Problems panel; all passing, the numerical check. */
export function checksCommand(report: CheckReport): { command: string; tooltip: string } {
  return report.ok
    ? { command: 'bpttLens.checkGradientsNumerically', tooltip: 'Every claim holds against exact BPTT. Click to check the gradients numerically (finite differences).' }
    : { command: 'workbench.actions.view.problems', tooltip: 'Some claims differ from exact BPTT. Click to see where and why in the Problems panel.' };
}
