/**
 * Number formatting shared by hovers, CodeLens, the status bar and the webview.
 * Pure: no `vscode`, no DOM.
 */

/** `n` to `digits` significant digits, trailing zeros dropped: 0.5 → "0.5", 1.5e-12 → "1.5e-12". */
export function formatNumber(n: number, digits = 6): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+∞';
  if (n === -Infinity) return '−∞';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const p = Math.min(21, Math.max(1, Math.round(digits)));
  const abs = Math.abs(n);
  const text = abs >= 1e-4 && abs < 10 ** p ? n.toPrecision(p) : n.toExponential(p - 1);
  return stripZeros(text);
}

function stripZeros(text: string): string {
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? '' : text.slice(e);
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return trimmed + exponent;
}
