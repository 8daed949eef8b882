/**
 * The common start of `bptt-lens check|gradcheck|flow FILE …`: the command line (args.ts), --help
 * on stdout, then FILE read, parsed and checked to fit in memory (readInput.ts). Every failure is
 * thrown as a UsageError or InputError, which main.ts prints with exit 2.
 */
import type { ParsedSequence } from '../parse';
import { parseCommandArgs, type CommandOptions, type CommandSpec } from './args';
import { InputError, readErrorMessage, shown } from './errors';
import type { RunContext } from './main';
import { stdout } from './output';
import { readValidSequence } from './readInput';
import { classifyInput, type Input } from './vectorInput';

export interface SubcommandInput<E> {
  options: CommandOptions<E>;
  parsed: ParsedSequence;
}

/** A vector-model FILE (it names weights), read whole: its parse needs the weights first. */
export interface VectorSubcommandInput<E> {
  options: CommandOptions<E>;
  vectorText: string;
}

/** The options and FILE, scalar or vector, or null once --help has been printed (exit 0). */
export async function subcommandAnyInput<E>(argv: readonly string[], spec: CommandSpec<E>, current: RunContext): Promise<SubcommandInput<E> | VectorSubcommandInput<E> | null> {
  const options = parseCommandArgs(argv, spec);
  if (options === 'help') {
    await stdout().write(spec.usage);
    return null;
  }
  current.file = options.file;
  let input: Input;
  try {
    input = await classifyInput(options.file, options.format);
  } catch (e) {
    throw new InputError(readErrorMessage(options.file === '-' ? 'stdin' : options.file, e));
  }
  if (input.kind === 'vector') return { options, vectorText: input.text };
  return { options, parsed: await readValidSequence(options.file, options.format, options.defaults, input.chunks) };
}

/** As subcommandAnyInput, for the commands that work on the scalar model only. */
export async function subcommandInput<E>(argv: readonly string[], spec: CommandSpec<E>, current: RunContext): Promise<SubcommandInput<E> | null> {
  const input = await subcommandAnyInput(argv, spec, current);
  if (input && 'vectorText' in input) {
    throw new InputError(`${shown(input.options.file)}: bptt-lens ${spec.name} works on the scalar model; this file names weights (a vector model): use bptt-lens FILE, flow FILE, or check FILE --grads GRADS`);
  }
  return input;
}
