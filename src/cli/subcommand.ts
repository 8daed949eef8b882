/**
 * The common start of `bptt-lens check|gradcheck|flow FILE …`: the command line (args.ts), --help
 * on stdout, then FILE read, parsed and checked to fit in memory (readInput.ts). Every failure is
 * thrown as a UsageError or InputError, which main.ts prints with exit 2.
 */
import type { ParsedSequence } from '../parse';
import { parseCommandArgs, type CommandOptions, type CommandSpec } from './args';
import type { RunContext } from './main';
import { stdout } from './output';
import { readValidSequence } from './readInput';

export interface SubcommandInput<E> {
  options: CommandOptions<E>;
  parsed: ParsedSequence;
}

/** The options and the parsed FILE, or null once --help has been printed (exit 0). */
export async function subcommandInput<E>(argv: readonly string[], spec: CommandSpec<E>, current: RunContext): Promise<SubcommandInput<E> | null> {
  const options = parseCommandArgs(argv, spec);
  if (options === 'help') {
    await stdout().write(spec.usage);
    return null;
  }
  current.file = options.file;
  return { options, parsed: await readValidSequence(options.file, options.format, options.defaults) };
}
