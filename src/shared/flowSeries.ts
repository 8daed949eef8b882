/**
 * Pure data preparation for "where the gradient goes" (issue 10) in the editor and the timeline:
 * the factor's equation line, its log series, running products back from a step, the lag table,
 * the heat map's colour scale and the truncation cut points. No `vscode`, no DOM: unit-tested.
 */
import { formatNumber } from './format';

/** "∂s_{t+1}/∂s_t = w·φ'(s_t) = 0.9 · 0.66 = 0.594": the step's Jacobian factor with its numbers. */
export function factorEquation(w: number, phiPrime: number, digits: number): string {
  const f = (n: number): string => {
    const s = formatNumber(n, digits);
    return n < 0 ? `(${s})` : s;
  };
  return `∂s_{t+1}/∂s_t = w·φ'(s_t) = ${f(w)} · ${f(phiPrime)} = ${formatNumber(w * phiPrime, digits)}`;
}

/**
 * log10|f_t| for every step, with exact zeros drawn at `floor` (below every other value) and
 * non-finite factors as NaN (a gap). The line |f| = 1 is log10 = 0.
 */
export function logFactors(factor: ArrayLike<number>, out = new Float64Array(factor.length)): { values: Float64Array; floor: number } {
  let min = Infinity;
  for (let i = 0; i < factor.length; i++) {
    const a = Math.abs(factor[i]);
    out[i] = a > 0 && a < Infinity ? Math.log10(a) : a === 0 ? -Infinity : NaN;
    if (out[i] < min && out[i] > -Infinity) min = out[i];
  }
  const floor = Number.isFinite(min) ? Math.floor(min) - 1 : -1;
  for (let i = 0; i < out.length; i++) if (out[i] === -Infinity) out[i] = floor;
  return { values: out, floor };
}

/**
 * Min and max of `values` in each of `buckets` equal runs of steps: what a chart `buckets` px wide
 * draws, so a single deep dip is never lost. t is each bucket's first step (1-based). NaN only
 * where a whole bucket is NaN.
 */
export function minMaxBuckets(values: ArrayLike<number>, buckets: number): { t: Float64Array; min: Float64Array; max: Float64Array } {
  const T = values.length;
  const n = Math.max(0, Math.min(T, Math.floor(buckets)));
  const t = new Float64Array(n), min = new Float64Array(n), max = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    const lo = Math.floor((b * T) / n), hi = Math.floor(((b + 1) * T) / n);
    let mn = Infinity, mx = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = values[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    t[b] = lo + 1;
    min[b] = mn === Infinity ? NaN : mn;
    max[b] = mx === -Infinity ? NaN : mx;
  }
  return { t, min, max };
}

/**
 * ∂s_t/∂s_{t−d} = Π_{j=t−d}^{t−1} f_j for the lags d in `lags` (1-based t; lags past s_1 are left
 * out): how much of a cotangent at s_t reaches d steps back. One backward walk, O(max lag).
 */
export function productsBack(factor: ArrayLike<number>, t: number, lags: readonly number[]): { d: number; to: number; product: number }[] {
  const out: { d: number; to: number; product: number }[] = [];
  const wanted = [...lags].filter((d) => d >= 1 && d <= t - 1).sort((a, b) => a - b);
  let p = 1, k = 0;
  for (let d = 1; k < wanted.length; d++) {
    p *= factor[t - 1 - d]; // f_{t−d} in 1-based steps sits at index t − d − 1
    if (d === wanted[k]) {
      out.push({ d, to: t - d, product: p });
      k++;
    }
  }
  return out;
}

/** Lags worth a row in the step table: 1, 2, 5, 10, 20, 50, … below t, and the way back to s_1. */
export function defaultLags(t: number): number[] {
  const lags: number[] = [];
  for (let m = 1; m < t; m *= 10) for (const k of [1, 2, 5]) if (k * m < t) lags.push(k * m);
  if (t > 1 && lags[lags.length - 1] !== t - 1) lags.push(t - 1);
  return lags;
}

export interface LagRow {
  /** "0", "1", …, or "> K". */
  lag: string;
  value: number;
  /** Cumulative share of Σ|G(d)| up to and including this row, 0..1. */
  share: number;
}

