/**
 * The Quick Fix: a correct formula for the claim's quantity, written in the user's notation
 * (φ'/phi'/dphi, · or *, spacing, θ's argument as h when u = 1 and c = 0), and checked to pass
 * before it is offered.
 */
import { evaluateClaim } from './claims';
import type { Exact } from './exact';
import type { CheckClaimSource, CheckOptions } from './types';

const DYHAT: Record<string, string | null> = {
  squared: 'yhat - y',
  mse: '2 * (yhat - y)',
  abs: 'sign(yhat - y)',
  bce: '-y / yhat + (1 - y) / (1 - yhat)',
  huber: null,
};
const LOSS: Record<string, string | null> = {
  squared: '0.5 * (yhat - y)^2',
  mse: '(yhat - y)^2',
  abs: 'abs(yhat - y)',
  bce: '-(y * log(yhat) + (1 - y) * log(1 - yhat))',
  huber: null,
};

function canonical(q: string, E: Exact, loss: string): string | null {
  const { u, c } = E.params;
  const textbook = u === 1 && c === 0;
  const z = textbook ? 'h' : 'u * h + c';
  const timesU = textbook ? '' : ' * u';
  const mean = E.scale !== 1;
  switch (q) {
    case 's': return 'w * h[t-1] + v * x + b';
    case 'h': return 'PHI(s)';
    case 'yhat': return `THETA(${z})`;
    case 'loss': return LOSS[loss];
    case 'dL_dyhat': return DYHAT[loss] === null ? null : mean ? `(${DYHAT[loss]}) / N` : DYHAT[loss];
    case 'dL_dh': return `dL_dyhat * DTHETA(${z})${timesU} + w * dL_ds[t+1]`;
    case 'dL_ds': return 'dL_dh * DPHI(s)';
    case 'L': return mean ? 'sum(loss) / N' : 'sum(loss)';
    case 'dL_dw': return 'sum(dL_ds * h[t-1])';
    case 'dL_dv': return 'sum(dL_ds * x)';
    case 'dL_db': return 'sum(dL_ds)';
    case 'dL_du': return `sum(dL_dyhat * DTHETA(${z}) * h)`;
    case 'dL_dc': return `sum(dL_dyhat * DTHETA(${z}))`;
    case 'dL_dh0': return 'w * dL_ds[1]';
  }
  return null;
}

/** Renders the canonical text in the style of what the user wrote. */
function inStyleOf(written: string, text: string): string {
  const greek = /[φθ]/.test(written);
  const prime = /['’]/.test(written);
  const [phi, theta] = greek ? ['φ', 'θ'] : ['phi', 'theta'];
  let out = text
    .replace(/DPHI/g, prime ? `${phi}'` : `d${phi}`)
    .replace(/DTHETA/g, prime ? `${theta}'` : `d${theta}`)
    .replace(/PHI/g, phi)
    .replace(/THETA/g, theta);
  const spaced = /\s[*+·/-]\s/.test(written) || !/[*+·/-]/.test(written);
  if (!spaced) out = out.replace(/ ([*+/-]) /g, '$1');
  if (written.includes('·')) out = out.replace(/\*/g, '·');
  return out;
}

export function suggestFix(src: CheckClaimSource, E: Exact, loss: string, options: CheckOptions): string | null {
  const text = canonical(src.quantity, E, loss);
  if (text === null) return null;
  const fixed = inStyleOf(src.expr, text);
  const ev = evaluateClaim({ ...src, expr: fixed, length: fixed.length }, E, options);
  return ev.result.ok ? fixed : null;
}
