/**
 * The numerical gradient check as a readable markdown document: one table of the six parameters,
 * one of the checked steps (failures and kinks first when there are many). Pure (no `vscode`).
 */
import type { Check, GradcheckReport } from '../gradcheck';
import { formatNumber } from '../shared/format';

/** Rows beyond this many step checks: only failures and kinks are listed. */
const STEP_ROWS = 400;

const f = (n: number): string => formatNumber(n, 6);
const verdict = (c: Check): string => (c.kink ? '⚠ kink' : c.ok ? '✓ pass' : '✗ FAIL');
const row = (name: string, c: Check): string => `| ${name} | ${f(c.analytic)} | ${f(c.numeric)} | ${f(c.absErr)} | ${f(c.relErr)} | ${verdict(c)} |`;
const HEAD = ['| gradient | analytic (BPTT) | numeric (finite differences) | absErr | relErr | result |', '|:--|--:|--:|--:|--:|:--|'];

/** "gradcheck: 22 pass, 0 fail" (and the kinks, when any). */
export function gradcheckSummary(r: GradcheckReport): string {
  const all: Check[] = [...Object.values(r.params), ...r.steps];
  const fail = all.filter((c) => !c.ok).length;
  const kinks = all.filter((c) => c.kink).length;
  return `gradcheck: ${all.length - fail} pass, ${fail} fail` + (kinks > 0 ? ` (${kinks} near a kink, not failed)` : '');
}

export function gradcheckMarkdown(r: GradcheckReport, fileName: string): string {
  const out = [
    `# Numerical gradient check — ${fileName}`,
    '',
    `**${gradcheckSummary(r)}** · T = ${r.T} · L = ${f(r.loss)}`,
    '',
    `BPTT's gradients against central finite differences of L (Richardson-extrapolated). A check passes when |analytic − numeric| ≤ atol + rtol·|numeric| (atol = ${r.atol}, rtol = ${r.rtol}, eps = ${r.eps}: torch.autograd.gradcheck's defaults). "kink" means the differences straddle a point where L is not differentiable (relu or abs at 0): flagged, not failed.`,
    '',
    '## Parameters',
    '',
    ...HEAD,
    ...Object.entries(r.params).map(([k, c]) => row(`∂L/∂${k}`, c)),
  ];
  if (r.steps.length > 0) {
    const listed = r.steps.length <= STEP_ROWS ? r.steps : r.steps.filter((s) => !s.ok || s.kink).slice(0, STEP_ROWS);
    out.push('', '## Steps', '', 'Each step\'s ∂L/∂s_t and ∂L/∂x_t, from perturbing that step\'s s_t or x_t inside the forward recursion.', '', ...HEAD);
    out.push(...listed.map((s) => row(`${s.quantity === 'dL_ds' ? '∂L/∂s' : '∂L/∂x'} at t = ${s.t}`, s)));
    if (listed.length < r.steps.length) out.push('', `(${r.steps.length} step checks; only failures and kinks are listed.)`);
  } else if (r.T > 2000) {
    out.push('', `(T > 2000: steps are checked one at a time, from the "Check this step numerically" link in a row's hover.)`);
  }
  return out.join('\n') + '\n';
}
