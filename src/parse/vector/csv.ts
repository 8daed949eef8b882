/**
 * CSV / TSV vector-model files: `# bptt: weights=model.safetensors phi=tanh …` above a header whose
 * columns are x1 … xm (or x) and y1 … yk (or y), or label (a class index) for cross_entropy.
 * A step whose y cells are all empty has no target. Other columns are ignored, as in scalar files.
 */
import { parseNumber } from '../numbers';
import type { CallerDefaults, SequenceFormat } from '../types';
import { ErrorSink, escapeText, quote } from '../errors';
import { LineIndex } from '../lines';
import { directiveBodyStart, forEachDirectivePair } from '../directive';
import { nulMessage } from '../encoding';
import { NUM, scanNumber } from '../numbers';
import {
  HASH, TAB, type Cell, describeColumns, detectDelimiter, lineEndFrom, nextLineStart, notANumberMessage, plural, skipBlanks, splitLine,
} from '../csvCells';
import { VectorSteps, finishVector, sourceLoc } from './build';
import { isVectorChoiceKey, resolveVectorSettings, vectorChoiceProblem, vectorKeyProblem } from './settings';
import type { GradsSource, ParsedVectorSequence, SourceLoc, VectorSettings, WeightsSource } from './types';

/** What a directive line sets; the weights path with where it is written. */
interface DirectiveValues {
  file: Partial<VectorSettings>;
  weights?: WeightsSource;
  grads?: GradsSource;
  h0?: [number, number];
}

/** The `key=value` pairs of a vector file's directive body text[start, end), every problem at its token. */
export function readVectorDirective(text: string, start: number, end: number, sink: ErrorSink, out: DirectiveValues): void {
  forEachDirectivePair(text, start, end, sink, (key, ks, ke, eq, vs, ve) => {
    const problem = vectorKeyProblem(key);
    if (problem) return sink.add(problem, ks, ke);
    if (ve === vs) return sink.add(`missing value for ${key} (write ${key}=<value>)`, ks, eq + 1);
    const value = text.substring(vs, ve);
    if (key === 'weights') {
      out.weights = { kind: 'file', path: value, start: vs, end: ve };
    } else if (key === 'grads') {
      out.grads = { path: value, start: vs, end: ve };
    } else if (key === 'h0') {
      const parts = value.split(';');
      const h0 = new Float64Array(parts.length);
      for (let i = 0; i < parts.length; i++) {
        const n = parseNumber(parts[i]);
        if (n === undefined || !Number.isFinite(n)) {
          return sink.add(`h0 must be a finite number, or one for each hidden unit separated by ";" (h0=0.1;0;-0.2), got ${quote(value)}`, vs, ve);
        }
        h0[i] = n;
      }
      out.file.h0 = h0;
      out.h0 = [vs, ve];
    } else if (isVectorChoiceKey(key)) {
      const bad = vectorChoiceProblem(key, value);
      if (bad) sink.add(bad, vs, ve);
      else (out.file as Record<string, string>)[key] = value;
    }
  });
}

/** The x or y columns of the header: `x` alone, or x1 … xm in any order. */
function numberedColumns(cells: Cell[], letter: string, sink: ErrorSink, hs: number, he: number): number[] {
  const plain: number[] = [];
  const byIndex = new Map<number, number>();
  const re = new RegExp(`^${letter}(\\d*)$`, 'i');
  for (let k = 0; k < cells.length; k++) {
    const m = re.exec(cells[k].value.trim());
    if (!m) continue;
    if (m[1] === '') plain.push(k);
    else if (byIndex.has(Number(m[1]))) sink.add(`header has more than one ${quote(cells[k].value.trim())} column`, cells[k].start, cells[k].end);
    else byIndex.set(Number(m[1]), k);
  }
  if (plain.length > 0 && byIndex.size > 0) {
    sink.add(`header has both "${letter}" and numbered ${letter} columns; use ${letter} alone (one value) or ${letter}1 … ${letter}n`, hs, he);
    return [];
  }
  if (plain.length > 1) sink.add(`header has more than one "${letter}" column`, cells[plain[1]].start, cells[plain[1]].end);
  if (plain.length > 0) return [plain[0]];
  const cols: number[] = [];
  for (let j = 1; j <= byIndex.size; j++) {
    const k = byIndex.get(j);
    if (k === undefined) {
      sink.add(`header has ${letter}-columns up to ${letter}${Math.max(...byIndex.keys())} but no "${letter}${j}"; number them ${letter}1 … ${letter}${byIndex.size}`, hs, he);
      return [];
    }
    cols.push(k);
  }
  return cols;
}

