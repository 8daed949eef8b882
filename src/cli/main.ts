/**
 * bptt-lens FILE [--json | --csv] — every BPTT quantity of a sequence file, on the command line.
 * Flag and field names are an interface other tools read; change them only with a major version.
 */
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import {
  CHOICES, MODEL_KEYS, NUMERIC_KEYS, isNumericKey, runBptt, stepValues, traceCsvChunks, traceJsonChunks,
  type Model, type ModelKey, type Trace,
} from '../core';
import { formatNumber } from '../shared/format';
import { flowMain } from './flow';
import { formatFromFileName, parseSequence, type CallerDefaults, type ParsedSequence, type SequenceFormat } from '../parse';

export const USAGE = `Usage: bptt-lens FILE [options]

Runs backpropagation through time for the scalar RNN on a sequence file and prints
every per-step quantity:

  s_t = w·h_{t-1} + v·x_t + b    h_t = φ(s_t)    ŷ_t = θ(u·h_t + c)    L = reduce_t ℓ(ŷ_t, y_t)
  ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)

FILE is a .csv, .tsv or .json sequence (see README "File formats"), or - for stdin.

Output (default: a readable table of the first and last rows, then the totals):
  --json            one JSON document on stdout:
                      {"model": {w,v,b,u,c,h0,phi,theta,loss,reduction}, "T", "loss",
                       "grads": {w,v,b,u,c,h0}, "firstNonFinite": t | null, "steps": [...]}
                    each step: {t, line, x, y, s, h, yhat, loss, dL_dyhat, dL_dh,
                                dL_dh_local, dL_dh_recurrent, dL_ds}
                    t and line are 1-based; y and loss are null where a step has no target;
                    NaN and ±Infinity are written as "NaN", "Infinity", "-Infinity".
  --csv             the per-step table as CSV, with the same field names as --json steps.
  --rows N          table mode: show the first and last N rows (default 10); 0 shows all.
  --format F        csv, tsv or json; default from FILE's extension (required for stdin).

Model values used when FILE's directive does not set them (the directive wins):
  --w N --v N --b N --u N --c N --h0 N
  --phi ${CHOICES.phi.join('|')}
  --theta ${CHOICES.theta.join('|')}
  --loss ${CHOICES.loss.join('|')}
  --reduction ${CHOICES.reduction.join('|')}

Exit status: 0 on success; 2 on bad input or usage, with each error on stderr
as FILE:LINE:COL: message (1-based line and column).
`;

