/**
 * The command line of `bptt-lens FILE [options]`. Options live in a Map, never looked up on a
 * plain object: `--toString`, `--constructor` and `--__proto__` are unknown options like any other.
 */
import { CHOICES, NUMERIC_KEYS, type ModelKey } from '../core';
import { formatFromFileName, type CallerDefaults, type SequenceFormat } from '../parse';
import { UsageError, shown } from './errors';

export interface Options {
  file: string;
  output: 'table' | 'json' | 'csv';
  rows: number;
  format: SequenceFormat;
  defaults: CallerDefaults;
  /** --truncate k / --horizon k: truncated BPTT beside the full gradient (the file's directive otherwise). */
  truncate?: number;
  horizon?: number;
  /** False with --no-steps: --json leaves the per-step fields out (vector-model files). */
  steps: boolean;
}

interface Draft {
  steps?: boolean;
  truncate?: number;
  horizon?: number;
  output: Options['output'];
  rows: number;
  format?: SequenceFormat;
  defaults: Map<ModelKey, number | string>;
}

/** Options that take a value: name → what to do with it. */
const VALUED = new Map<string, (d: Draft, value: string) => void>([
  ['rows', (d, value) => {
    const rows = Number(value);
    if (value.trim() === '' || !Number.isInteger(rows) || rows < 0) throw new UsageError(`--rows must be a whole number ≥ 0, not "${shown(value)}"`);
    d.rows = rows;
  }],
  ['format', (d, value) => {
    if (value !== 'csv' && value !== 'tsv' && value !== 'json') throw new UsageError(`--format must be csv, tsv or json, not "${shown(value)}"`);
    d.format = value;
  }],
  ...(['truncate', 'horizon'] as const).map((name): [string, (d: Draft, value: string) => void] => [name, (d, value) => {
    const k = Number(value);
    if (value.trim() === '' || !Number.isInteger(k) || k < 1 || k > 2 ** 31 - 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not "${shown(value)}"`);
    d[name] = k;
  }]),
  ...NUMERIC_KEYS.map((name): [string, (d: Draft, value: string) => void] => [name, (d, value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a finite number, not "${shown(value)}"`);
    d.defaults.set(name, n);
  }]),
  ...(Object.keys(CHOICES) as (keyof typeof CHOICES)[]).map((name): [string, (d: Draft, value: string) => void] => [name, (d, value) => {
    const choices: readonly string[] = CHOICES[name];
    if (!choices.includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${shown(value)}"`);
    d.defaults.set(name, value);
  }]),
]);

/** Flags without a value. */
const FLAGS = new Map<string, (d: Draft) => void>([
  ['json', (d) => { d.output = 'json'; }],
  ['csv', (d) => { d.output = 'csv'; }],
  ['no-steps', (d) => { d.steps = false; }],
]);

/**
 * A subcommand's command line (`bptt-lens check|gradcheck|flow FILE …`): FILE, --json, --format and
 * the model defaults, handled by the same table entries as the main command's, plus the options of
 * its own in `own` (name → what to do with the value). Unknown names are usage errors.
 */
export interface CommandSpec<E> {
  /** "check", …: names the command in usage errors, whose text is `usage`. */
  name: string;
  usage: string;
  /** The command's own options, with their defaults. */
  own: E;
  valued: Map<string, (own: E, value: string) => void>;
}

export interface CommandOptions<E> {
  file: string;
  json: boolean;
  format: SequenceFormat;
  defaults: CallerDefaults;
  own: E;
}

/** The main command's options that every subcommand shares: --format and the model values. */
const SHARED = new Set<string>(['format', ...NUMERIC_KEYS, ...Object.keys(CHOICES)]);

export function parseCommandArgs<E>(argv: readonly string[], spec: CommandSpec<E>): CommandOptions<E> | 'help' {
  try {
    let file: string | undefined;
    let json = false;
    const d: Draft = { output: 'table', rows: 0, defaults: new Map() };
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === '--help' || arg === '-h') return 'help';
      if (!arg.startsWith('--')) {
        if (file !== undefined) throw new UsageError(`only one FILE may be given (got "${shown(file)}" and "${shown(arg)}")`);
        file = arg;
        continue;
      }
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (name === 'json' && eq < 0) {
        json = true;
        continue;
      }
      const own = spec.valued.get(name);
      const shared = SHARED.has(name) ? VALUED.get(name) : undefined;
      if (!own && !shared) throw new UsageError(`unknown option --${shown(name)}`);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (own) own(spec.own, value);
      else shared!(d, value);
    }
    if (file === undefined) throw new UsageError('no FILE given');
    return { file, json, format: sequenceFormatOf(file, d.format), defaults: Object.fromEntries(d.defaults) as CallerDefaults, own: spec.own };
  } catch (e) {
    if (e instanceof UsageError && e.command === undefined) throw new UsageError(e.message, spec.name, spec.usage);
    throw e;
  }
}

/** FILE's format: --format, else its extension (stdin needs --format). */
export function sequenceFormatOf(file: string, format: SequenceFormat | undefined): SequenceFormat {
  format ??= file === '-' ? undefined : formatFromFileName(file);
  if (format === undefined) {
    throw new UsageError(file === '-' ? 'reading stdin needs --format csv|tsv|json' : `cannot tell the format of "${shown(file)}" from its extension; use --format csv|tsv|json`);
  }
  return format;
}

/** An option's number: `ok(n)` or a usage error "--NAME must be WHAT, not "VALUE"". */
export function numberOption(name: string, what: string, ok: (n: number) => boolean): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !ok(n)) throw new UsageError(`--${name} must be ${what}, not "${shown(value)}"`);
    return n;
  };
}

/** --rtol and --atol, the tolerances of check and gradcheck: numbers ≥ 0. */
export function toleranceOptions<E extends { rtol?: number; atol?: number }>(): [string, (own: E, value: string) => void][] {
  const rtol = numberOption('rtol', 'a number ≥ 0', (n) => n >= 0 && Number.isFinite(n));
  const atol = numberOption('atol', 'a number ≥ 0', (n) => n >= 0 && Number.isFinite(n));
  return [['rtol', (own, value) => { own.rtol = rtol(value); }], ['atol', (own, value) => { own.atol = atol(value); }]];
}

export function parseArgs(argv: readonly string[]): Options | 'help' {
  let file: string | undefined;
  const d: Draft = { output: 'table', rows: 10, defaults: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const flag = FLAGS.get(name);
      if (flag && eq < 0) {
        flag(d);
        continue;
      }
      const take = VALUED.get(name);
      if (!take) throw new UsageError(`unknown option --${shown(name)}`);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      take(d, value);
      continue;
    }
    if (file !== undefined) throw new UsageError(`only one FILE may be given (got "${shown(file)}" and "${shown(arg)}")`);
    file = arg;
  }
  if (file === undefined) throw new UsageError('no FILE given');
  const format = d.format ?? (file === '-' ? undefined : formatFromFileName(file));
  if (format === undefined) {
    throw new UsageError(file === '-' ? 'reading stdin needs --format csv|tsv|json' : `cannot tell the format of "${shown(file)}" from its extension; use --format csv|tsv|json`);
  }
  if (d.truncate !== undefined && d.horizon !== undefined) throw new UsageError('give --truncate or --horizon, not both');
  const truncation = { ...(d.truncate !== undefined ? { truncate: d.truncate } : {}), ...(d.horizon !== undefined ? { horizon: d.horizon } : {}) };
  return { file, output: d.output, rows: d.rows, format, defaults: Object.fromEntries(d.defaults) as CallerDefaults, ...truncation, steps: d.steps ?? true };
}