/** Parses a vector-model CSV / TSV text. Never throws (the caller guards it). */
export function parseVectorDelimited(text: string, format: SequenceFormat, defaults?: CallerDefaults): ParsedVectorSequence {
  const sink = new ErrorSink();
  const lines = new LineIndex(text);
  const steps = new VectorSteps();
  const dir: DirectiveValues = { file: {} };
  const n = text.length;
  let reported: SequenceFormat = format === 'tsv' ? 'tsv' : 'csv';
  const columns: string[] = [];
  let xCols: number[] = [];
  let yCols: number[] = [];
  let labelCol = -1;
  let hasDirective = false;
  /** The x and target header cells, for resolveVectorModel's m/k messages. */
  const at: { x?: SourceLoc; y?: SourceLoc } = {};
  const done = (settings: VectorSettings) =>
    finishVector(steps, {
      format: reported, settings, weights: dir.weights ? { ...dir.weights, at: sourceLoc(lines, dir.weights.start, dir.weights.end) } : null,
      xWidth: Math.max(1, xCols.length), yWidth: labelCol >= 0 ? 1 : Math.max(1, yCols.length), columns, hasDirective,
      errors: sink.finish(n, lines), ...(at.x ? { xAt: at.x } : {}), ...(at.y ? { yAt: at.y } : {}),
      ...(dir.h0 ? { h0At: sourceLoc(lines, dir.h0[0], dir.h0[1]) } : {}),
      ...(dir.grads ? { grads: { ...dir.grads, at: sourceLoc(lines, dir.grads.start, dir.grads.end) } } : {}),
    });
  const z = text.indexOf('\0');
  if (z >= 0) {
    sink.add(nulMessage(text, 0, z, lines), z, z + 1);
    return done(resolveVectorSettings({}, defaults));
  }

  // ---- directive and comment lines, then the header
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  let hs = -1;
  let he = -1;
  while (p < n) {
    const le = lineEndFrom(text, p, n);
    const fs = skipBlanks(text, p, le);
    if (fs < le && text.charCodeAt(fs) !== HASH) {
      hs = p;
      he = le;
      break;
    }
    const body = fs < le ? directiveBodyStart(text, p, le) : -1;
    if (body >= 0) {
      hasDirective = true;
      readVectorDirective(text, body, le, sink, dir);
    } else if (body === -2) sink.add('a directive needs a colon after "bptt", e.g. "# bptt: weights=model.safetensors"', fs, le);
    p = nextLineStart(text, le, n);
    line++;
  }
  const settings = resolveVectorSettings(dir.file, defaults);
  if (!dir.weights) return done(settings); // not a vector file after all: the caller dispatches on isVectorText
  if (hs < 0) {
    sink.add('no header row: the first line that is not blank or a # comment must name the columns, e.g. "x1,x2,y"', n, n);
    return done(settings);
  }
  const delim = detectDelimiter(text, hs, he, format);
  if (delim === TAB) reported = 'tsv';
  const cells = splitLine(text, hs, he, delim, sink);
  for (const c of cells) columns.push(c.value);
  xCols = numberedColumns(cells, 'x', sink, hs, he);
  yCols = numberedColumns(cells, 'y', sink, hs, he);
  for (let k = 0; k < cells.length; k++) if (cells[k].value.trim().toLowerCase() === 'label') labelCol = labelCol < 0 ? k : labelCol;
  const crossEntropy = settings.loss === 'cross_entropy';
  if (xCols.length === 0) {
    if (sink.count === 0) sink.add(`header has no x columns; found: ${describeColumns(columns)} (name them x1 … xm, or x)`, hs, he);
    return done(settings);
  }
  at.x = sourceLoc(lines, cells[xCols[0]].start, cells[xCols[xCols.length - 1]].end);
  if (labelCol >= 0 && yCols.length > 0) sink.add('header has both "label" and y columns; cross_entropy reads "label", the other losses y1 … yk', hs, he);
  else if (labelCol >= 0 && !crossEntropy) sink.add(`a "label" column is a class index for loss=cross_entropy, but the loss is ${settings.loss}; name the targets y1 … yk`, cells[labelCol].start, cells[labelCol].end);
  else if (crossEntropy && yCols.length > 1) sink.add('loss=cross_entropy takes one class index a step: name that column "label"', hs, he);
  if (labelCol >= 0) at.y = sourceLoc(lines, cells[labelCol].start, cells[labelCol].end);
  else if (yCols.length > 0) at.y = sourceLoc(lines, cells[yCols[0]].start, cells[yCols[yCols.length - 1]].end);
  const targets = labelCol >= 0 ? [labelCol] : yCols;
  const names = columns.map((c) => escapeText(c.trim()));
  p = nextLineStart(text, he, n);
  line++;

  // ---- data rows: every x cell a number; the y cells all numbers (a target) or all empty (none)
  while (p < n) {
    const le = lineEndFrom(text, p, n);
    const fs = skipBlanks(text, p, le);
    if (fs < le && text.charCodeAt(fs) === HASH) {
      if (directiveBodyStart(text, p, le) !== -1) sink.add('a "# bptt:" directive must come before the header row; move this line above the header', fs, le);
    } else if (fs < le) {
      readRow(p, le, line);
    }
    p = nextLineStart(text, le, n);
    line++;
  }
  if (steps.T === 0 && sink.count === 0) sink.add('no data rows: the file has a header but no values below it', hs, he);
  return done(settings);

  function readRow(rs: number, re: number, ln: number): void {
    const row = splitLine(text, rs, re, delim, sink);
    if (row.length !== cells.length) {
      sink.add(`row has ${plural(row.length, 'cell')}, but the header has ${plural(cells.length, 'column')} (${describeColumns(columns)})`, rs, re);
    }
    for (const k of xCols) {
      const c = row[k];
      if (c === undefined) steps.x.push(NaN);
      else if (c.start === c.end) {
        sink.add(`${names[k]} is empty; every row needs all its x values`, c.start, c.end);
        steps.x.push(NaN);
      } else if (scanNumber(text, c.start, c.end)) steps.x.push(NUM[0]);
      else {
        sink.add(notANumberMessage(names[k], text, c.start, c.end, delim), c.start, c.end);
        steps.x.push(NaN);
      }
    }
    let filled = 0;
    for (const k of targets) if (row[k] !== undefined && row[k].start < row[k].end) filled++;
    const first = targets.length > 0 ? row[targets[0]] : undefined;
    steps.hasY.push(filled > 0 && filled === targets.length ? 1 : 0);
    steps.yLine.push(filled > 0 ? ln : -1);
    steps.yCol.push(filled > 0 && first ? first.start - lines.starts[ln] : -1);
    for (const k of targets.length > 0 ? targets : [-1]) {
      const c = k >= 0 ? row[k] : undefined;
      if (filled === 0 || c === undefined) {
        steps.y.push(NaN);
      } else if (c.start === c.end) {
        sink.add(`${names[k]} is empty but other targets of this row are not; leave every y cell empty for a step without a target`, c.start, c.end);
        steps.y.push(NaN);
      } else if (!scanNumber(text, c.start, c.end)) {
        sink.add(notANumberMessage(names[k], text, c.start, c.end, delim), c.start, c.end);
        steps.y.push(NaN);
      } else {
        const v = NUM[0];
        if (crossEntropy && !(Number.isInteger(v) && v >= 0)) sink.add(`${names[k]}: ${quote(text.substring(c.start, c.end))} is not a class index (0, 1, 2, …)`, c.start, c.end);
        steps.y.push(v);
      }
    }
    steps.line.push(ln);
    steps.rowStart.push(rs);
    steps.rowEnd.push(re);
  }
}
