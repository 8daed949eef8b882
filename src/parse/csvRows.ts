/**
 * The data rows of a CSV/TSV sequence (csv.ts reads the lines before them and the header): the hot path,
 * one charCodeAt pass per line and no per-row allocation.
 */
import type { ErrorSink } from './errors';
import { escapeText } from './errors';
import type { LineIndex } from './lines';
import { directiveBodyStart } from './directive';
import { NUM, scanDecimal, scanNumber } from './numbers';
import type { StepArrays } from './steps';
import { type CheckList, type ClaimBuilder, readCheckLine } from './checks';
import {
  CR, HASH, LF, QUOTE, SPACE, TAB, countLines, isBlank, lineEndFrom, nextLineStart, notANumberMessage, plural, readClaimCells, readQuoted,
} from './csvCells';

/** What the header tells the rows: the delimiter, where x, y and the claims are, and their names for messages. */
export interface RowLayout {
  delim: number;
  ncols: number;
  xCol: number;
  /** -1: no y column. */
  yCol: number;
  xName: string;
  yName: string;
  columnsText: string;
  /** claimSlot[col] = index into claims, or -1. */
  claimSlot: Int32Array;
  claims: ClaimBuilder[];
  /** The loss is bce: y must lie in [0, 1]. */
  bce: boolean;
}

/** Reads data rows into steps, block by block; errors go to sink (whose base is the block's offset). */
export class RowReader {
  /** Whether rows() sizes the step arrays from each block's line count (until the size hint has been used). */
  private counting = true;
  /** The claim cells' ranges in the row being read (-1: none). */
  private readonly claimS: Int32Array;
  private readonly claimE: Int32Array;

  /**
   * line: the 0-based line of the first row. sizeHint: the whole text's length if known, to size the
   * step arrays once from the first block's rows per character.
   */
  constructor(
    private readonly layout: RowLayout,
    private readonly sink: ErrorSink,
    private readonly steps: StepArrays,
    private readonly checks: CheckList,
    private readonly lines: LineIndex,
    public line: number,
    private readonly sizeHint: number,
  ) {
    this.claimS = new Int32Array(layout.claims.length);
    this.claimE = new Int32Array(layout.claims.length);
  }

  /** Reads the lines of text[p, n), a block of whole lines. */
  rows(text: string, p: number): void {
    const n = text.length;
    const steps = this.steps;
    const base = this.sink.base;
    // Room for this block's lines (exact when every line is a row, so finish() need not copy); once
    // the whole text's size is known, for the rows to come at this block's rows per character instead.
    if (this.counting) {
      let est = countLines(text, p, n);
      if (this.sizeHint > base + n && n > p) {
        est = Math.ceil((est / (n - p)) * (this.sizeHint - base - p) * 1.01);
        this.counting = false;
      }
      steps.ensure(steps.length + est);
    }
    // One call per line: row() is optimized like any hot function, where one long loop over the block
    // would run on-stack-replaced code that V8 throws away when the loop ends, at every block.
    while (p < n) p = this.row(text, p, n);
  }

  /** Reads the line that starts at rs in text[0, n) (a row, a blank line or a comment); returns where the next one starts. */
  private row(text: string, rs: number, n: number): number {
    const sink = this.sink;
    const base = sink.base;
    const { delim, ncols, xCol, yCol, claimSlot, claims } = this.layout;
    const { claimS, claimE } = this;
    const nclaims = claims.length;
    const trimTab = delim !== TAB;
    // blank line or comment?
    let i = rs;
    let c = 0;
    while (i < n && ((c = text.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i >= n || c === LF || c === CR) {
      if (i < n) this.line++;
      return this.next(text, i, n);
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
      return this.next(text, le, n);
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
      const msg = `row has ${plural(col, 'cell')}, but the header has ${plural(ncols, 'column')} (${this.layout.columnsText})`;
      if (col > ncols) sink.add(msg, extraAt, re);
      else sink.add(msg, rs, rowContentEnd);
    }

    if (xs < 0) {
      xs = xe = rowContentEnd;
    } else if (xs === xe) {
      if (!broken) sink.add(`${this.layout.xName} is empty; every row needs an x value`, xs, xe);
    } else if (!xRead) {
      if (scanNumber(text, xs, xe)) xv = NUM[0];
      else if (!broken) sink.add(notANumberMessage(this.layout.xName, text, xs, xe, delim), xs, xe);
    }
    let hy = 0;
    if (ys >= 0 && ys < ye) {
      if (!yRead && !scanNumber(text, ys, ye)) {
        if (!broken) sink.add(notANumberMessage(this.layout.yName, text, ys, ye, delim), ys, ye);
      } else {
        if (!yRead) yv = NUM[0];
        hy = 1;
        if (this.layout.bce && (yv < 0 || yv > 1)) {
          sink.add(
            `${this.layout.yName} = ${escapeText(text.substring(ys, ye))} is outside [0, 1]; the bce loss needs targets between 0 and 1`,
            ys,
            ye,
          );
        }
      }
    }
    if (nclaims > 0) readClaimCells(text, base, claims, claimS, claimE, delim, broken ? undefined : sink);
    this.steps.push(xv, yv, hy, this.line++, base + xs, base + xe, ys < 0 ? -1 : base + ys, ys < 0 ? -1 : base + ye, base + rs, base + re);
    return this.next(text, re, n);
  }

  /** Where the line that ends at le is followed by the next one; a line break there is added to the line table. */
  private next(text: string, le: number, n: number): number {
    if (le >= n) return n;
    const next = nextLineStart(text, le, n);
    this.lines.add(this.sink.base + next);
    return next;
  }
}
