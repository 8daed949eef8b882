/**
 * bptt-lens [COMMAND] FILE [options] — every BPTT quantity of a sequence file, on the command line.
 * Flag and field names are an interface other tools read; change them only with a major version.
 *
 * Every path ends in a message and an exit status (errors.ts): no input, option or closed pipe
 * makes it print a stack trace.
 */
import { analyze } from './analyze';
import { EXIT_BAD, InputError, UsageError, internalErrorMessage } from './errors';
import { checkMain } from './check';
import { flowMain } from './flow';
import { gradcheckMain } from './gradcheck';
import { stderr } from './output';
import { USAGE } from './usage';

export { USAGE } from './usage';

/** What a command learns while it runs, for the internal-error message: the input's name. */
export interface RunContext {
  file?: string;
}

export type Command = (argv: readonly string[], current: RunContext) => Promise<number>;

/**
 * Subcommands by name (`bptt-lens check FILE`, …), looked up as own keys of a Map. A first
 * argument that is not one of them is the default command's FILE, so `bptt-lens FILE` stays.
 */
export const COMMANDS = new Map<string, Command>([
  ['check', checkMain],
  ['gradcheck', gradcheckMain],
  ['flow', flowMain],
]);

const DEFAULT_COMMAND: Command = analyze;

function commandFor(argv: readonly string[]): { run: Command; args: readonly string[] } {
  const named = argv.length > 0 ? COMMANDS.get(argv[0]) : undefined;
  return named ? { run: named, args: argv.slice(1) } : { run: DEFAULT_COMMAND, args: argv };
}

let guarded = false;

/** Errors outside the awaited chain (a stream's late 'error', a rejected promise nobody awaited) end the same way as a bug inside it. */
function guardProcess(current: RunContext): void {
  if (guarded) return;
  guarded = true;
  const die = (e: unknown) => {
    try {
      process.stderr.write(internalErrorMessage(current.file, e));
    } catch {
      // stderr is gone too: nothing left to tell
    }
    process.exit(EXIT_BAD);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

export async function main(argv: string[]): Promise<number> {
  const current: RunContext = {};
  guardProcess(current);
  try {
    const { run, args } = commandFor(argv);
    return await run(args, current);
  } catch (e) {
    if (e instanceof UsageError) await stderr().write(`bptt-lens${e.command ? ` ${e.command}` : ''}: ${e.message}\n\n${e.usage ?? USAGE}`);
    else if (e instanceof InputError) await stderr().write(`${e.message}\n`);
    else await stderr().write(internalErrorMessage(current.file, e));
    return EXIT_BAD;
  }
}
