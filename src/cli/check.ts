/**
 * bptt-lens check FILE [--json] [--rtol R] [--atol A] — the file's claims (`# check:` formulas and
 * values, claim columns) against exact BPTT. Exit 0 when every claim holds, 1 when any fails,
 * 2 on bad input.
 */
import { dirname, resolve } from 'node:path';
import { jsonNumber, runBptt } from '../core';
import { runChecks, type CheckOptions, type CheckReport, type ClaimResult } from '../check';
import { referenceVectorBptt } from '../core/vector/reference';
import { formatNumber } from '../shared/format';
import { toleranceOptions } from './args';
import { EXIT_CHECK_FAILED, EXIT_OK, InputError, locatedErrors, shown } from './errors';
import type { RunContext } from './main';
import { stdout } from './output';
import { subcommandAnyInput, type VectorSubcommandInput } from './subcommand';
import { vectorTrace } from './vector';
import { checkGrads, scalarAsVector } from './vcheck';

export const CHECK_USAGE = `Usage: bptt-lens check FILE [--json] [--rtol R] [--atol A] [--grads GRADS] [--format csv|tsv|json] [--w N ... --reduction R]

Checks the file's claims against exact BPTT: each '# check: QUANTITY = FORMULA' line (or
"check" entry in JSON), each total given as a number, and each per-step column named
s h yhat loss dL_dyhat dL_dh dL_ds. For every claim: whether it holds, where the error
enters (the first wrong step in compute order), and which known mistake reproduces it.

  --json      {"ok", "checks": [{"quantity", "source", "line", "ok", "firstMismatch",
               "mismatches", "maxRelErr", "diagnosis": [{"code", "message"}]}]}
  --rtol R    relative tolerance (default 1e-8, never tighter)
  --atol A    absolute tolerance (default 0; a floor of 1e-9 x the column's largest value applies)
  --grads G   check the gradients in G (.npz, .safetensors, .npy or JSON; a vector-model file may
              name them itself with grads=PATH) instead: dW dV db dU dc
              dh0 and per-step dL_dh, dL_ds (T x n), or PyTorch's state-dict / a NumPy assignment's
              names (dWh dWx db dh0 dWy dby). Prints where the error enters (step and unit) and the
              known mistake that reproduces the numbers; --json {"ok", "firstMismatch",
              "diagnosis", "tensors", ...}. float32 tensors are compared at float32's precision.
  --format F, and the model values --w … --reduction where FILE's directive does not set them,
              as for bptt-lens FILE.

Exit status: 0 when every claim holds, 1 when any fails, 2 on bad input.
`;

/** The --json document: exactly the issue's shape (1-based t and line; null for totals). */
export function checkJson(report: CheckReport): unknown {
  return {
    ok: report.ok,
    checks: report.claims.map((c) => ({
      quantity: c.quantity,
      source: c.source,
      line: c.line + 1,
      ok: c.ok,
      firstMismatch: c.firstMismatch && {
        t: c.firstMismatch.t,
        line: c.firstMismatch.line === null ? null : c.firstMismatch.line + 1,
        user: jsonNumber(c.firstMismatch.user),
        exact: jsonNumber(c.firstMismatch.exact),
      },
      mismatches: c.mismatches,
      maxRelErr: jsonNumber(c.maxRelErr),
      diagnosis: c.diagnosis.map(({ code, message }) => ({ code, message })),
    })),
  };
}

const f = (n: number) => formatNumber(n, 6);
const NAMES: Record<string, string> = { dL_dw: '∂L/∂w', dL_dv: '∂L/∂v', dL_db: '∂L/∂b', dL_du: '∂L/∂u', dL_dc: '∂L/∂c', dL_dh0: '∂L/∂h0' };

