/**
 * CSV / TSV sequences, read block by block: a block is any run of whole lines (a quoted cell may not
 * span lines), so the same reader serves a whole text and a file decoded chunk by chunk.
 */
import type { Model } from '../core/model';
import type { CallerDefaults, DirectiveLayout, ParsedSequence, SequenceFormat, TruncationKeys } from './types';
import { CLAIM_NAMES } from './types';
import { ErrorSink, escapeText } from './errors';
import { LineIndex } from './lines';
import { directiveBodyStart, parseDirectiveBody } from './directive';
import { nulMessage } from './encoding';
import { NUM, scanDecimal, scanNumber } from './numbers';
import { type FileValues, resolveModel } from './resolve';
import { StepArrays } from './steps';
import { CheckList, ClaimBuilder, readCheckLine } from './checks';
import {
  COMMA, CR, HASH, LF, QUOTE, SEMI, SPACE, TAB, describeColumns, detectDelimiter, isBlank, lineEndFrom,
  endOfTextLayout, nextLineStart, notANumberMessage, plural, readClaimCells, readQuoted, skipBlanks, splitLine,
} from './csvCells';

/** Reads a CSV/TSV sequence from blocks of whole lines (feed), then builds the result (finish). Never throws. */
export class DelimitedReader {
  private readonly sink = new ErrorSink();
  private readonly lines = new LineIndex();
  private readonly checks = new CheckList();
  private readonly steps = new StepArrays(0);
  private readonly file: FileValues = {};
  private readonly truncation: TruncationKeys = {};
  private readonly columns: string[] = [];
  private reported: SequenceFormat;
  private model: Model | undefined;
  private modelSource: ParsedSequence['modelSource'] | undefined;
  private phase: 'lead' | 'rows' | 'ignore' = 'lead';
  /** Set when the input cannot be read at all (binary, UTF-16, too large): only that error is reported. */
  private failed = false;
  private n = 0;
  private last = LF;
  private line = 0;
  private eol = '';
  private hasDirective = false;
  private directiveOffset = 0;
  private headerStart = -1;
  private headerEnd = -1;
  // the header's columns
  private delim = COMMA;
  private ncols = 0;
  private xCol = -1;
  private yCol = -1;
  private xName = 'x';
  private yName = 'y';
  private columnsText = '';
  /** claimSlot[col] = index into claims, or -1. */
  private claimSlot = new Int32Array(0);
  private readonly claims: ClaimBuilder[] = [];
  private claimS = new Int32Array(0);
  private claimE = new Int32Array(0);
  /** The loss is bce: y must lie in [0, 1]. */
  private bce = false;

  /**
   * sizeHint: the whole text's length if known (a file's size in bytes is close enough), to size the
   * step arrays from the first rows instead of growing them.
   */
  constructor(
    private readonly format: SequenceFormat,
    private readonly defaults?: CallerDefaults,
    private sizeHint = 0,
  ) {
    this.reported = format === 'tsv' ? 'tsv' : 'csv';
  }

  /** Reads text, a run of whole lines (the last block may end without a line break) that starts at offset base. */
  feed(text: string, base: number): void {
    const n = text.length;
    if (n === 0) return;
    this.n = base + n;
    this.last = text.charCodeAt(n - 1);
    if (this.failed) return;
    this.lines.append(text, base);
    const z = text.indexOf('\0');
    if (z >= 0) return this.fail(nulMessage(text, base, z, this.lines), base + z, base + z + 1);
    this.sink.base = base;
    let p = 0;
    if (base === 0 && text.charCodeAt(0) === 0xfeff) p = this.directiveOffset = 1;
    if (this.phase === 'lead') p = this.lead(text, p, base);
    if (this.phase === 'rows') this.rows(text, p);
    this.sink.base = 0;
  }

  // ---- directive / comment / blank lines before the header, then the header
  private lead(text: string, p: number, base: number): number {
    const n = text.length;
    const sink = this.sink;
    while (p < n) {
      const le = lineEndFrom(text, p, n);
      const next = nextLineStart(text, le, n);
      if (this.eol === '' && le < n) this.eol = text.substring(le, next);
      const fs = skipBlanks(text, p, le);
      if (fs < le) {
        if (text.charCodeAt(fs) !== HASH) {
          this.headerStart = base + p;
          this.headerEnd = base + le;
          this.header(text, p, le);
          this.line++;
          return next;
        }
        const body = directiveBodyStart(text, p, le);
        if (body >= 0) {
          this.hasDirective = true;
          parseDirectiveBody(text, body, le, sink, this.file, this.truncation);
        } else if (body === -2) {
          sink.add('a directive needs a colon after "bptt", e.g. "# bptt: w=0.9 phi=tanh"', fs, le);
        } else {
          readCheckLine(text, p, le, base, this.checks, sink);
        }
      }
      p = next;
      this.line++;
    }
    return p;
  }

