/**
 * runChecks: every claim of a file against exact BPTT, with the mistake named.
 */
import type { Trace } from '../core/bptt';
import { evaluateClaim, evaluateColumn, type Evaluated } from './claims';
import { diagnose } from './diagnose';
import { exactOf } from './exact';
import { suggestFix } from './fix';
import { userRecursion } from './recursion';
import type { CheckInput, CheckOptions, CheckReport } from './types';

export function runChecks(input: CheckInput, trace: Trace, options: CheckOptions = {}): CheckReport {
  const E = exactOf(trace);
  const evaluated: Evaluated[] = [
    ...input.checks.map((c) => evaluateClaim(c, E, options, input.line)),
    ...input.claimColumns.map((c) => evaluateColumn(c, E, options, input.line)),
  ];
  if (options.diagnose !== false) diagnose(E, evaluated);
  for (const ev of evaluated) {
    if (!ev.result.ok && ev.result.error === null && ev.result.source === 'formula' && ev.source) {
      ev.result.fix = suggestFix(ev.source, E, trace.model.loss, options);
    }
  }
  const claims = evaluated.map((e) => e.result);
  return { ok: claims.every((c) => c.ok), claims, recursion: userRecursion(E, evaluated) };
}
