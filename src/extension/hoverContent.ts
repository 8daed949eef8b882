/**
 * The markdown of a step's hover, built from the O(1) step values. Pure (no `vscode`), so the
 * layout and every number in it are unit-tested without an editor.
 */
import type { Model, StepValues } from '../core';
import { backwardEquations, SPACED } from '../shared/equations';
import { formatNumber } from '../shared/format';
import type { StepClaim } from './checkHover';
import { factorEquation } from '../shared/flowSeries';

export interface HoverInput {
  v: StepValues;
  T: number;
  model: Model;
  /** Significant digits. */
  digits: number;
  /** `command:` link to the timeline at this step, or undefined for no link. */
  timelineLink?: string;
  /** The file's claims at this step (checkHover.ts), shown below the values when there are any. */
  claims?: StepClaim[];
  /** `command:` link that checks this step numerically, or undefined for no link. */
  numericLink?: string;
}

/** Markdown escapes for names such as s_t, ∂L/∂s_{t+1} (underscores and braces must stay literal). */
function md(text: string): string {
  return text.replace(/[\\_*{}[\]|`]/g, (c) => '\\' + c);
}

/** A name inside an equation, e.g. ∂L/∂s_{t+1}: its underscores stay literal. */
function name(text: string): string {
  return text.replace(/_/g, '\\_');
}

/**
 * Heading, then the two backward equations with their numbers (what the hover is for, visible
 * without scrolling), then every per-step value in a small table.
 */
export function hoverMarkdown(input: HoverInput): string {
  const { v, T, model, digits } = input;
  const f = (n: number): string => formatNumber(n, digits);
  // ∂L/∂s_{T+1} = 0: the recurrent part is w·0 at t = T.
  const atEnd = v.t === T;
  const next = atEnd ? '0' : f(v.dL_ds_next);

  const link = input.timelineLink ? ` · [Show in timeline](${input.timelineLink})` : '';
  const heading = `**Step ${v.t} of ${T}**` + (v.y === null ? ' · no target' : '') + link;

  // Hard line breaks (two trailing spaces) keep each equation one compact paragraph.
  const eq = backwardEquations(v, model, v.dL_ds_next, f, SPACED);
  const dh = [
    `**${name(eq.dL_dh.name)}** = ${name(eq.dL_dh.local)} *(local)* + ${name(eq.dL_dh.recurrent)} *(recurrent${atEnd ? ', 0 at t = T' : ''})*  `,
    '`' + `= ${eq.dL_dh.factors}` + '`  ',
    '`' + `= ${eq.dL_dh.parts} = ${eq.dL_dh.value}` + '`',
  ];
  const ds = [`**${name(eq.dL_ds.name)}** = ${name(eq.dL_ds.names)}  `, '`' + `= ${eq.dL_ds.factors} = ${eq.dL_ds.value}` + '`'];
  // The step's Jacobian factor: what the gradient is multiplied by on its way from s_{t+1} to s_t.
  ds.push('', '`' + factorEquation(model.w, v.phiPrime, digits) + '`');

  const rows: [string, string, string, string][] = [
    ['x_t', f(v.x), '∂L/∂ŷ_t', f(v.dL_dyhat)],
    ['y_t', v.y === null ? 'no target' : f(v.y), `θ'(u·h_t + c)`, f(v.thetaPrime)],
    ['s_t', f(v.s), `φ'(s_t)`, f(v.phiPrime)],
    ['h_t', f(v.h), '∂L/∂h_t', f(v.dL_dh)],
    ['ŷ_t', f(v.yhat), '∂L/∂s_t', f(v.dL_ds)],
    ['ℓ_t', v.loss === null ? '—' : f(v.loss), '∂L/∂s_{t+1}', atEnd ? '0 (t = T)' : next],
  ];
  const table = [
    '| forward | | backward | |',
    '|:--|--:|:--|--:|',
    ...rows.map(([a, av, b, bv]) => `| ${md(a)} | ${md(av)} | ${md(b)} | ${md(bv)} |`),
  ];
  const modelLine = `*φ = ${model.phi}, θ = ${model.theta}, ${model.loss} loss (${model.reduction}), w = ${f(model.w)}, u = ${f(model.u)}*`;
  return [heading, '', ...dh, '', ...ds, '', ...table, '', modelLine, ...checkSection(input, f)].join('\n');
}

/** Below the values: each claim at this step, the user's value beside the exact one; then the numerical-check link. */
function checkSection(input: HoverInput, f: (n: number) => string): string[] {
  const out: string[] = [];
  const claims = input.claims ?? [];
  if (claims.length > 0) {
    out.push('', '---', '', `**Your claims at step ${input.v.t}**`, '', '| claim | yours | exact | |', '|:--|--:|--:|:-:|');
    for (const c of claims) out.push(`| ${md(c.quantity)} *(${c.source})* | ${md(f(c.user))} | ${md(f(c.exact))} | ${c.ok ? '✓' : '✗'} |`);
  }
  if (input.numericLink) out.push('', `[Check this step numerically](${input.numericLink})`);
  return out;
}

/** `command:` URI that runs the numerical gradient check on 1-based step `t` of `uri`. */
export function numericCheckLink(uri: string, t: number): string {
  return `command:bpttLens.checkGradientsNumerically?${encodeURIComponent(JSON.stringify([{ uri, t }]))}`;
}

/** `command:` URI that opens the timeline at 0-based `step` of `uri`. */
export function timelineCommandLink(uri: string, step: number): string {
  return `command:bpttLens.showTimeline?${encodeURIComponent(JSON.stringify([uri, step]))}`;
}
