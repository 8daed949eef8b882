/**
 * The markdown of a vector model's step hover: the backward equations in vector form with the
 * norms of each part, then the step's vectors (first components, the largest-magnitude ones in
 * bold), and a link to the full vectors in the timeline's step table. Pure (no `vscode`).
 */
import type { VectorModel } from '../../core/vector/model';
import { formatNumber } from '../../shared/format';
import { norm2 } from '../../core/vector/norm';
import type { VectorStepValues } from '../../core/vector/step';

export interface VectorHoverInput {
  v: VectorStepValues;
  T: number;
  model: VectorModel;
  /** Whether step t has a target. */
  hasTarget: boolean;
  /** Significant digits. */
  digits: number;
  /** `command:` link that opens the timeline at this step (its table holds the full vectors). */
  timelineLink?: string;
}

/** Components shown from the start of each vector. */
export const FIRST_COMPONENTS = 6;
/** How many of the largest |components| are marked. */
export const MARKED_COMPONENTS = 3;

/** Markdown escapes: the names' underscores and braces stay literal. */
function md(text: string): string {
  return text.replace(/[\\_*{}[\]|`]/g, (c) => '\\' + c);
}

/** Indices of the `count` largest |v_j| (NaN first, then ±∞, then by magnitude; ties to the lower index). */
export function largestComponents(v: ArrayLike<number>, count: number): number[] {
  // NaN outranks ±∞, which outranks every finite magnitude: a broken unit is the one to see.
  const tier = (j: number): number => (v[j] !== v[j] ? 2 : Math.abs(v[j]) === Infinity ? 1 : 0);
  const order = Array.from({ length: v.length }, (_, j) => j);
  order.sort((a, b) => tier(b) - tier(a) || (tier(a) === 0 ? Math.abs(v[b]) - Math.abs(v[a]) : 0) || a - b);
  return order.slice(0, Math.min(count, v.length)).filter((j) => v[j] !== 0);
}

/**
 * "0.1, **-2.5**, 0.3, … (16 units) · **[12] 4.1**": the first components in order, the largest
 * marked in bold, and any marked one beyond the first shown after them with its 1-based index.
 */
export function componentsText(v: ArrayLike<number>, f: (n: number) => string): string {
  const marked = new Set(largestComponents(v, MARKED_COMPONENTS));
  const shown = Math.min(FIRST_COMPONENTS, v.length);
  const cell = (j: number): string => (marked.has(j) ? `**${md(f(v[j]))}**` : md(f(v[j])));
  const parts: string[] = [];
  for (let j = 0; j < shown; j++) parts.push(cell(j));
  let text = parts.join(', ');
  if (v.length > shown) {
    text += `, … (${v.length})`;
    const beyond = [...marked].filter((j) => j >= shown).sort((a, b) => a - b);
    if (beyond.length > 0) text += ' · ' + beyond.map((j) => `\\[${j + 1}\\] ${cell(j)}`).join(', ');
  }
  return text;
}

export function vectorHoverMarkdown(input: VectorHoverInput): string {
  const { v, T, model, digits } = input;
  const f = (n: number): string => formatNumber(n, digits);
  const atEnd = v.t === T;
  const link = input.timelineLink ? ` · [Show in timeline](${input.timelineLink})` : '';
  const heading = `**Step ${v.t} of ${T}**` + (input.hasTarget ? '' : ' · no target') + link;
  const nrm = (a: Float64Array): string => f(norm2(a));
  // The equations in vector form, each with the norms of what it adds up.
  const equations = [
    `**∂L/∂h\\_t** = Uᵀ·(∂L/∂ŷ\\_t ⊙ θ'(U·h\\_t + c)) *(local)* + Wᵀ·∂L/∂s\\_{t+1} *(recurrent${atEnd ? ', 0 at t = T' : ''})*  `,
    '`' + `‖∂L/∂h_t‖ = ${nrm(v.dL_dh)}   ‖local‖ = ${nrm(v.dL_dh_local)}   ‖recurrent‖ = ${nrm(v.dL_dh_recurrent)}` + '`',
    '',
    `**∂L/∂s\\_t** = ∂L/∂h\\_t ⊙ φ'(s\\_t)  `,
    '`' + `‖∂L/∂s_t‖ = ${nrm(v.dL_ds)}` + '`',
  ];
  // The outputs: ŷ_t (the logits, for cross_entropy, with the softmax beside them) and the target.
  const outputs: [string, Float64Array][] = v.probs ? [['ŷ_t (logits)', v.yhat], ['softmax(ŷ_t)', v.probs]] : [['ŷ_t', v.yhat]];
  if (v.y) outputs.push(['y_t', v.y]);
  const rows: [string, Float64Array][] = [
    ['x_t', v.x],
    ['h_t', v.h],
    ...outputs,
    ["φ'(s_t)", v.phiPrime],
    ['∂L/∂h_t', v.dL_dh],
    ['∂L/∂s_t', v.dL_ds],
  ];
  const table = [
    '| | ‖·‖ | components (largest \\|·\\| in bold) |',
    '|:--|--:|:--|',
    ...rows.map(([label, a]) => `| ${md(label)} | ${md(nrm(a))} | ${componentsText(a, f)} |`),
  ];
  const target = v.cls !== null ? [`target class ${v.cls}${v.probs && Number.isInteger(v.cls) && v.cls >= 0 && v.cls < v.probs.length ? ` (p = ${md(f(v.probs[v.cls]))})` : ''}${v.loss !== null ? `, ℓ\\_t = ${md(f(v.loss))}` : ''}`, ''] : v.loss !== null ? [`ℓ\\_t = ${md(f(v.loss))}`, ''] : [];
  const full = input.timelineLink ? [`[Full vectors in the step table](${input.timelineLink})`, ''] : [];
  const modelLine = `*φ = ${model.phi}, θ = ${model.theta}, ${md(model.loss)} loss (${model.reduction}), n = ${model.n}, m = ${model.m}, k = ${model.k}*`;
  return [heading, '', ...equations, '', ...table, '', ...target, ...full, modelLine].join('\n');
}
