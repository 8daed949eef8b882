/**
 * `bptt-lens FILE [options]`: parse, run BPTT, print the trace (table, --json or --csv), with
 * parse errors and the trace's warnings on stderr as FILE:LINE:COL: … .
 */
import { readFile, stat } from 'node:fs/promises';
import { runBptt, traceCsvChunks, traceJsonChunks, traceWarnings, type TraceWarning } from '../core';
import { parseSequenceBytes, type CallerDefaults, type ParsedSequence, type SequenceFormat } from '../parse';
import { classifyInput, type Input } from './vectorInput';
import { analyzeVector } from './vector';
import { MB } from '../shared/mb';
import { EXIT_BAD, EXIT_OK, InputError, readErrorMessage, shown } from './errors';
import { parseArgs } from './args';
import { readSequence, traceMemoryProblem } from './readInput';
import { stderr, stdout } from './output';
import { renderTableChunks } from './table';
import { USAGE } from './usage';
import { runTruncation, truncationJsonChunks, truncationText, type TruncationSpec } from './flow';

/** The thresholds of the extension's defaults (bpttLens.vanishingThreshold / explodingThreshold). */
const THRESHOLDS = { vanishing: 1e-6, exploding: 1e6 };

async function read(file: string, options: { format: SequenceFormat; defaults: CallerDefaults }): Promise<ParsedSequence> {
  try {
    return await readSequence(file, options.format, options.defaults);
  } catch (e) {
    throw new InputError(readErrorMessage(file === '-' ? 'stdin' : file, e));
  }
}

/**
 * The text a JSON warning's column is counted in. The parse streamed the bytes and kept no text, so
 * it is read again, only when a JSON file has warnings and is small enough to hold as one string;
 * otherwise (stdin, huge files) the column is 1.
 */
async function columnText(file: string, parsed: ParsedSequence): Promise<string | undefined> {
  if (parsed.format !== 'json' || file === '-') return undefined;
  try {
    return (await stat(file)).size <= COLUMN_TEXT_LIMIT ? await readFile(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
const COLUMN_TEXT_LIMIT = 64 * MB;

/** 1-based column of step i's row (CSV/TSV: 1) or x element (JSON). */
function stepCol(text: string | undefined, parsed: ParsedSequence, i: number): number {
  if (parsed.format !== 'json' || text === undefined) return 1;
  const at = parsed.rowStart[i];
  let k = at;
  while (k > 0 && text.charCodeAt(k - 1) !== 10 && text.charCodeAt(k - 1) !== 13) k--;
  return at - k + 1;
}

interface LocatedWarning extends TraceWarning {
  line: number;
  col: number;
}

function locate(text: string | undefined, parsed: ParsedSequence, found: TraceWarning[]): LocatedWarning[] {
  return found.map((w) => ({ ...w, line: parsed.line[w.t - 1] + 1, col: stepCol(text, parsed, w.t - 1) }));
}

export async function analyze(argv: readonly string[], current: { file?: string }): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    await stdout().write(USAGE);
    return EXIT_OK;
  }
  const { file } = options;
  current.file = file;
  const name = shown(file);
  let input: Input;
  try {
    input = await classifyInput(file, options.format);
  } catch (e) {
    throw new InputError(readErrorMessage(file === '-' ? 'stdin' : file, e));
  }
  if (input.kind === 'vector') return analyzeVector(input.text, options);
  if (!options.steps) throw new InputError(`${name}: --no-steps is for vector-model files (files that name weights); a scalar file's --json always lists its steps`);
  const parsed = input.chunks ? await parseSequenceBytes(input.chunks, options.format, options.defaults) : await read(file, options);
  if (parsed.errors.length > 0) {
    let msg = '';
    for (const e of parsed.errors) msg += `${name}:${e.line + 1}:${e.col + 1}: ${e.message}\n`;
    await stderr().write(msg);
    return EXIT_BAD;
  }
  const memory = traceMemoryProblem(parsed.T);
  if (memory) throw new InputError(`${name}: ${memory}`);
  // The flags win over the file's directive; truncate wins over horizon when a file sets both.
  const spec: TruncationSpec | undefined =
    options.truncate !== undefined ? { truncate: options.truncate }
    : options.horizon !== undefined ? { horizon: options.horizon }
    : parsed.truncation?.truncate !== undefined ? { truncate: parsed.truncation.truncate }
    : parsed.truncation?.horizon !== undefined ? { horizon: parsed.truncation.horizon }
    : undefined;
  const truncation = spec && runTruncation(parsed.model, parsed, spec);
  const trace = truncation ? truncation.full : runBptt(parsed.model, parsed);
  const found = traceWarnings(trace, THRESHOLDS);
  const warnings = locate(found.length > 0 ? await columnText(file, parsed) : undefined, parsed, found);
  if (warnings.length > 0) await stderr().write(warnings.map((w) => `${name}:${w.line}:${w.col}: warning: ${w.message}\n`).join(''));
  const out = stdout();
  if (truncation && options.output === 'json') await out.writeAll(truncationJsonChunks(truncation, parsed.line));
  else if (truncation && options.output === 'table') {
    await out.writeAll(renderTableChunks(trace, parsed, file, options.rows));
    await out.write(truncationText(truncation));
  } else if (options.output === 'json') {
    const extra = { warnings: warnings.map((w) => ({ code: w.code, t: w.t, line: w.line, message: w.message })) };
    await out.writeAll(traceJsonChunks(trace, parsed.line, extra));
  } else if (options.output === 'csv') await out.writeAll(traceCsvChunks(trace, parsed.line));
  else await out.writeAll(renderTableChunks(trace, parsed, file, options.rows));
  return EXIT_OK;
}