interface Options {
  file: string;
  output: 'table' | 'json' | 'csv';
  rows: number;
  format?: SequenceFormat;
  defaults: CallerDefaults;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | 'help' {
  let file: string | undefined;
  let output: Options['output'] = 'table';
  let rows = 10;
  let format: SequenceFormat | undefined;
  const defaults: Record<string, number | string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json' || arg === '--csv') {
      output = arg === '--json' ? 'json' : 'csv';
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (name === 'rows') {
        rows = Number(value);
        if (!Number.isInteger(rows) || rows < 0) throw new UsageError(`--rows must be a whole number ≥ 0, not "${value}"`);
      } else if (name === 'format') {
        if (value !== 'csv' && value !== 'tsv' && value !== 'json') throw new UsageError(`--format must be csv, tsv or json, not "${value}"`);
        format = value;
      } else if (isNumericKey(name)) {
        const n = Number(value);
        if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a finite number, not "${value}"`);
        defaults[name] = n;
      } else if (name in CHOICES) {
        const choices: readonly string[] = CHOICES[name as keyof typeof CHOICES];
        if (!choices.includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${value}"`);
        defaults[name] = value;
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
      continue;
    }
    if (file !== undefined) throw new UsageError(`only one FILE may be given (got "${file}" and "${arg}")`);
    file = arg;
  }
  if (file === undefined) throw new UsageError('no FILE given');
  format ??= file === '-' ? undefined : formatFromFileName(file);
  if (format === undefined) {
    throw new UsageError(file === '-' ? 'reading stdin needs --format csv|tsv|json' : `cannot tell the format of "${file}" from its extension; use --format csv|tsv|json`);
  }
  return { file, output, rows, format, defaults: defaults as CallerDefaults };
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes with backpressure, so a 10⁶-row --json does not pile up in memory. */
async function writeAll(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

const TABLE_COLUMNS = ['t', 'line', 'x', 'y', 's', 'h', 'ŷ', 'ℓ', '∂L/∂ŷ', '∂L/∂h', 'local', 'recurrent', '∂L/∂s'];

function tableRow(trace: Trace, parsed: ParsedSequence, i: number): string[] {
  const v = stepValues(trace, i);
  const f = (n: number | null) => (n === null ? '—' : formatNumber(n, 6));
  return [
    String(v.t), String(parsed.line[i] + 1), f(v.x), f(v.y), f(v.s), f(v.h), f(v.yhat), f(v.loss),
    f(v.dL_dyhat), f(v.dL_dh), f(v.dL_dh_local), f(v.dL_dh_recurrent), f(v.dL_ds),
  ];
}

export function renderTable(trace: Trace, parsed: ParsedSequence, file: string, rows: number): string {
  const T = trace.T;
  const elide = rows > 0 && T > 2 * rows;
  const shown: (string[] | null)[] = [];
  for (let i = 0; i < T; i++) {
    if (elide && i === rows) {
      shown.push(null);
      i = T - rows - 1;
      continue;
    }
    shown.push(tableRow(trace, parsed, i));
  }
  const widths = TABLE_COLUMNS.map((c, k) => Math.max(c.length, ...shown.map((r) => (r ? r[k].length : 0))));
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k])).join('  ').trimEnd();
  const out: string[] = [];
  const m = trace.model;
  out.push(`${file}: T = ${T}, ${trace.nTargets} with a target`);
  out.push(`model: w=${m.w} v=${m.v} b=${m.b} u=${m.u} c=${m.c} h0=${m.h0} phi=${m.phi} theta=${m.theta} loss=${m.loss} reduction=${m.reduction}`);
  const from = MODEL_KEYS.filter((k) => parsed.modelSource[k] !== 'file');
  if (from.length > 0) out.push(`        (not set by the file: ${from.map((k: ModelKey) => `${k} from ${parsed.modelSource[k] === 'caller' ? 'options' : 'built-in default'}`).join(', ')})`);
  out.push('');
  out.push(line(TABLE_COLUMNS));
  for (const r of shown) out.push(r ? line(r) : line(TABLE_COLUMNS.map((_, k) => (k === 0 ? '⋮' : ''))) + `   (${T - 2 * rows} rows not shown; --rows 0 shows all)`);
  out.push('');
  out.push(`L = ${formatNumber(trace.loss, 10)}`);
  for (const k of NUMERIC_KEYS) out.push(`∂L/∂${k.padEnd(2)} = ${formatNumber(trace.grads[k], 10)}`);
  if (trace.firstNonFinite !== null) {
    const o = trace.nonFiniteOrigin;
    out.push(`first non-finite value at t = ${trace.firstNonFinite}` + (o ? ` (${o.quantity} = ${o.value} at t = ${o.t})` : ''));
  }
  return out.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'flow') return flowMain(argv.slice(1));
  let options: Options | 'help';
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bptt-lens: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { file } = options;
  let text: string;
  try {
    text = await readInput(file);
  } catch (e) {
    process.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
    return 2;
  }
  const parsed = parseSequence(text, options.format as SequenceFormat, options.defaults);
  if (parsed.errors.length > 0) {
    for (const e of parsed.errors) process.stderr.write(`${file}:${e.line + 1}:${e.col + 1}: ${e.message}\n`);
    return 2;
  }
  const model: Model = parsed.model;
  const trace = runBptt(model, parsed);
  if (options.output === 'json') await writeAll(traceJsonChunks(trace, parsed.line));
  else if (options.output === 'csv') await writeAll(traceCsvChunks(trace, parsed.line));
  else await writeAll([renderTable(trace, parsed, file, options.rows)]);
  return 0;
}
