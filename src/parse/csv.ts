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
import { scanNumber } from './numbers';
import { type RowLayout, RowReader } from './csvRows';
import { type FileValues, resolveModel } from './resolve';
import { StepArrays } from './steps';
import { CheckList, ClaimBuilder, readCheckLine } from './checks';
import {
  COMMA, HASH, LF, SEMI, TAB, describeColumns, detectDelimiter, endOfTextLayout, lineEndFrom, nextLineStart, skipBlanks, splitLine,
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
  private readonly claims: ClaimBuilder[] = [];
  /** Set by the header: reads the rows. */
  private rowReader: RowReader | undefined;

  /**
   * sizeHint: the whole text's length if known (a file's size in bytes is close enough), to size the
   * step arrays from the first rows instead of growing them.
   */
  constructor(
    private readonly format: SequenceFormat,
    private readonly defaults?: CallerDefaults,
    private readonly sizeHint = 0,
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
    const z = text.indexOf('\0');
    if (z >= 0) {
      this.lines.append(text, base);
      return this.fail(nulMessage(text, base, z, this.lines), base + z, base + z + 1);
    }
    this.sink.base = base;
    let p = 0;
    if (base === 0 && text.charCodeAt(0) === 0xfeff) p = this.directiveOffset = 1;
    if (this.phase === 'lead') p = this.lead(text, p, base);
    // the row reader adds the line starts of the lines it reads (no second pass over them)
    if (this.phase === 'rows') {
      this.lines.append(text, base, p);
      this.rowReader!.rows(text, p);
    } else {
      this.lines.append(text, base);
    }
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
    const delim = detectDelimiter(text, hs, he, this.format);
    if (delim === TAB) this.reported = 'tsv';
    else if (delim === COMMA || delim === SEMI) this.reported = 'csv';
    const cells = splitLine(text, hs, he, delim, sink);
    const columns = this.columns;
    const claimSlot = new Int32Array(cells.length).fill(-1);
    let xCol = -1;
    let yCol = -1;
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k];
      columns.push(cell.value);
      const name = cell.value.trim().toLowerCase();
      if (name === 'x') {
        if (xCol < 0) xCol = k;
        else sink.add('header has more than one "x" column', cell.start, cell.end);
      } else if (name === 'y') {
        if (yCol < 0) yCol = k;
        else sink.add('header has more than one "y" column', cell.start, cell.end);
      } else if ((CLAIM_NAMES as readonly string[]).includes(cell.value.trim())) {
        const claim = cell.value.trim();
        if (this.claims.some((c) => c.name === claim)) sink.add(`header has more than one "${claim}" column`, cell.start, cell.end);
        else {
          claimSlot[k] = this.claims.length;
          this.claims.push(new ClaimBuilder(claim));
        }
      }
    }
    if (xCol < 0) {
      const numeric = columns.every((c) => scanNumber(c, 0, c.length));
      const hint = numeric ? ' (the first line that is not blank or a # comment must be a header such as "x,y")' : '';
      sink.add(`header has no "x" column; found: ${describeColumns(columns)}${hint}`, hs, he);
      this.phase = 'ignore';
      return;
    }
    const layout: RowLayout = {
      delim,
      ncols: cells.length,
      xCol,
      yCol,
      xName: escapeText(columns[xCol]),
      yName: yCol >= 0 ? escapeText(columns[yCol]) : 'y',
      columnsText: describeColumns(columns),
      claimSlot,
      claims: this.claims,
      bce: this.model?.loss === 'bce',
    };
    this.rowReader = new RowReader(layout, sink, this.steps, this.checks, this.lines, this.line + 1, this.sizeHint);
    this.phase = 'rows';
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
