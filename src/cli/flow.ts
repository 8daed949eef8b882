/**
 * bptt-lens flow FILE [--json] — where the gradient goes: per-step factors w·φ'(s_t), horizons of
 * the loss terms, and the gradient split by lag (src/flow). Also the --truncate k / --horizon k
 * output of the main command (`truncationJsonChunks`, `truncationText`), for main.ts to call.
 * Field names are an interface other tools read; change them only with a major version.
 */
import {
  NUMERIC_KEYS, STEP_FIELDS, jsonNumber, runBptt, stepValues,
  type Grads, type Model, type StepValues, type Trace,
} from '../core';
import {
  compareGrads, flowInputs, flowSummary, gradientByLag, lagShare, runHorizon, runTruncated, truncatedStepValues,
  LAG_PARAMS, type LagResult,
} from '../flow';
import { formatNumber } from '../shared/format';
import { numberOption } from './args';
import { EXIT_OK, shown } from './errors';
import type { RunContext } from './main';
import { stdout } from './output';
import { subcommandAnyInput } from './subcommand';
import { flowVectorFile } from './vflow';

export const FLOW_USAGE = `Usage: bptt-lens flow FILE [options]

Where the gradient goes, for the scalar RNN:
  factor   ∂s_{t+1}/∂s_t = w·φ'(s_t) at every step t = 1..T
  horizon  how many steps back each loss ℓ_τ reaches before |∂ℓ_τ/∂s_t| / |∂ℓ_τ/∂s_τ| < ratio
  lag      G(d) = Σ_τ ∂ℓ_τ/∂s_{τ−d}·(h_{τ−d−1} for w, x_{τ−d} for v, 1 for b);  G_h0(d) = w·∂ℓ_{d+1}/∂s_1
           Σ_d G(d) is the gradient.
On a vector-model file (one that names weights): σ_max of J_t = W·diag(φ'(s_t)) at every step, ‖W‖₂
and Pascanu's bound, and the horizons by ‖∂ℓ_τ/∂s_t‖; --json prints {"n", "T", "factors", "method",
"normW", "pascanu", "horizons", "horizonBound", "attribution"}.

Options:
  --json            {"factors": [...], "horizons": {"ratio", "median", "max", "targets": [...],
                     "perTarget": [...]}, "lag": {"w": [...], "v": [...], "b": [...], "h0": [...],
                     "K": k, "beyondK": {w, v, b, h0}}}   (G(d) for d = 0..K; NaN/±Infinity as strings)
  --K k             highest lag in the per-lag arrays (default: every lag when T ≤ 10000, else 1000);
                    "beyondK" is the exact rest (the gradient minus lags 0..K)
  --ratio r         horizon ratio, 0 < r < 1 (default 1e-3)
  --format F, and the model options --w … --reduction, as for bptt-lens FILE.
`;

/** Flow's own options (the shared ones are --json, --format and the model values). */
interface FlowOptions {
  K?: number;
  ratio: number;
}

const wholeK = numberOption('K', 'a whole number ≥ 0', (n) => Number.isInteger(n) && n >= 0);
const openUnit = numberOption('ratio', 'a number between 0 and 1', (n) => n > 0 && n < 1);
const OWN = new Map<string, (o: FlowOptions, value: string) => void>([
  ['K', (o, value) => { o.K = wholeK(value); }],
  ['ratio', (o, value) => { o.ratio = openUnit(value); }],
]);

/** A typed array as a JSON array, in pieces (10⁶ factors are ~20 MB of text). */
function* jsonArray(a: ArrayLike<number>): Generator<string> {
  let out = '[';
  for (let i = 0; i < a.length; i++) {
    out += (i > 0 ? ',' : '') + JSON.stringify(jsonNumber(a[i]));
    if ((i + 1) % 8192 === 0) { yield out; out = ''; }
  }
  yield out + ']';
}