  private resolve(): void {
    if (this.model) return;
    const r = resolveModel(this.file, this.defaults);
    this.model = r.model;
    this.modelSource = r.modelSource;
  }

  private header(text: string, hs: number, he: number): void {
    this.resolve();
    const sink = this.sink;
    const delim = (this.delim = detectDelimiter(text, hs, he, this.format));
    if (delim === TAB) this.reported = 'tsv';
    else if (delim === COMMA || delim === SEMI) this.reported = 'csv';
    const cells = splitLine(text, hs, he, delim, sink);
    const columns = this.columns;
    this.claimSlot = new Int32Array(cells.length).fill(-1);
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k];
      columns.push(cell.value);
      const name = cell.value.trim().toLowerCase();
      if (name === 'x') {
        if (this.xCol < 0) this.xCol = k;
        else sink.add('header has more than one "x" column', cell.start, cell.end);
      } else if (name === 'y') {
        if (this.yCol < 0) this.yCol = k;
        else sink.add('header has more than one "y" column', cell.start, cell.end);
      } else if ((CLAIM_NAMES as readonly string[]).includes(cell.value.trim())) {
        const claim = cell.value.trim();
        if (this.claims.some((c) => c.name === claim)) sink.add(`header has more than one "${claim}" column`, cell.start, cell.end);
        else {
          this.claimSlot[k] = this.claims.length;
          this.claims.push(new ClaimBuilder(claim));
        }
      }
    }
    this.ncols = cells.length;
    this.claimS = new Int32Array(this.claims.length);
    this.claimE = new Int32Array(this.claims.length);
    if (this.xCol < 0) {
      const numeric = columns.every((c) => scanNumber(c, 0, c.length));
      const hint = numeric ? ' (the first line that is not blank or a # comment must be a header such as "x,y")' : '';
      sink.add(`header has no "x" column; found: ${describeColumns(columns)}${hint}`, hs, he);
      this.phase = 'ignore';
      return;
    }
    this.columnsText = describeColumns(columns);
    this.yName = this.yCol >= 0 ? escapeText(columns[this.yCol]) : 'y';
    this.xName = escapeText(columns[this.xCol]);
    this.phase = 'rows';
  }

  // ---- data rows (hot path: one charCodeAt pass, no per-row allocation)
  private rows(text: string, p: number): void {
    const n = text.length;
    const steps = this.steps;
    const base = this.sink.base;
    // The lines from p on (LineIndex has counted their breaks): exact when there are no blank or
    // comment lines, so finish() need not copy.
    const last = text.charCodeAt(n - 1);
    let est = this.lines.count - 1 - this.lines.lineAt(base + p) + (n > p && last !== LF && last !== CR ? 1 : 0);
    if (this.sizeHint > base + n && n > p) {
      // rows to come, at this block's rows per character (once)
      est = Math.ceil((est / (n - p)) * (this.sizeHint - base - p) * 1.01);
      this.sizeHint = 0;
    }
    steps.ensure(steps.length + est);
    this.bce = this.model?.loss === 'bce';
    // One call per line: row() is optimized like any hot function, where one long loop over the block
    // would run on-stack-replaced code that V8 throws away when the loop ends, at every block.
    while (p < n) p = this.row(text, p, n);
  }

  /** Reads the line that starts at rs in text[0, n) (a row, a blank line or a comment); returns where the next one starts. */
  private row(text: string, rs: number, n: number): number {
    const sink = this.sink;
    const base = sink.base;
    const { delim, ncols, xCol, yCol, claimSlot, claimS, claimE } = this;
    const nclaims = this.claims.length;
    const trimTab = delim !== TAB;
    // blank line or comment?
    let i = rs;
    let c = 0;
    while (i < n && ((c = text.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i >= n || c === LF || c === CR) {
      if (i < n) this.line++;
      return nextLineStart(text, i, n);
    }
    if (c === HASH) {
      const le = lineEndFrom(text, i, n);
      const body = directiveBodyStart(text, rs, le);
      if (body >= 0 || body === -2) {
        sink.add('a "# bptt:" directive must come before the header row; move this line above the header', i, le);
      } else {
        readCheckLine(text, rs, le, base, this.checks, sink);
      }
      this.line++;
      return nextLineStart(text, le, n);
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
    // x and y read on the way when their cells are plain decimals (NaN: read them with scanNumber below)
    let xv = NaN;
    let yv = NaN;
    let xRead = false;
    let yRead = false;
    if (nclaims > 0) claimS.fill(-1);
    for (;;) {
      while (i < n && ((c = text.charCodeAt(i)) === SPACE || (c === TAB && trimTab))) i++;
      let cs = i;
      let ce: number;
      const q = col === xCol || col === yCol ? scanDecimal(text, i, n) : -1;
      if (q > i && (q === n || (c = text.charCodeAt(q)) === delim || c === LF || c === CR)) {
        // the whole cell is a plain decimal, its value in NUM[0]
        ce = i = q;
        if (col === xCol) {
          xv = NUM[0];
          xRead = true;
        } else {
          yv = NUM[0];
          yRead = true;
        }
      } else if (i < n && text.charCodeAt(i) === QUOTE) {
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
      } else if (col < ncols && claimSlot[col] >= 0) {
        claimS[claimSlot[col]] = cs;
        claimE[claimSlot[col]] = ce;
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
      const msg = `row has ${plural(col, 'cell')}, but the header has ${plural(ncols, 'column')} (${this.columnsText})`;
      if (col > ncols) sink.add(msg, extraAt, re);
      else sink.add(msg, rs, rowContentEnd);
    }

    if (xs < 0) {
      xs = xe = rowContentEnd;
    } else if (xs === xe) {
      if (!broken) sink.add(`${this.xName} is empty; every row needs an x value`, xs, xe);
    } else if (!xRead) {
      if (scanNumber(text, xs, xe)) xv = NUM[0];
      else if (!broken) sink.add(notANumberMessage(this.xName, text, xs, xe, delim), xs, xe);
    }
    let hy = 0;
    if (ys >= 0 && ys < ye) {
      if (!yRead && !scanNumber(text, ys, ye)) {
        if (!broken) sink.add(notANumberMessage(this.yName, text, ys, ye, delim), ys, ye);
      } else {
        if (!yRead) yv = NUM[0];
        hy = 1;
        if (this.bce && (yv < 0 || yv > 1)) {
          sink.add(
            `${this.yName} = ${escapeText(text.substring(ys, ye))} is outside [0, 1]; the bce loss needs targets between 0 and 1`,
            ys,
            ye,
          );
        }
      }
    }
    if (nclaims > 0) readClaimCells(text, base, this.claims, claimS, claimE, delim, broken ? undefined : sink);
    this.steps.push(xv, yv, hy, this.line++, base + xs, base + xe, ys < 0 ? -1 : base + ys, ys < 0 ? -1 : base + ye, base + rs, base + re);
    return nextLineStart(text, re, n);
  }

  /** The input cannot be read: this error alone is reported, and nothing more is read. */
  fail(message: string, start: number, end: number): void {
    this.failed = true;
    this.phase = 'ignore';
    this.sink.clear();
    this.sink.base = 0;
    this.sink.add(message, start, end);
  }

  finish(): ParsedSequence {
    const sink = this.sink;
    const eol = this.eol === '' ? '\n' : this.eol;
    if (this.failed) {
      // reported already
    } else if (this.headerStart < 0) {
      sink.add('no header row: the first line that is not blank or a # comment must name the columns, e.g. "x,y"', this.n, this.n);
    } else if (this.phase === 'rows' && this.steps.length === 0) {
      sink.add('no data rows: the file has a header but no values below it', this.headerStart, this.headerEnd);
    }
    this.resolve();
    const layout: DirectiveLayout = this.hasDirective
      ? this.headerStart >= 0
        ? { start: this.headerStart, end: this.headerStart, before: '', after: eol }
        : endOfTextLayout(this.n, this.last, eol)
      : { start: this.directiveOffset, end: this.directiveOffset, before: '', after: eol };
    const arrays = this.steps.finish();
    return {
      format: this.reported,
      model: this.model!,
      modelSource: this.modelSource!,
      hasDirective: this.hasDirective,
      ...(this.truncation.truncate !== undefined || this.truncation.horizon !== undefined ? { truncation: { ...this.truncation } } : {}),
      directiveOffset: this.directiveOffset,
      ...arrays,
      columns: this.columns,
      checks: this.checks.finish(this.lines),
      claimColumns: this.claims.map((c) => c.finish(arrays.T)),
      errors: sink.finish(this.n, this.lines),
      directiveLayout: layout,
    };
  }
}

/** Parses a CSV / TSV sequence text (delimiter detected from the header line). Never throws. */
export function parseDelimited(text: string, format: SequenceFormat, defaults?: CallerDefaults): ParsedSequence {
  const reader = new DelimitedReader(format, defaults);
  reader.feed(text, 0);
  return reader.finish();
}
