/**
 * bptt-lens check FILE [--json] [--rtol R] [--atol A] — the file's claims (`# check:` formulas and
 * values, claim columns) against exact BPTT. Exit 0 when every claim holds, 1 when any fails,
 * 2 on bad input.
 */
import { runBptt } from '../core';
import { runChecks, type CheckReport, type ClaimResult } from '../check';
import { formatFromFileName, type ParsedSequence, type SequenceFormat } from '../parse';
import { readErrorMessage } from './errors';
import { readSequence } from './readInput';
import { formatNumber } from '../shared/format';

export const CHECK_USAGE = `Usage: bptt-lens check FILE [--json] [--rtol R] [--atol A] [--format csv|tsv|json]

Checks the file's claims against exact BPTT: each '# check: QUANTITY = FORMULA' line (or
"check" entry in JSON), each total given as a number, and each per-step column named
s h yhat loss dL_dyhat dL_dh dL_ds. For every claim: whether it holds, where the error
enters (the first wrong step in compute order), and which known mistake reproduces it.

  --json      {"ok", "checks": [{"quantity", "source", "line", "ok", "firstMismatch",
               "mismatches", "maxRelErr", "diagnosis": [{"code", "message"}]}]}
  --rtol R    relative tolerance (default 1e-8, never tighter)
  --atol A    absolute tolerance (default 0; a floor of 1e-9 x the column's largest value applies)

Exit status: 0 when every claim holds, 1 when any fails, 2 on bad input.
`;

const num = (n: number): number | string => (Number.isFinite(n) ? n : String(n));

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
        user: num(c.firstMismatch.user),
        exact: num(c.firstMismatch.exact),
      },
      mismatches: c.mismatches,
      maxRelErr: num(c.maxRelErr),
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

export async function checkMain(argv: string[]): Promise<number> {
  let file: string | undefined;
  let json = false;
  let format: SequenceFormat | undefined;
  const options: { rtol?: number; atol?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(CHECK_USAGE);
      return 0;
    }
    if (a === '--json') json = true;
    else if (a === '--rtol' || a === '--atol' || a === '--format') {
      const v = argv[++i];
      if (a === '--format') {
        if (v !== 'csv' && v !== 'tsv' && v !== 'json') return usage(`--format must be csv, tsv or json, not "${v}"`);
        format = v;
      } else {
        const n = Number(v);
        if (v === undefined || v.trim() === '' || !(n >= 0) || !Number.isFinite(n)) return usage(`${a} must be a number ≥ 0, not "${v}"`);
        options[a === '--rtol' ? 'rtol' : 'atol'] = n;
      }
    } else if (a.startsWith('--')) return usage(`unknown option ${a}`);
    else if (file !== undefined) return usage('only one FILE may be given');
    else file = a;
  }
  if (file === undefined) return usage('no FILE given');
  format ??= formatFromFileName(file);
  if (format === undefined) return usage(`cannot tell the format of "${file}" from its extension; use --format csv|tsv|json`);
  let parsed: ParsedSequence;
  try {
    parsed = await readSequence(file, format, {});
  } catch (e) {
    process.stderr.write(`${readErrorMessage(file, e)}\n`);
    return 2;
  }
  if (parsed.errors.length > 0) {
    for (const e of parsed.errors) process.stderr.write(`${file}:${e.line + 1}:${e.col + 1}: ${e.message}\n`);
    return 2;
  }
  if (parsed.checks.length === 0 && parsed.claimColumns.length === 0) {
    process.stderr.write(`${file}: nothing to check: add a '# check: dL_dh = …' line or a claim column (${'s h yhat loss dL_dyhat dL_dh dL_ds'})\n`);
    return 2;
  }
  const report = runChecks(parsed, runBptt(parsed.model, parsed), options);
  const errors = report.claims.filter((c) => c.error);
  if (errors.length > 0) {
    for (const c of errors) process.stderr.write(`${file}:${c.error!.line + 1}:${c.error!.col + 1}: ${c.error!.message}\n`);
    return 2;
  }
  if (json) process.stdout.write(JSON.stringify(checkJson(report)) + '\n');
  else {
    const lines = report.claims.flatMap((c) => claimText(file!, c));
    const rec = report.recursion.filter((r) => !(Math.abs(r.user - r.exact) <= 1e-9 * Math.max(Math.abs(r.user), Math.abs(r.exact))));
    if (rec.length > 0) lines.push(`with your recursion ${rec.map((r) => `${NAMES[r.quantity]} = ${f(r.user)}, exact ${f(r.exact)}`).join('; ')}`);
    const bad = report.claims.filter((c) => !c.ok).length;
    lines.push(`checks: ${report.claims.length - bad} ✓ ${bad} ✗`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.ok ? 0 : 1;
}

function usage(message: string): number {
  process.stderr.write(`bptt-lens check: ${message}\n\n${CHECK_USAGE}`);
  return 2;
}
