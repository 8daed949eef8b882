/**
 * `bptt-lens FILE` on a vector-model file: the weights read (a path relative to FILE, wherever it
 * leads: the CLI reads what its user names), the model resolved with located errors, the pass
 * run (the tuned kernel, bit for bit with the reference), and the trace printed (--json, or the readable summary).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { runVectorBptt } from '../core/vector/kernel';
import { isMemoryError } from '../parse/failed';
import { parseVectorSequence, resolveVectorModel, type ParsedVectorSequence } from '../parse/vector';
import { readTensorFile, type TensorEntry } from '../parse/weights';
import type { ParseError } from '../parse';
import { EXIT_BAD, EXIT_OK, InputError, locatedErrors, shown } from './errors';
import type { Options } from './args';
import { stderr, stdout } from './output';
import { vectorJsonChunks, vectorSummaryChunks } from './vectorOutput';
import { escapeText } from '../parse/errors';

function at(loc: ParsedVectorSequence['xAt'], message: string): ParseError {
  return { message, line: loc?.line ?? 0, col: loc?.col ?? 0, endLine: loc?.endLine ?? 0, endCol: loc?.endCol ?? 0 };
}

/** The weights' tensors: inline, or read from the file named (relative to FILE's folder; stdin: the working folder). */
export async function weightsTensors(parsed: ParsedVectorSequence, file: string): Promise<{ tensors?: TensorEntry[]; errors: ParseError[] }> {
  const source = parsed.weights!;
  if (source.kind === 'inline') return { errors: [] };
  const path = resolve(file === '-' ? '.' : dirname(file), source.path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : escapeText(String((e as Error).message ?? e), 200);
    return { errors: [at(source.at, `cannot read the weights file ${shown(source.path)} (${shown(path)}): ${why}`)] };
  }
  const r = await readTensorFile(bytes, source.path);
  if (!r.ok) return { errors: r.problems.map((p) => at(source.at, `${shown(source.path)}: ${p.tensor && !p.message.includes(p.tensor) ? `${p.tensor}: ` : ''}${p.message}`)) };
  return { tensors: r.tensors, errors: [] };
}

/** Parses text, reads the weights and runs the pass: the trace, or located errors. Shared by the CLI and the tests. */
export async function vectorTrace(text: string, options: Pick<Options, 'format' | 'defaults'>, file: string) {
  const parsed = parseVectorSequence(text, options.format, options.defaults);
  if (parsed.errors.length > 0) return { parsed, errors: parsed.errors };
  const weights = await weightsTensors(parsed, file);
  if (weights.errors.length > 0) return { parsed, errors: weights.errors };
  const model = resolveVectorModel(parsed, weights.tensors);
  if (!model.ok) return { parsed, errors: model.errors };
  const trace = runVectorBptt(model.model, { T: parsed.T, x: parsed.x, y: parsed.y, hasY: parsed.hasY });
  return { parsed, errors: [] as ParseError[], trace };
}

export async function analyzeVector(text: string, options: Options): Promise<number> {
  const { file } = options;
  if (options.output === 'csv') throw new InputError(`${shown(file)}: --csv writes one number a field; a vector-model file's steps are vectors: use --json`);
  if (options.truncate !== undefined || options.horizon !== undefined) throw new InputError(`${shown(file)}: --truncate and --horizon are not available for vector-model files yet`);
  let result: Awaited<ReturnType<typeof vectorTrace>>;
  try {
    result = await vectorTrace(text, options, file);
  } catch (e) {
    if (isMemoryError(e)) throw new InputError(`${shown(file)}: not enough memory for the trace of this file`);
    throw e;
  }
  if (result.errors.length > 0 || !result.trace) {
    await stderr().write(locatedErrors(file, result.errors) + '\n');
    return EXIT_BAD;
  }
  const { parsed, trace } = result;
  const out = stdout();
  if (options.output === 'json') await out.writeAll(vectorJsonChunks(trace, parsed.line, parsed.settings.layout, options.steps));
  else await out.writeAll(vectorSummaryChunks(trace, parsed.line, parsed.settings.layout, shown(file), options.rows));
  return EXIT_OK;
}
