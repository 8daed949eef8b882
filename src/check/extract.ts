/**
 * TEMPORARY — until the parser lands `ParsedSequence.checks` / `.claimColumns` (check-inputs.md).
 * Reads `# check:` lines and claim columns (CSV/TSV), or the "check" object and claim arrays
 * (JSON), from the file text. Plain cases only (no quoted cells). The lead replaces every call
 * of `extractClaims` with the parser's fields at merge, then deletes this file.
 */
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { LineIndex } from '../parse/lines';
import type { SequenceFormat } from '../parse/types';
import { STEP_QUANTITIES } from './names';
import { NO_CLAIM, digitsOf } from './tolerance';
import type { CheckClaimSource, ClaimColumn } from './types';

export interface Extracted {
  checks: CheckClaimSource[];
  claimColumns: ClaimColumn[];
}

const COLUMN_NAMES: readonly string[] = STEP_QUANTITIES;
const CHECK_LINE = /^(\s*#\s*check:\s*)([^=]*?)(\s*)=(?!=)(\s*)(.*?)\s*$/;

function newColumn(name: string, T: number): ClaimColumn {
  return { name, values: new Float64Array(T).fill(NaN), digits: new Uint8Array(T).fill(NO_CLAIM), start: new Int32Array(T).fill(-1), end: new Int32Array(T).fill(-1) };
}

/** Significant digits of the literal in text[a, b) (see digitsOf), without allocating. */
function digitsAt(text: string, a: number, b: number): number {
  let n = 0, leading = true, sawDigit = false;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) break; // e E
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (c !== 48 || !leading) {
        leading = false;
        n++;
      }
    } else if (c !== 46 && c !== 43 && c !== 45) return digitsOf(text.slice(a, b)); // nan, inf, …
  }
  return sawDigit ? Math.max(1, Math.min(17, n)) : digitsOf(text.slice(a, b));
}

function setCell(col: ClaimColumn, t: number, text: string, a: number, b: number): void {
  while (a < b && text.charCodeAt(a) <= 32) a++;
  while (b > a && text.charCodeAt(b - 1) <= 32) b--;
  if (a === b) return;
  const cell = text.slice(a, b);
  const v = /^[+-]?(nan|inf|infinity)$/i.test(cell) ? Number(cell.replace(/nan/i, 'NaN').replace(/inf(inity)?/i, 'Infinity')) : Number(cell);
  col.values[t] = v;
  col.digits[t] = digitsAt(text, a, b);
  col.start[t] = a;
  col.end[t] = b;
}

export function extractClaims(text: string, format: SequenceFormat, T: number): Extracted {
  return format === 'json' ? fromJson(text, T) : fromDelimited(text, T);
}

function fromDelimited(text: string, T: number): Extracted {
  const checks: CheckClaimSource[] = [];
  const claimColumns: ClaimColumn[] = [];
  let colIdx: number[] = [];
  let delim = ',';
  let header = false;
  let t = 0;
  let line = 0;
  for (let pos = 0; pos <= text.length; line++) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    let first = pos;
    while (first < lineEnd && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9 || text.charCodeAt(first) === 0xfeff)) first++;
    const m = text.charCodeAt(first) === 35 ? CHECK_LINE.exec(text.slice(pos, lineEnd)) : null;
    if (m) {
      const qCol = m[1].length;
      const col = qCol + m[2].length + m[3].length + 1 + m[4].length;
      checks.push({ quantity: m[2], expr: m[5], line, col, offset: pos + col, length: m[5].length, quantityLine: line, quantityCol: qCol });
    } else if (first < lineEnd && text.charCodeAt(first) !== 35) {
      if (!header) {
        header = true;
        const raw = text.slice(pos, lineEnd);
        delim = raw.includes('\t') ? '\t' : raw.includes(';') && !raw.includes(',') ? ';' : ',';
        const names = raw.replace(/^\uFEFF/, '').split(delim).map((s) => s.trim());
        colIdx = names.map((n) => COLUMN_NAMES.indexOf(n));
        for (let k = 0; k < names.length; k++) if (colIdx[k] >= 0) claimColumns.push(newColumn(names[k], T));
      } else if (t < T) {
        if (claimColumns.length > 0) {
          const d = delim.charCodeAt(0);
          let c = 0, start = pos, which = 0;
          for (let i = pos; i <= lineEnd && which < claimColumns.length; i++) {
            if (i === lineEnd || text.charCodeAt(i) === d) {
              if (colIdx[c] >= 0) setCell(claimColumns[which++], t, text, start, i);
              c++;
              start = i + 1;
            }
          }
        }
        t++;
      }
    }
    pos = end + 1;
  }
  return { checks, claimColumns };
}

function fromJson(text: string, T: number): Extracted {
  const checks: CheckClaimSource[] = [];
  const claimColumns: ClaimColumn[] = [];
  const root = parseTree(text);
  if (!root || root.type !== 'object') return { checks, claimColumns };
  const lines = new LineIndex(text);
  const pos = (offset: number) => {
    const line = lines.lineAt(offset);
    return { line, col: offset - lines.starts[line] };
  };
  for (const prop of root.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (!key || !value) continue;
    if (key.value === 'check' && value.type === 'object') {
      for (const entry of value.children ?? []) {
        const [qk, qv] = entry.children ?? [];
        if (!qk || !qv) continue;
        const q = pos(qk.offset + 1);
        for (const item of qv.type === 'array' ? (qv.children ?? []) : [qv]) {
          const isString = item.type === 'string';
          if (!isString && item.type !== 'number') continue;
          const offset = isString ? item.offset + 1 : item.offset;
          const length = isString ? item.length - 2 : item.length;
          const p = pos(offset);
          checks.push({ quantity: String(qk.value), expr: isString ? String(item.value) : text.slice(offset, offset + length), line: p.line, col: p.col, offset, length, quantityLine: q.line, quantityCol: q.col });
        }
      }
    } else if (COLUMN_NAMES.includes(String(key.value)) && value.type === 'array') {
      const col = newColumn(String(key.value), T);
      (value.children ?? []).slice(0, T).forEach((el: JsonNode, i: number) => {
        if (el.type === 'number' || (el.type === 'string' && /^-?(NaN|Infinity)$/.test(String(el.value)))) {
          const a = el.type === 'string' ? el.offset + 1 : el.offset;
          setCell(col, i, text, a, el.type === 'string' ? a + String(el.value).length : el.offset + el.length);
        }
      });
      claimColumns.push(col);
    }
  }
  return { checks, claimColumns };
}
