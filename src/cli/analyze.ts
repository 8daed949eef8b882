/**
 * `bptt-lens FILE [options]`: parse, run BPTT, print the trace (table, --json or --csv), with
 * parse errors and the trace's warnings on stderr as FILE:LINE:COL: … .
 */
import { readFile } from 'node:fs/promises';
import { runBptt, traceCsvChunks, traceJsonChunks, traceWarnings, type Trace, type TraceWarning } from '../core';
import { parseSequence, type ParsedSequence } from '../parse';
import { EXIT_BAD, EXIT_OK, InputError, readErrorMessage, shown } from './errors';
import { parseArgs } from './args';
import { stderr, stdout } from './output';
import { renderTableChunks } from './table';
import { USAGE } from './usage';

/** The thresholds of the extension's defaults (bpttLens.vanishingThreshold / explodingThreshold). */
const THRESHOLDS = { vanishing: 1e-6, exploding: 1e6 };

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    throw new InputError(readErrorMessage(file === '-' ? 'stdin' : file, e));
  }
}

/** 1-based column of step i's row (CSV/TSV: 1) or x element (JSON). */
function stepCol(text: string, parsed: ParsedSequence, i: number): number {
  if (parsed.format !== 'json') return 1;
  const at = parsed.rowStart[i];
  let k = at;
  while (k > 0 && text.charCodeAt(k - 1) !== 10 && text.charCodeAt(k - 1) !== 13) k--;
  return at - k + 1;
}

interface LocatedWarning extends TraceWarning {
  line: number;
  col: number;
}

function locate(text: string, parsed: ParsedSequence, trace: Trace): LocatedWarning[] {
  return traceWarnings(trace, THRESHOLDS).map((w) => ({ ...w, line: parsed.line[w.t - 1] + 1, col: stepCol(text, parsed, w.t - 1) }));
}

export async function analyze(argv: readonly string[], current: { file?: string }): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    await stdout().write(USAGE);
    return EXIT_OK;
  }
  const { file } = options;
  current.file = file;
  const text = await readInput(file);
  const name = shown(file);
  const parsed = parseSequence(text, options.format, options.defaults);
  if (parsed.errors.length > 0) {
    let msg = '';
    for (const e of parsed.errors) msg += `${name}:${e.line + 1}:${e.col + 1}: ${e.message}\n`;
    await stderr().write(msg);
    return EXIT_BAD;
  }
  const trace = runBptt(parsed.model, parsed);
  const warnings = locate(text, parsed, trace);
  if (warnings.length > 0) await stderr().write(warnings.map((w) => `${name}:${w.line}:${w.col}: warning: ${w.message}\n`).join(''));
  const out = stdout();
  if (options.output === 'json') {
    const extra = { warnings: warnings.map((w) => ({ code: w.code, t: w.t, line: w.line, message: w.message })) };
    await out.writeAll(traceJsonChunks(trace, parsed.line, extra));
  } else if (options.output === 'csv') await out.writeAll(traceCsvChunks(trace, parsed.line));
  else await out.writeAll(renderTableChunks(trace, parsed, file, options.rows));
  return EXIT_OK;
}
