/**
 * The CLI's input: a file (or stdin) parsed from its bytes in 1 MB chunks, so files of any size up
 * to memory work (no string of the whole file, no V8 string limit); and the memory a trace needs,
 * checked before it is allocated.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as os from 'node:os';
import { formatMB } from '../shared/mb';
import { parseSequenceBytes, type CallerDefaults, type ParsedSequence, type SequenceFormat } from '../parse';
import { InputError, locatedErrors, readErrorMessage, shown } from './errors';

/** Parses FILE ("-" for stdin). Throws only when the file cannot be read. */
export async function readSequence(file: string, format: SequenceFormat, defaults: CallerDefaults, chunks?: Uint8Array[]): Promise<ParsedSequence> {
  if (chunks) return parseSequenceBytes(chunks, format, defaults);
  if (file === '-') return parseSequenceBytes(process.stdin, format, defaults);
  const { size } = await stat(file);
  return parseSequenceBytes(createReadStream(file, { highWaterMark: 1 << 20 }), format, defaults, size);
}

/**
 * A subcommand's input: FILE (or stdin's bytes, when already read) read and parsed, its trace known to fit in memory. An unreadable file,
 * parse errors (FILE:LINE:COL: message each) or too little memory end the command with exit 2.
 */
export async function readValidSequence(file: string, format: SequenceFormat, defaults: CallerDefaults, chunks?: Uint8Array[]): Promise<ParsedSequence> {
  let parsed: ParsedSequence;
  try {
    parsed = await readSequence(file, format, defaults, chunks);
  } catch (e) {
    throw new InputError(readErrorMessage(file === '-' ? 'stdin' : file, e));
  }
  if (parsed.errors.length > 0) throw new InputError(locatedErrors(file, parsed.errors));
  const memory = traceMemoryProblem(parsed.T);
  if (memory) throw new InputError(`${shown(file)}: ${memory}`);
  return parsed;
}

/** Bytes per step of a trace (s, h, ∂L/∂s as Float64Array) and of the output's per-chunk buffers, with a margin. */
export const TRACE_BYTES_PER_STEP = 32;

/**
 * Why the machine cannot hold the trace of `T` steps, or undefined when it can: the estimate is
 * compared with the memory the system reports available (typed arrays live outside V8's heap, so
 * its limit does not bound them; running short of them would end in an allocation failure).
 */
export function traceMemoryProblem(T: number, available = availableMemory()): string | undefined {
  const need = T * TRACE_BYTES_PER_STEP;
  if (need <= available) return undefined;
  return `not enough memory: the trace of ${T.toLocaleString('en-US')} steps needs about ${formatMB(need)}, and about ${formatMB(available)} is available`;
}

function availableMemory(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = constrained && constrained > 0 ? Math.min(constrained, os.totalmem()) : os.totalmem();
  return Math.max(0, Math.max(os.freemem(), total - process.memoryUsage.rss()));
}
