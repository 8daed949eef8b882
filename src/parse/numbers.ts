/**
 * Number syntax shared by the CSV/TSV cells and the `# bptt:` directive.
 *
 * Accepted: every form JavaScript's String(n) and Python's repr/str print — `1`, `-0`, `1.5`, `.5`, `5.`,
 * `+1`, `1e-3`, `1E+5` — plus `nan`, `inf`, `infinity` in any letter case with an optional sign.
 * Rejected: hex, `1_000`, `1.2.3`, `1e`, empty text, inner spaces.
 */

/**
 * Where {@link scanNumber} leaves its value. A typed-array slot rather than a return value so that the
 * hot CSV loop never boxes a double into a heap number (which made the garbage collector the bottleneck).
 */
export const NUM = new Float64Array(1);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** 10^0 … 10^22 are exact doubles. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Reads a plain decimal — [+-] digits [. digits], or [+-] . digits — starting at text[i], with no exponent,
 * and stops at the first character that cannot continue it (or at n). Returns where it stopped, with the
 * value in NUM[0], when that value is exact by Clinger's fast path (below): at most 15 significant
 * digits and at most 22 after the point, so the value is the one Number() gives. Returns -1 otherwise
 * (no digit, or too many): the caller then reads the cell with scanNumber. Never allocates.
 */
export function scanDecimal(text: string, i: number, n: number): number {
  let c = i < n ? text.charCodeAt(i) : 0;
  const neg = c === 45; /* - */
  if (neg || c === 43 /* + */) c = ++i < n ? text.charCodeAt(i) : 0;
  let mant = 0;
  let nd = 0; // significant digits (leading zeros skipped)
  let digits = 0;
  let scale = 0; // minus the digits after the point
  while (isDigit(c)) {
    if (nd > 0 || c !== 48) {
      mant = mant * 10 + (c - 48);
      nd++;
    }
    digits++;
    c = ++i < n ? text.charCodeAt(i) : 0;
  }
  if (c === 46 /* . */) {
    c = ++i < n ? text.charCodeAt(i) : 0;
    while (isDigit(c)) {
      if (nd > 0 || c !== 48) {
        mant = mant * 10 + (c - 48);
        nd++;
      }
      scale--;
      digits++;
      c = ++i < n ? text.charCodeAt(i) : 0;
    }
  }
  if (digits === 0 || nd > 15) return -1;
  if (mant === 0) NUM[0] = neg ? -0 : 0;
  else if (scale < -22) return -1;
  else NUM[0] = neg ? -(mant / POW10[-scale]) : mant / POW10[-scale];
  return i;
}

/**
 * Reads the number in text[start, end) (already trimmed) into NUM[0]. Returns false (NUM[0] = NaN) when
 * the text is not a number. Never allocates for decimals of up to 15 significant digits.
 */
export function scanNumber(text: string, start: number, end: number): boolean {
  let i = start;
  if (i >= end) {
    NUM[0] = NaN;
    return false;
  }
  let c = text.charCodeAt(i);
  let neg = false;
  if (c === 43 /* + */ || c === 45 /* - */) {
    neg = c === 45;
    i++;
    if (i >= end) {
      NUM[0] = NaN;
      return false;
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
      NUM[0] = NaN;
      return false;
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
        NUM[0] = NaN;
        return false;
      }
      if (eneg) exp = -exp;
    }
    if (i !== end) {
      NUM[0] = NaN;
      return false;
    }
    if (exact) {
      const e10 = exp + scale;
      if (mant === 0) {
        NUM[0] = neg ? -0 : 0;
        return true;
      }
      if (e10 >= 0 && e10 <= 22) {
        NUM[0] = neg ? -(mant * POW10[e10]) : mant * POW10[e10];
        return true;
      }
      if (e10 < 0 && e10 >= -22) {
        NUM[0] = neg ? -(mant / POW10[-e10]) : mant / POW10[-e10];
        return true;
      }
    }
    NUM[0] = Number(text.substring(start, end));
    return true;
  }
  // nan, inf, infinity (any case)
  const len = end - i;
  if (len === 3 || len === 8) {
    const word = text.substring(i, end).toLowerCase();
    if (word === 'nan') {
      NUM[0] = NaN;
      return true;
    }
    if (word === 'inf' || word === 'infinity') {
      NUM[0] = neg ? -Infinity : Infinity;
      return true;
    }
  }
  NUM[0] = NaN;
  return false;
}

/** Parses a whole string as a number; undefined when it is not one. */
export function parseNumber(s: string): number | undefined {
  return scanNumber(s, 0, s.length) ? NUM[0] : undefined;
}

/** Prints a number so that {@link parseNumber} (and JavaScript's Number) reads back exactly the same value, -0 included. */
export function formatNumberForDirective(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return String(n);
}
