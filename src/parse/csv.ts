import type { CallerDefaults, DirectiveLayout, ParsedSequence, SequenceFormat } from './types';
import { ErrorSink, escapeText, quote } from './errors';
import { directiveBodyStart, parseDirectiveBody } from './directive';
import { NUM, scanNumber } from './numbers';
import { type FileValues, resolveModel } from './resolve';
import { StepArrays } from './steps';

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const SEMI = 59;

/** Offset of the first \r or \n at or after p (or text.length). */
function lineEndFrom(text: string, p: number, n: number): number {
  for (let i = p; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
  }
  return n;
}

/** Offset where the next line starts, given a line end le. */
function nextLineStart(text: string, le: number, n: number): number {
  if (le >= n) return n;
  return text.charCodeAt(le) === CR && le + 1 < n && text.charCodeAt(le + 1) === LF ? le + 2 : le + 1;
}

function skipBlanks(text: string, i: number, e: number): number {
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

interface Cell {
  /** Content range: inside the quotes for a quoted cell, trimmed otherwise. */
  start: number;
  end: number;
  value: string;
}

/** Splits the header line text[ls, le) into cells (not a hot path). */
function splitLine(text: string, ls: number, le: number, delim: number, sink: ErrorSink): Cell[] {
  const cells: Cell[] = [];
  let i = ls;
  for (;;) {
    i = skipBlanksExcept(text, i, le, delim);
    let cs = i;
    let ce: number;
    let value: string;
    if (i < le && text.charCodeAt(i) === QUOTE) {
      const r = readQuoted(text, i, le, delim, sink);
      cs = i + 1;
      ce = r.contentEnd;
      value = text.substring(cs, ce).replace(/""/g, '"').trim();
      i = r.next;
    } else {
      while (i < le && text.charCodeAt(i) !== delim) i++;
      ce = i;
      while (ce > cs && isBlank(text.charCodeAt(ce - 1), delim)) ce--;
      value = text.substring(cs, ce);
    }
    cells.push({ start: cs, end: ce, value });
    if (i < le && text.charCodeAt(i) === delim) {
      i++;
      continue;
    }
    return cells;
  }
}

function isBlank(c: number, delim: number): boolean {
  return c === SPACE || (c === TAB && delim !== TAB);
}

function skipBlanksExcept(text: string, i: number, e: number, delim: number): number {
  while (i < e && isBlank(text.charCodeAt(i), delim)) i++;
  return i;
}

/**
 * Reads a quoted cell whose opening quote is at q, on a line ending at le.
 * Returns where its content ends and where scanning continues (at the delimiter or le).
 */
function readQuoted(
  text: string,
  q: number,
  n: number,
  delim: number,
  sink: ErrorSink,
): { contentEnd: number; next: number; ok: boolean } {
  let i = q + 1;
  let c = 0;
  while (i < n && (c = text.charCodeAt(i)) !== LF && c !== CR) {
    if (c === QUOTE) {
      if (i + 1 < n && text.charCodeAt(i + 1) === QUOTE) {
        i += 2;
        continue;
      }
      const contentEnd = i;
      i = skipBlanksExcept(text, i + 1, n, delim);
      if (i < n && (c = text.charCodeAt(i)) !== delim && c !== LF && c !== CR) {
        let j = i;
        while (j < n && (c = text.charCodeAt(j)) !== delim && c !== LF && c !== CR) j++;
        sink.add(`unexpected text ${quote(text.substring(i, j))} after a closing quote`, i, j);
        return { contentEnd, next: j, ok: false };
      }
      return { contentEnd, next: i, ok: true };
    }
    i++;
  }
  sink.add('unterminated quoted field: the closing quote is missing (a quoted field may not span lines)', q, i);
  return { contentEnd: i, next: i, ok: false };
}

function detectDelimiter(text: string, ls: number, le: number, format: SequenceFormat): number {
  let tabs = 0;
  let commas = 0;
  let semis = 0;
  let inQ = false;
  for (let i = ls; i < le; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQ = !inQ;
    else if (!inQ) {
      if (c === TAB) tabs++;
      else if (c === COMMA) commas++;
      else if (c === SEMI) semis++;
    }
  }
  if (format === 'tsv' && tabs > 0) return TAB;
  if (format === 'csv' && commas > 0) return COMMA;
  if (tabs > 0 && tabs >= commas && tabs >= semis) return TAB;
  if (commas > 0 && commas >= semis) return COMMA;
  if (semis > 0) return SEMI;
  if (tabs > 0) return TAB;
  return format === 'tsv' ? TAB : COMMA;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeColumns(columns: string[]): string {
  const shown = columns.slice(0, 8).map((c) => (c === '' ? '""' : escapeText(c)));
  return shown.join(', ') + (columns.length > 8 ? ', …' : '');
}

function notANumberMessage(name: string, text: string, s: number, e: number, delim: number): string {
  const raw = text.substring(s, e);
  let hint = '';
  if (delim === SEMI && /^[+-]?\d+,\d+$/.test(raw)) hint = ' (use "." as the decimal point)';
  else if (/^[+-]?\d[\d_]*_\d/.test(raw)) hint = ' (digit separators "_" are not allowed)';
  return `${name}: ${quote(raw)} is not a number${hint}`;
}

/** Parses a CSV / TSV sequence (delimiter detected from the header line). Never throws. */
export function parseDelimited(text: string, format: SequenceFormat, defaults?: CallerDefaults): ParsedSequence {
  const n = text.length;
  const sink = new ErrorSink();
  let p = 0;
  if (n > 0 && text.charCodeAt(0) === 0xfeff) p = 1;
  const directiveOffset = p;
  const file: FileValues = {};
  let hasDirective = false;
  let eol = '';

  // ---- directive / comment / blank lines before the header
  let headerStart = -1;
  let headerEnd = -1;
  let line = 0;
  while (p < n) {
    const le = lineEndFrom(text, p, n);
    const next = nextLineStart(text, le, n);
    if (eol === '' && le < n) eol = text.substring(le, next);
    const fs = skipBlanks(text, p, le);
    if (fs < le) {
      if (text.charCodeAt(fs) !== HASH) {
        headerStart = p;
        headerEnd = le;
        p = next;
        line++;
        break;
      }
      const body = directiveBodyStart(text, p, le);
      if (body >= 0) {
        hasDirective = true;
        parseDirectiveBody(text, body, le, sink, file);
      } else if (body === -2) {
        sink.add('a directive needs a colon after "bptt", e.g. "# bptt: w=0.9 phi=tanh"', fs, le);
      }
    }
    p = next;
    line++;
  }
  if (eol === '') eol = '\n';

  const { model, modelSource } = resolveModel(file, defaults);
  const bce = model.loss === 'bce';

  let reported: SequenceFormat = format === 'tsv' ? 'tsv' : 'csv';
  const columns: string[] = [];
  const steps = new StepArrays(0);

  const layout: DirectiveLayout = hasDirective
    ? headerStart >= 0
      ? { start: headerStart, end: headerStart, before: '', after: eol }
      : endOfTextLayout(text, eol)
    : { start: directiveOffset, end: directiveOffset, before: '', after: eol };

  const finish = (): ParsedSequence => {
    const arrays = steps.finish();
    return {
      format: reported,
      model,
      modelSource,
      hasDirective,
      directiveOffset,
      ...arrays,
      columns,
      errors: sink.finish(text),
      directiveLayout: layout,
    };
  };

  if (headerStart < 0) {
    sink.add(
      'no header row: the first line that is not blank or a # comment must name the columns, e.g. "x,y"',
      n,
      n,
    );
    return finish();
  }

  // ---- header
  const delim = detectDelimiter(text, headerStart, headerEnd, format);
  if (delim === TAB) reported = 'tsv';
  else if (delim === COMMA || delim === SEMI) reported = 'csv';
  const headerCells = splitLine(text, headerStart, headerEnd, delim, sink);
  let xCol = -1;
  let yCol = -1;
  for (let k = 0; k < headerCells.length; k++) {
    const cell = headerCells[k];
    columns.push(cell.value);
    const name = cell.value.trim().toLowerCase();
    if (name === 'x') {
      if (xCol < 0) xCol = k;
      else sink.add('header has more than one "x" column', cell.start, cell.end);
    } else if (name === 'y') {
      if (yCol < 0) yCol = k;
      else sink.add('header has more than one "y" column', cell.start, cell.end);
    }
  }
  const ncols = headerCells.length;
  if (xCol < 0) {
    const found = describeColumns(columns);
    const numeric = columns.every((c) => scanNumber(c, 0, c.length));
    const hint = numeric ? ' (the first line that is not blank or a # comment must be a header such as "x,y")' : '';
    sink.add(`header has no "x" column; found: ${found}${hint}`, headerStart, headerEnd);
    return finish();
  }
  const columnsText = describeColumns(columns);
  const yName = yCol >= 0 ? escapeText(columns[yCol]) : 'y';
  const xName = escapeText(columns[xCol]);

  // ---- data rows (hot path: one charCodeAt pass, no per-row allocation)
  // Exact when rows end in \n and there are no blank or comment lines, so finish() need not copy.
  let est = n > p && text.charCodeAt(n - 1) !== LF ? 1 : 0;
  for (let i = text.indexOf('\n', p); i >= 0; i = text.indexOf('\n', i + 1)) est++;
  steps.reserve(est);
  const trimTab = delim !== TAB;

  while (p < n) {
    const rs = p;
    // blank line or comment?
    let i = rs;
    let c = 0;
    while (i < n && ((c = text.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i >= n || c === LF || c === CR) {
      p = nextLineStart(text, i, n);
      if (i < n) line++;
      continue;
    }
    if (c === HASH) {
      const le = lineEndFrom(text, i, n);
      const body = directiveBodyStart(text, rs, le);
      if (body >= 0 || body === -2) {
        sink.add('a "# bptt:" directive must come before the header row; move this line above the header', i, le);
      }
      p = nextLineStart(text, le, n);
      line++;
      continue;
    }

    // cells
    i = rs;
    let col = 0;
    let xs = -1;
    let xe = -1;
    let ys = -1;
    let ye = -1;
    let extraAt = -1;
    let broken = false; // quoting error already reported
    for (;;) {
      while (i < n && ((c = text.charCodeAt(i)) === SPACE || (c === TAB && trimTab))) i++;
      let cs = i;
      let ce: number;
      if (i < n && text.charCodeAt(i) === QUOTE) {
        const r = readQuoted(text, i, n, delim, sink);
        if (!r.ok) broken = true;
        cs = i + 1;
        ce = r.contentEnd;
        // trim inside the quotes too
        while (cs < ce && isBlank(text.charCodeAt(cs), delim)) cs++;
        while (ce > cs && isBlank(text.charCodeAt(ce - 1), delim)) ce--;
        i = r.next;
      } else {
        while (i < n && (c = text.charCodeAt(i)) !== delim && c !== LF && c !== CR) i++;
        ce = i;
        while (ce > cs && ((c = text.charCodeAt(ce - 1)) === SPACE || (c === TAB && trimTab))) ce--;
      }
      if (col === xCol) {
        xs = cs;
        xe = ce;
      } else if (col === yCol) {
        ys = cs;
        ye = ce;
      }
      col++;
      if (i < n && text.charCodeAt(i) === delim) {
        if (col === ncols) extraAt = i;
        i++;
        continue;
      }
      break;
    }
    const re = i; // at \r, \n or n
    let rowContentEnd = re;
    while (rowContentEnd > rs && ((c = text.charCodeAt(rowContentEnd - 1)) === SPACE || c === TAB)) rowContentEnd--;

    if (col !== ncols && !broken) {
      const msg = `row has ${plural(col, 'cell')}, but the header has ${plural(ncols, 'column')} (${columnsText})`;
      if (col > ncols) sink.add(msg, extraAt, re);
      else sink.add(msg, rs, rowContentEnd);
    }

    let xv = NaN;
    if (xs < 0) {
      xs = xe = rowContentEnd;
    } else if (xs === xe) {
      if (!broken) sink.add(`${xName} is empty; every row needs an x value`, xs, xe);
    } else {
      if (scanNumber(text, xs, xe)) xv = NUM[0];
      else if (!broken) sink.add(notANumberMessage(xName, text, xs, xe, delim), xs, xe);
    }
    let yv = NaN;
    let hy = 0;
    if (ys >= 0 && ys < ye) {
      if (!scanNumber(text, ys, ye)) {
        if (!broken) sink.add(notANumberMessage(yName, text, ys, ye, delim), ys, ye);
      } else {
        yv = NUM[0];
        hy = 1;
        if (bce && (yv < 0 || yv > 1)) {
          sink.add(
            `${yName} = ${escapeText(text.substring(ys, ye))} is outside [0, 1]; the bce loss needs targets between 0 and 1`,
            ys,
            ye,
          );
        }
      }
    }
    steps.push(xv, yv, hy, line, xs, xe, ys, ye, rs, re);
    p = nextLineStart(text, re, n);
    line++;
  }

  if (steps.length === 0) {
    sink.add('no data rows: the file has a header but no values below it', headerStart, headerEnd);
  }
  return finish();
}

function endOfTextLayout(text: string, eol: string): DirectiveLayout {
  const n = text.length;
  const last = n > 0 ? text.charCodeAt(n - 1) : LF;
  const needsBreak = n > 0 && last !== LF && last !== CR && !(n === 1 && last === 0xfeff);
  return { start: n, end: n, before: needsBreak ? eol : '', after: eol };
}