/** The signed G(d) of the first `first` lags, then "> K" (when not every lag is in G), with cumulative |·| shares. */
export function lagRows(G: ArrayLike<number>, beyondK: number, allLags: boolean, first = 10): LagRow[] {
  let mass = allLags ? 0 : Math.abs(beyondK);
  for (let d = 0; d < G.length; d++) mass += Math.abs(G[d]);
  const rows: LagRow[] = [];
  let acc = 0;
  for (let d = 0; d < G.length; d++) {
    acc += Math.abs(G[d]);
    if (d < first) rows.push({ lag: String(d), value: G[d], share: mass > 0 ? acc / mass : 0 });
  }
  if (G.length > first) rows.push({ lag: `${first}…${G.length - 1}`, value: sumRange(G, first, G.length), share: mass > 0 ? acc / mass : 0 });
  if (!allLags) rows.push({ lag: `> ${G.length - 1}`, value: beyondK, share: 1 });
  return rows;
}

function sumRange(a: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
}

/** "90 % of ∂L/∂w comes from lags ≤ 7" (or "from lags > K" when only the rest holds it). */
export function shareSentence(param: string, lagAt: number | null, K: number, level = 0.9): string {
  const where = lagAt === null ? `lags > ${K}` : `lags ≤ ${lagAt}`;
  return `${Math.round(level * 100)} % of ∂L/∂${param} comes from ${where}`;
}

export type Rgb = [number, number, number];

/** An #rgb / #rrggbb / rgb(a)(…) CSS colour as 0..255 channels, or null. */
export function parseColor(css: string): Rgb | null {
  const s = css.trim();
  let m = /^#([0-9a-f]{3,8})$/i.exec(s);
  if (m) {
    const h = m[1];
    if (h.length === 3 || h.length === 4) return [0, 1, 2].map((i) => parseInt(h[i] + h[i], 16)) as Rgb;
    if (h.length === 6 || h.length === 8) return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
    return null;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  return m ? ([m[1], m[2], m[3]].map((c) => Math.max(0, Math.min(255, Math.round(Number(c))))) as Rgb) : null;
}

/**
 * The heat map's colour of |∂ℓ_τ/∂s_t| = a on a log scale from `min` to `max` (both > 0): a
 * linear blend from `low` (the editor background) to `high` (a theme colour). 0 and values below
 * `min` take `low`; NaN/∞ take `bad`. Returns [r, g, b].
 */
export function heatColor(a: number, min: number, max: number, low: Rgb, high: Rgb, bad: Rgb): Rgb {
  if (!(a < Infinity)) return bad;
  const q = heatLevel(a, min, max);
  return [0, 1, 2].map((i) => Math.round(low[i] + q * (high[i] - low[i]))) as Rgb;
}

/** Where a sits between min and max on a log scale, 0..1 (0 for a ≤ min or a = 0). */
export function heatLevel(a: number, min: number, max: number): number {
  if (!(a > 0) || !(min > 0) || !(max > min)) return a > 0 && a >= max ? 1 : 0;
  const q = (Math.log10(a) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
  return Math.max(0, Math.min(1, q));
}

/** The legend's ticks: the powers of ten between min and max (at most `most`, evenly thinned). */
export function decadeTicks(min: number, max: number, most = 6): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const lo = Math.ceil(Math.log10(min)), hi = Math.floor(Math.log10(max));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / most));
  const out: number[] = [];
  for (let e = lo; e <= hi; e += step) out.push(Number(`1e${e}`));
  return out;
}

/** 1-based last steps of the truncate=k chunks (k, 2k, … < T): where the gradient is cut; at most `most` of them. */
export function cutPoints(T: number, k: number, most = 2000): number[] {
  if (!(k >= 1) || T <= k) return [];
  const step = k * Math.max(1, Math.ceil(Math.floor((T - 1) / k) / most));
  const out: number[] = [];
  for (let t = k; t < T; t += step) out.push(t);
  return out;
}

/** A relative bias in percent with its sign: "-44.2 %", "+12.5 %", "0.0 %"; "n/a" when the full gradient is 0 and the truncated one is not. */
export function relBias(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  return `${r > 0 ? '+' : r < 0 ? '-' : ''}${Math.abs(100 * r).toFixed(1)} %`;
}
