/**
 * Number syntax shared by the CSV/TSV cells and the `# bptt:` directive.
 *
 * Accepted: every form JavaScript's String(n) and Python's repr/str print — `1`, `-0`, `1.5`, `.5`, `5.`,
 * `+1`, `1e-3`, `1E+5` — plus `nan`, `inf`, `infinity` in any letter case with an optional sign.
 * Rejected: hex, `1_000`, `1.2.3`, `1e`, empty text, inner spaces.
 */

/** Set by {@link scanNumber}: false when the last scanned text was not a number. */
export let scanOk = true;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** 10^0 … 10^22 are exact doubles. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Reads the number in text[start, end) (already trimmed). Returns its value and sets {@link scanOk};
 * when the text is not a number it returns NaN with scanOk = false. Never allocates for short decimals.
 */
export function scanNumber(text: string, start: number, end: number): number {
  let i = start;
  if (i >= end) {
    scanOk = false;
    return NaN;
  }
  let c = text.charCodeAt(i);
  let neg = false;
  if (c === 43 /* + */ || c === 45 /* - */) {
    neg = c === 45;
    i++;
    if (i >= end) {
      scanOk = false;
      return NaN;
    }
    c = text.charCodeAt(i);
  }
  if (isDigit(c) || c === 46 /* . */) {
    // Clinger's fast path: up to 15 significant digits and a small decimal exponent give an exact
    // mantissa and an exact power of ten, so one multiplication/division is correctly rounded.
    let mant = 0;
    let nd = 0; // digits accumulated into mant (leading zeros skipped)
    let digits = 0; // all mantissa digits seen
    let scale = 0; // decimal exponent adjustment from the fraction
    let exact = true;
    while (i < end && isDigit((c = text.charCodeAt(i)))) {
      if (nd > 0 || c !== 48) {
        if (nd < 15) mant = mant * 10 + (c - 48);
        else exact = false;
        nd++;
      }
      digits++;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      i++;
      while (i < end && isDigit((c = text.charCodeAt(i)))) {
        if (nd > 0 || c !== 48) {
          if (nd < 15) mant = mant * 10 + (c - 48);
          else exact = false;
          nd++;
        }
        scale--;
        digits++;
        i++;
      }
    }
    if (digits === 0) {
      scanOk = false;
      return NaN;
    }
    let exp = 0;
    if (i < end && ((c = text.charCodeAt(i)) === 101 || c === 69) /* e E */) {
      i++;
      let eneg = false;
      if (i < end && ((c = text.charCodeAt(i)) === 43 || c === 45)) {
        eneg = c === 45;
        i++;
      }
      const es = i;
      while (i < end && isDigit((c = text.charCodeAt(i)))) {
        if (exp < 100000) exp = exp * 10 + (c - 48);
        i++;
      }
      if (i === es) {
        scanOk = false;
        return NaN;
      }
      if (eneg) exp = -exp;
    }
    if (i !== end) {
      scanOk = false;
      return NaN;
    }
    scanOk = true;
    if (exact) {
      if (mant === 0) return neg ? -0 : 0;
      const e10 = exp + scale;
      if (e10 >= 0 && e10 <= 22) return neg ? -(mant * POW10[e10]) : mant * POW10[e10];
      if (e10 < 0 && e10 >= -22) return neg ? -(mant / POW10[-e10]) : mant / POW10[-e10];
    }
    return Number(text.substring(start, end));
  }
  // nan, inf, infinity (any case)
  const len = end - i;
  if (len === 3 || len === 8) {
    const word = text.substring(i, end).toLowerCase();
    if (word === 'nan') {
      scanOk = true;
      return NaN;
    }
    if (word === 'inf' || word === 'infinity') {
      scanOk = true;
      return neg ? -Infinity : Infinity;
    }
  }
  scanOk = false;
  return NaN;
}

/** Parses a whole string as a number; undefined when it is not one. */
export function parseNumber(s: string): number | undefined {
  const v = scanNumber(s, 0, s.length);
  return scanOk ? v : undefined;
}

/** Prints a number so that {@link parseNumber} (and JavaScript's Number) reads back exactly the same value, -0 included. */
export function formatNumberForDirective(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return String(n);
}
