/**
 * bptt-lens gradcheck FILE — BPTT's gradients against central finite differences, per parameter
 * and per step. Exit 0 when every check passes, 1 when any fails, 2 on bad input or usage.
 */
import { NUMERIC_KEYS, jsonNumber } from '../core';
import { GRADCHECK_DEFAULTS, MAX_ALL_STEPS, gradcheck, type Check, type GradcheckOptions, type GradcheckReport } from '../gradcheck';
import { formatNumber } from '../shared/format';
import { numberOption, toleranceOptions } from './args';
import { EXIT_CHECK_FAILED, EXIT_OK, InputError, UsageError, shown } from './errors';
import type { RunContext } from './main';
import { stdout } from './output';
import { subcommandInput } from './subcommand';

export const GRADCHECK_USAGE = `Usage: bptt-lens gradcheck FILE [options]

Compares BPTT's gradients with central finite differences of L (Richardson-extrapolated):
∂L/∂w, ∂L/∂v, ∂L/∂b, ∂L/∂u, ∂L/∂c, ∂L/∂h0, and at each step ∂L/∂s_t and ∂L/∂x_t, found by
perturbing s_t (or x_t) inside the forward recursion. Every step is checked when T ≤ ${MAX_ALL_STEPS};
above that, only the steps given with --steps. A check passes when
|analytic − numeric| ≤ atol + rtol·|numeric| (torch.autograd.gradcheck's rule), or when the
differences straddle a kink (relu at 0, abs at ŷ = y, huber at |ŷ − y| = 1): then it is flagged.

  --json          one JSON document: {"ok", "eps", "atol", "rtol", "params": {"w": {"analytic",
                  "numeric", "absErr", "relErr", "errEst", "ok", "kink"}, ...},
                  "steps": [{"t", "quantity": "dL_ds"|"dL_dx", ...the same fields}]}
  --eps E         smallest finite-difference step, relative for |p| > 1 (default ${GRADCHECK_DEFAULTS.eps})
  --atol A        absolute tolerance (default ${GRADCHECK_DEFAULTS.atol})
  --rtol R        relative tolerance (default ${GRADCHECK_DEFAULTS.rtol})
  --steps LIST    1-based steps to check, e.g. 1,5,10-20 (default: all when T ≤ ${MAX_ALL_STEPS})
  --format F      csv, tsv or json; default from FILE's extension (required for stdin, FILE = -)
  --w N ... --reduction R   model values where FILE's directive does not set them (see bptt-lens --help)

Exit status: 0 when every check passes, 1 when any fails, 2 on bad input or usage.
`;

/** "1,5,10-20" → [1, 5, 10, …, 20]: whole numbers ≥ 1, ranges ascending. */
export function parseStepList(text: string): number[] {
  const steps: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--steps: "${shown(part)}" is not a step or a range like 10-20`);
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi < lo) throw new UsageError(`--steps: "${shown(part)}" is not a range of steps ≥ 1`);
    if (hi - lo > 10_000_000) throw new UsageError(`--steps: "${shown(part)}" is too long a range`);
    for (let t = lo; t <= hi; t++) steps.push(t);
  }
  return [...new Set(steps)].sort((a, b) => a - b);
}

const positive = numberOption('eps', 'a positive number', (n) => n > 0 && Number.isFinite(n));
/** Gradcheck's own options (the shared ones are --json, --format and the model values). */
const OWN = new Map<string, (o: GradcheckOptions, value: string) => void>([
  ['eps', (o, value) => { o.eps = positive(value); }],
  ...toleranceOptions<GradcheckOptions>(),
  ['steps', (o, value) => { o.steps = parseStepList(value); }],
]);

const FIELDS = ['analytic', 'numeric', 'absErr', 'relErr', 'errEst', 'ok', 'kink'] as const;

function checkJson(c: Check): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const f of FIELDS) out[f] = typeof c[f] === 'boolean' ? c[f] : jsonNumber(c[f] as number);
  return out;
}

export function reportJson(r: GradcheckReport): string {
  const params: Record<string, unknown> = {};
  for (const k of NUMERIC_KEYS) if (r.params[k]) params[k] = checkJson(r.params[k]);
  const steps = r.steps.map((s) => ({ t: s.t, quantity: s.quantity, ...checkJson(s) }));
  return JSON.stringify({ ok: r.ok, eps: r.eps, atol: r.atol, rtol: r.rtol, params, steps }) + '\n';
}

/** At most this many step rows in the table; beyond it only failures and kinks are listed. */
const STEP_ROWS = 20;

export function reportTable(r: GradcheckReport, file: string): string {
  const f = (n: number) => formatNumber(n, 8);
  const status = (c: Check) => (c.kink ? 'kink' : c.ok ? 'ok' : 'FAIL');
  const rows: string[][] = [['', 'analytic', 'numeric', 'abs err', 'rel err', 'err est', '']];
  for (const k of NUMERIC_KEYS) {
    const c = r.params[k];
    if (c) rows.push([`∂L/∂${k}`, f(c.analytic), f(c.numeric), formatNumber(c.absErr, 2), formatNumber(c.relErr, 2), formatNumber(c.errEst, 2), status(c)]);
  }
  const listed = r.steps.length <= STEP_ROWS ? r.steps : r.steps.filter((s) => !s.ok || s.kink).slice(0, STEP_ROWS);
  for (const s of listed) {
    rows.push([`${s.quantity === 'dL_ds' ? '∂L/∂s' : '∂L/∂x'} t=${s.t}`, f(s.analytic), f(s.numeric), formatNumber(s.absErr, 2), formatNumber(s.relErr, 2), formatNumber(s.errEst, 2), status(s)]);
  }
  const widths = rows[0].map((_, k) => Math.max(...rows.map((row) => row[k].length)));
  const line = (row: string[]) => row.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ').trimEnd();
  const all = [...Object.values(r.params), ...r.steps] as Check[];
  const failed = all.filter((c) => !c.ok).length, kinks = all.filter((c) => c.kink).length;
  const out = [`${file}: T = ${r.T}, L = ${formatNumber(r.loss, 10)}; eps ${r.eps}, atol ${r.atol}, rtol ${r.rtol}`, '', ...rows.map(line)];
  if (listed.length < r.steps.length) out.push(`(${r.steps.length} step checks; only failures and kinks are listed, at most ${STEP_ROWS}; --json has all)`);
  if (r.steps.length === 0 && r.T > MAX_ALL_STEPS) out.push(`(T > ${MAX_ALL_STEPS}: steps are checked only with --steps)`);
  out.push('', `${all.length} checks: ${all.length - failed} pass, ${failed} fail${kinks > 0 ? `, ${kinks} at a kink (not failed)` : ''} — ${r.ok ? 'OK' : 'FAILED'}`);
  return out.join('\n') + '\n';
}

export async function gradcheckMain(argv: readonly string[], current: RunContext): Promise<number> {
  const input = await subcommandInput(argv, { name: 'gradcheck', usage: GRADCHECK_USAGE, own: {} as GradcheckOptions, valued: OWN }, current);
  if (!input) return EXIT_OK;
  const { options: o, parsed } = input;
  const beyond = o.own.steps?.find((t) => t > parsed.T);
  if (beyond !== undefined) throw new InputError(`bptt-lens gradcheck: --steps: step ${beyond} is beyond the last step, T = ${parsed.T}`);
  const report = gradcheck(parsed.model, parsed, o.own);
  await stdout().write(o.json ? reportJson(report) : reportTable(report, shown(o.file)));
  return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}