function* flowJsonChunks(trace: Trace, ratio: number, K?: number): Generator<string> {
  const inp = flowInputs(trace);
  const sum = flowSummary(trace, inp, ratio);
  const lag = gradientByLag(trace, inp, K) as LagResult;
  const hz = sum.horizons;
  yield '{"factors":';
  yield* jsonArray(sum.factor);
  yield `,"horizons":{"ratio":${hz.ratio},"median":${hz.median},"max":${hz.max},"targets":`;
  yield* jsonArray(hz.targets);
  yield ',"perTarget":';
  yield* jsonArray(hz.perTarget);
  yield '},"lag":{';
  for (const p of LAG_PARAMS) {
    yield `"${p}":`;
    yield* jsonArray(lag.G[p]);
    yield ',';
  }
  const beyond = Object.fromEntries(LAG_PARAMS.map((p) => [p, jsonNumber(lag.beyondK[p])]));
  yield `"K":${lag.K},"beyondK":${JSON.stringify(beyond)}}}\n`;
}

/** The readable form: attribution, horizons, and each parameter's lag shares. */
export function flowText(trace: Trace, file: string, ratio: number, K?: number): string {
  const inp = flowInputs(trace);
  const sum = flowSummary(trace, inp, ratio);
  const lag = gradientByLag(trace, inp, K) as LagResult;
  const f = (n: number) => formatNumber(n, 6);
  const hz = sum.horizons;
  const out: string[] = [`${file}: T = ${trace.T}, ${trace.nTargets} with a target, w = ${trace.model.w}, φ = ${trace.model.phi}`, ''];
  out.push(`factors w·φ'(s_t): ${sum.attribution.text}`);
  const small = sum.attribution.smallest.slice(0, 5).map((s) => `t=${s.t} (${f(s.factor)})`);
  if (small.length) out.push(`  smallest |factor|: ${small.join(', ')}`);
  out.push(`horizons (ratio ${ratio}): median ${hz.median}, max ${hz.max}${hz.maxAt ? ` (ℓ at t = ${hz.maxAt})` : ''} steps back`);
  out.push('');
  out.push(`gradient by lag d (G(d) for d = 0..${lag.K}${lag.allLags ? ', every lag' : `, then the exact rest "> ${lag.K}"`}):`);
  for (const p of LAG_PARAMS) {
    const { share, lagAt } = lagShare(lag.G[p], lag.beyondK[p], 0.9);
    const where = lagAt === null ? `lags > ${lag.K}` : `lags ≤ ${lagAt}`;
    out.push(`  ∂L/∂${p.padEnd(2)} = ${f(lag.total[p]).padStart(13)}   90 % of Σ|G_${p}(d)| comes from ${where}`);
    const shown: string[] = [];
    for (let d = 0; d < Math.min(lag.G[p].length, 6); d++) shown.push(`d=${d}: ${f(lag.G[p][d])} (${(100 * share[d]).toFixed(1)} %)`);
    if (!lag.allLags) shown.push(`> ${lag.K}: ${f(lag.beyondK[p])}`);
    out.push(`        ${shown.join('  ')}`);
  }
  return out.join('\n') + '\n';
}