function claimText(file: string, c: ClaimResult): string[] {
  const head = `${file}:${c.line + 1}: ${c.ok ? '✓' : '✗'} ${c.quantity} (${c.source})`;
  if (c.ok) return [`${head}: holds${c.compared > 1 ? ` at all ${c.compared} steps` : ''}`];
  const m = c.firstMismatch!;
  const where = m.t === null ? '' : ` at t = ${m.t}${m.line === null ? '' : ` (line ${m.line + 1})`}`;
  const out = [`${head}: wrong${where}: yours ${f(m.user)}, exact ${f(m.exact)}` + (m.t === null ? '' : `; ${c.mismatches} of ${c.compared} steps differ, largest relative error ${f(c.maxRelErr)}`)];
  if (c.diagnosis.length === 0) out.push('    no known mistake reproduces these values');
  for (const d of c.diagnosis) out.push(`    ${d.code}: ${d.message}`);
  if (c.fix) out.push(`    correct: ${c.quantity} = ${c.fix}`);
  return out;
}

interface CheckOwn extends CheckOptions {
  /** --grads: a gradients file to check instead of the file's claims. */
  grads?: string;
}

/** Check's own options: the tolerances and --grads (the shared ones are --json, --format and the model values). */
const OWN = new Map<string, (own: CheckOwn, value: string) => void>([...toleranceOptions<CheckOwn>(), ['grads', (own, value) => { own.grads = value; }]]);

export async function checkMain(argv: readonly string[], current: RunContext): Promise<number> {
  const input = await subcommandAnyInput(argv, { name: 'check', usage: CHECK_USAGE, own: {} as CheckOwn, valued: OWN }, current);
  if (!input) return EXIT_OK;
  if ('vectorText' in input) return checkVectorFile(input);
  const { options: o, parsed } = input;
  const file = o.file;
  if (o.own.grads !== undefined) return checkGrads(file, o.own.grads, referenceVectorBptt(scalarAsVector(parsed.model), parsed), o.own, o.json);
  if (parsed.checks.length === 0 && parsed.claimColumns.length === 0) {
    throw new InputError(`${shown(file)}: nothing to check: add a '# check: dL_dh = …' line or a claim column (s h yhat loss dL_dyhat dL_dh dL_ds)`);
  }
  const report = runChecks(parsed, runBptt(parsed.model, parsed), o.own);
  const errors = report.claims.flatMap((c) => (c.error ? [c.error] : []));
  if (errors.length > 0) throw new InputError(locatedErrors(file, errors));
  if (o.json) await stdout().write(JSON.stringify(checkJson(report)) + '\n');
  else {
    const lines = report.claims.flatMap((c) => claimText(shown(file), c));
    const rec = report.recursion.filter((r) => !(Math.abs(r.user - r.exact) <= 1e-9 * Math.max(Math.abs(r.user), Math.abs(r.exact))));
    if (rec.length > 0) lines.push(`with your recursion ${rec.map((r) => `${NAMES[r.quantity]} = ${f(r.user)}, exact ${f(r.exact)}`).join('; ')}`);
    const bad = report.claims.filter((c) => !c.ok).length;
    lines.push(`checks: ${report.claims.length - bad} ✓ ${bad} ✗`);
    await stdout().write(lines.join('\n') + '\n');
  }
  return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** A vector-model file is checked against a gradients file, in the file's own model and layout. */
async function checkVectorFile({ options: o, vectorText }: VectorSubcommandInput<CheckOwn>): Promise<number> {
  const r = await vectorTrace(vectorText, o, o.file);
  if (!r.trace) throw new InputError(locatedErrors(o.file, r.errors));
  // --grads wins; otherwise the file's own grads=, relative to the file as weights= is.
  const named = r.parsed.grads && resolve(o.file === '-' ? '.' : dirname(o.file), r.parsed.grads.path);
  const grads = o.own.grads ?? named;
  if (grads === undefined) throw new InputError(`${shown(o.file)}: a vector-model file is checked against a gradients file: name it with grads=PATH in the file or --grads GRADS`);
  return checkGrads(o.file, grads, r.trace, { ...o.own, layout: r.parsed.settings.layout }, o.json);
}
