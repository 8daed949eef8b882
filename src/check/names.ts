/**
 * The vocabulary of claims: which quantities exist per step and as totals, their index ranges,
 * and the names a formula may use.
 */

/** Per-step quantities a claim may state (left side or column). */
export const STEP_QUANTITIES = ['s', 'h', 'yhat', 'loss', 'dL_dyhat', 'dL_dh', 'dL_ds'] as const;
/** Totals a claim may state. */
export const TOTALS = ['L', 'dL_dw', 'dL_dv', 'dL_db', 'dL_du', 'dL_dc', 'dL_dh0'] as const;
export type StepQuantity = (typeof STEP_QUANTITIES)[number];
export type Total = (typeof TOTALS)[number];

/** Per-step names a formula may read (the step's value, or indexed). */
export const STEP_NAMES = ['x', 'y', 's', 'h', 'yhat', 'loss', 'dL_dyhat', 'dL_dh', 'dL_ds'] as const;
export type StepName = (typeof STEP_NAMES)[number];
export const PARAMS = ['w', 'v', 'b', 'u', 'c', 'h0'] as const;
export const INDEX_NAMES = ['t', 'T', 'N'] as const;
export const FUNCTIONS = ['phi', 'dphi', 'theta', 'dtheta', 'tanh', 'sigmoid', 'relu', 'exp', 'log', 'abs', 'sign', 'sqrt', 'sum'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const GRADIENTS = new Set<string>(['dL_dyhat', 'dL_dh', 'dL_ds']);

/** Index range of a per-step name: h takes 0..T (h[0] = h0), the gradients 1..T+1 (0 at T+1), the rest 1..T. */
export function indexRange(name: StepName, T: number): [number, number] {
  if (name === 'h') return [0, T];
  return GRADIENTS.has(name) ? [1, T + 1] : [1, T];
}

/** Gradients are computed from t = T back; forward quantities from t = 1 on. */
export function isBackward(quantity: string): boolean {
  return GRADIENTS.has(quantity) || quantity.startsWith('dL_') || quantity === 'L';
}

export const isStepQuantity = (q: string): q is StepQuantity => (STEP_QUANTITIES as readonly string[]).includes(q);
export const isTotal = (q: string): q is Total => (TOTALS as readonly string[]).includes(q);
export const isStepName = (q: string): q is StepName => (STEP_NAMES as readonly string[]).includes(q);
export const isParam = (q: string): q is (typeof PARAMS)[number] => (PARAMS as readonly string[]).includes(q);
export const isFunction = (q: string): q is FunctionName => (FUNCTIONS as readonly string[]).includes(q);

const ALL_NAMES: readonly string[] = [...STEP_NAMES, ...PARAMS, ...INDEX_NAMES, ...FUNCTIONS];

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(up + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The known name nearest to `name` (case-insensitive ties broken by list order), from `among`. */
export function nearest(name: string, among: readonly string[] = ALL_NAMES): string {
  let best = among[0];
  let bestD = Infinity;
  for (const n of among) {
    const d = Math.min(distance(name, n), distance(name.toLowerCase(), n.toLowerCase()) + 0.5);
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}
