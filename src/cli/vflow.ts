/**
 * bptt-lens flow FILE on a vector-model file: why the gradient vanishes or explodes, from the
 * Jacobians J_t = ∂s_{t+1}/∂s_t = W·diag(φ'(s_t)) (src/flow/vector). --json prints vectorFlow's
 * object as it is: {"n", "T", "factors": [σ_max(J_t)…], "method", "normW", "pascanu", "horizons",
 * "horizonBound", "attribution"}; a NaN or ±∞ σ_max is written as a string, as the scalar flow does.
 */
import { jsonNumber } from '../core';
import { vectorFlow, type VectorFlow } from '../flow/vector';
import { formatNumber } from '../shared/format';
import { InputError, locatedErrors, shown } from './errors';
import { stdout } from './output';
import { vectorTrace } from './vector';
import type { CommandOptions } from './args';

export async function flowVectorFile(o: CommandOptions<{ ratio: number; K?: number }>, text: string): Promise<number> {
  if (o.own.K !== undefined) throw new InputError(`${shown(o.file)}: --K (the gradient by lag) is for the scalar model; a vector-model file's flow has σ_max per step and the horizons`);
  const r = await vectorTrace(text, o, o.file);
  if (!r.trace) throw new InputError(locatedErrors(o.file, r.errors));
  const flow = vectorFlow(r.trace, { ratio: o.own.ratio });
  await stdout().write(o.json ? JSON.stringify(flow, (_k, v: unknown) => (typeof v === 'number' ? jsonNumber(v) : v)) + '\n' : vectorFlowText(flow, shown(o.file)));
  return 0;
}

export function vectorFlowText(flow: VectorFlow, file: string): string {
  const f = (n: number) => formatNumber(n, 4);
  const p = flow.pascanu;
  const hz = flow.horizons;
  const out = [
    `${file}: T = ${flow.T}, n = ${flow.n}; J_t = ∂s_{t+1}/∂s_t = W·diag(φ'(s_t)), σ_max ${flow.method === 'exact' ? 'exact' : 'by power iteration'}`,
    '',
    `‖W‖₂ = ${f(flow.normW)}; ‖W‖₂·max φ' = ${f(p.bound)}: ${p.guaranteedVanishing ? 'below 1, so the gradient is guaranteed to vanish (Pascanu et al. 2013)' : 'not below 1, so vanishing is not guaranteed by the bound'}`,
    `per step: ${flow.attribution.text}`,
  ];
  const small = flow.attribution.smallest.slice(0, 5).map((s) => `t=${s.t} (${f(s.sigma)})`);
  if (small.length) out.push(`  smallest σ_max: ${small.join(', ')}`);
  const large = flow.attribution.largest.slice(0, 5).map((s) => `t=${s.t} (${f(s.sigma)})`);
  if (large.length) out.push(`  largest σ_max: ${large.join(', ')}`);
  const sample = hz.evaluated < hz.nTargets ? ` (an evenly spread ${hz.evaluated} of ${hz.nTargets} targets)` : '';
  out.push(`horizons (‖∂ℓ_τ/∂s_t‖ / ‖∂ℓ_τ/∂s_τ‖ ≥ ${hz.ratio}): median ${hz.median}, max ${hz.max}${hz.maxAt ? ` (ℓ at t = ${hz.maxAt})` : ''} steps back${sample}`);
  out.push(`  from the products of σ_max (an upper bound): median ${flow.horizonBound.median}, max ${flow.horizonBound.max}`);
  return out.join('\n') + '\n';
}