/** `bptt-lens flow …`; argv after "flow". */
export async function flowMain(argv: readonly string[], current: RunContext): Promise<number> {
  const input = await subcommandAnyInput(argv, { name: 'flow', usage: FLOW_USAGE, own: { ratio: 1e-3 } as FlowOptions, valued: OWN }, current);
  if (!input) return EXIT_OK;
  if ('vectorText' in input) return flowVectorFile(input.options, input.vectorText);
  const { options: o, parsed } = input;
  const trace = runBptt(parsed.model, parsed);
  const { ratio, K } = o.own;
  await stdout().writeAll(o.json ? flowJsonChunks(trace, ratio, K) : [flowText(trace, shown(o.file), ratio, K)]);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// --truncate k / --horizon k for the main command (main.ts wires the flags to these).

export interface TruncationSpec {
  truncate?: number;
  horizon?: number;
}

export interface TruncationResult {
  kind: 'truncate' | 'horizon';
  k: number;
  full: Trace;
  /** The trace whose per-step values are printed: the truncated one for truncate, the full one for horizon. */
  steps: Trace;
  grads: Grads;
  step: (i: number) => StepValues;
}

/** Runs the full pass and the truncated one. Throws RangeError for a k that is not a whole number ≥ 1. */
export function runTruncation(model: Model, data: Parameters<typeof runBptt>[1], spec: TruncationSpec): TruncationResult {
  const full = runBptt(model, data);
  if (spec.truncate !== undefined) {
    const tr = runTruncated(model, data, spec.truncate);
    return { kind: 'truncate', k: spec.truncate, full, steps: tr, grads: tr.grads, step: (i) => truncatedStepValues(tr, i) };
  }
  const k = spec.horizon as number;
  const hr = runHorizon(full, flowInputs(full), k);
  return { kind: 'horizon', k, full, steps: full, grads: (hr as NonNullable<typeof hr>).grads, step: (i) => stepValues(full, i) };
}

const numObj = (g: Grads) => JSON.stringify(Object.fromEntries(NUMERIC_KEYS.map((k) => [k, jsonNumber(g[k])])));

/**
 * The main command's --json with --truncate/--horizon: today's fields, `grads` the truncated
 * ones, plus `fullGrads` and `truncation` {kind, k, bias: {p: {bias, relBias}}}; with truncate the
 * steps carry the truncated ∂L/∂h_t, its recurrent part and ∂L/∂s_t.
 */
export function* truncationJsonChunks(r: TruncationResult, lines?: Int32Array): Generator<string> {
  const tr = r.steps;
  const model = Object.fromEntries(Object.entries(tr.model).map(([k, v]) => [k, typeof v === 'number' ? jsonNumber(v) : v]));
  const cmp = compareGrads(r.grads, r.full.grads);
  const bias = Object.fromEntries(NUMERIC_KEYS.map((p) => [p, { bias: jsonNumber(cmp[p].bias), relBias: jsonNumber(cmp[p].relBias) }]));
  yield `{"model":${JSON.stringify(model)},"T":${tr.T},"loss":${JSON.stringify(jsonNumber(tr.loss))},"grads":${numObj(r.grads)},` +
    `"fullGrads":${numObj(r.full.grads)},"truncation":${JSON.stringify({ kind: r.kind, k: r.k, bias })},` +
    `"firstNonFinite":${tr.firstNonFinite ?? 'null'},"steps":[`;
  let out = '';
  for (let i = 0; i < tr.T; i++) {
    const v = r.step(i);
    const row: Record<string, number | null> = { ...v, line: lines ? lines[i] + 1 : null };
    out += (i > 0 ? ',{' : '{') + STEP_FIELDS.map((f) => `"${f}":${row[f] === null ? 'null' : JSON.stringify(jsonNumber(row[f] as number))}`).join(',') + '}';
    if ((i + 1) % 4096 === 0) { yield out; out = ''; }
  }
  yield out + ']}\n';
}

/** The table mode's addition: each parameter's truncated gradient beside the full one. */
export function truncationText(r: TruncationResult): string {
  const cmp = compareGrads(r.grads, r.full.grads);
  const lines = [`${r.kind}=${r.k}: gradient beside the full one`];
  for (const p of NUMERIC_KEYS) {
    const c = cmp[p];
    const rel = Number.isFinite(c.relBias) ? `${(100 * c.relBias).toFixed(2)} %` : String(c.relBias);
    lines.push(`  ∂L/∂${p.padEnd(2)} ${formatNumber(c.truncated, 10).padStart(18)}  full ${formatNumber(c.full, 10).padStart(18)}  bias ${rel}`);
  }
  return lines.join('\n') + '\n';
}
