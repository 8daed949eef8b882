/**
 * Names the mistake: every catalogue variant is run (isolated for formulas, propagated for the
 * user's numbers) and compared with each failing claim under the claim's own tolerance. Each
 * variant runs once over all claims; its buffers are reused, so 10⁶ steps cost ~ms per variant.
 */
import { CATALOGUE, allocVariant, runVariant, truncatedMessage, truncationCandidates, type Form, type VariantValues } from './catalogue';
import type { Evaluated } from './claims';
import type { Exact } from './exact';
import { isTotal, type Total } from './names';
import { NO_CLAIM, close } from './tolerance';

/** Steps looked at first, from T back. */
const QUICK = 4096;

const VARIANT_OF: Record<string, keyof VariantValues | undefined> = { dL_dyhat: 'dL_dyhat', dL_dh: 'dL_dh', dL_ds: 'dL_ds', loss: 'loss' };

/** Does the variant reproduce the claim at every compared step? */
function reproduces(ev: Evaluated, v: VariantValues, tLo = 1): boolean {
  const r = ev.result;
  if (isTotal(r.quantity)) return close(r.userTotal as number, v.totals[r.quantity as Total], ev.digits![0], ev.tol);
  const key = VARIANT_OF[r.quantity];
  if (!key || !r.user) return false; // s, h, ŷ: no variant of the backward recursion changes them
  const a = v[key] as Float64Array;
  const { user } = r;
  const d = ev.digits!;
  for (let i = tLo - 1; i < user.length; i++) if (d[i] !== NO_CLAIM && !close(user[i], a[i + 1], d[i], ev.tol)) return false;
  return true;
}

export function diagnose(E: Exact, claims: Evaluated[]): void {
  const failing = claims.filter((c) => !c.result.ok && c.result.error === null);
  if (failing.length === 0) return;
  // Chunk lengths to try: from each per-step claim's first mismatch; a few small k for totals.
  const ks = new Set<number>();
  let lastTarget = E.T;
  while (lastTarget > 0 && E.hasY[lastTarget] === 0) lastTarget--;
  for (const c of failing) {
    const t = c.result.firstMismatch?.t;
    if (typeof t === 'number') for (const k of truncationCandidates(t, lastTarget)) ks.add(k);
    else for (let k = 2; k < Math.min(E.T, 65); k++) ks.add(k);
  }
  const jobs: { entry: number; form: Form; k?: number }[] = [];
  CATALOGUE.forEach((e, entry) => {
    if (e.code === 'truncated') for (const k of [...ks].sort((a, b) => a - b)) jobs.push({ entry, form: { trunc: k }, k });
    else for (const form of e.forms(E)) jobs.push({ entry, form });
  });
  const found = failing.map(() => new Map<number, number | undefined>());
  const buf = allocVariant(E.T);
  for (const propagated of [false, true]) {
    const mine = failing.map((c, i) => ({ c, i })).filter(({ c }) => c.propagated === propagated);
    if (mine.length === 0) continue;
    for (const job of jobs) {
      const todo = mine.filter(({ i }) => !found[i].has(job.entry));
      if (todo.length === 0) continue;
      // Most variants differ within the last steps: look there first, run the whole only if needed.
      const tLo = Math.max(1, E.T - QUICK);
      if (tLo > 1 && todo.every(({ c }) => !isTotal(c.result.quantity))) {
        runVariant(E, job.form, propagated, buf, tLo);
        if (!todo.some(({ c }) => reproduces(c, buf, tLo))) continue;
      }
      runVariant(E, job.form, propagated, buf);
      for (const { c, i } of todo) if (reproduces(c, buf)) found[i].set(job.entry, job.k);
    }
  }
  failing.forEach((c, i) => {
    c.result.diagnosis = [...found[i].entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([entry, k]) => {
        const { code, message } = CATALOGUE[entry];
        return k === undefined ? { code, message } : { code, message: truncatedMessage(k), k };
      });
  });
}
