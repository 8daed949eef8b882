/**
 * How the CLI ends: every path has a message and an exit status, never a stack trace.
 *   0  success        1  a check failed (reserved for `check` and `gradcheck`)        2  bad input, usage or a bug
 */
import { escapeText } from '../parse/errors';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD = 2;

/** Bad command line: the message, then the usage text (a subcommand's own, when `command` is set), exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string, readonly usage?: string) {
    super(message);
  }
}

/** Bad or unreadable input: the message alone, exit 2. */
export class InputError extends Error {}

/** A name from the command line or the file system, safe to print (control characters escaped, cut). */
export function shown(s: string): string {
  return escapeText(s, 200);
}

/** Why a file could not be read, in words (no stack, no errno number). */
export function readErrorMessage(file: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a part of the path is not a directory',
    EMFILE: 'too many open files',
    ERR_STRING_TOO_LONG: 'the file is larger than the biggest text this version can hold in memory (about 512 MB)',
    ERR_FS_FILE_TOO_LARGE: 'the file is larger than the biggest buffer Node.js can read at once (2 GB)',
  };
  const reason = (err && typeof err.code === 'string' && Object.hasOwn(why, err.code) ? why[err.code] : undefined) ?? (err instanceof Error ? err.message : String(e));
  return `${shown(file)}: cannot read: ${escapeText(reason, 200)}`;
}

/** A parse's errors, one FILE:LINE:COL: message a line (line and col 0-based in, 1-based out). */
export function locatedErrors(file: string, errors: readonly { line: number; col: number; message: string }[]): string {
  const name = shown(file);
  return errors.map((e) => `${name}:${e.line + 1}:${e.col + 1}: ${e.message}`).join('\n');
}

/** One line for a bug: what to report and where, exit 2. */
export function internalErrorMessage(file: string | undefined, e: unknown): string {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const input = file === undefined ? 'the command line' : shown(file);
  return `bptt-lens: internal error (${escapeText(what, 200)}); this is a bug in BPTT Lens: please report it with this line and the input, ${input}\n`;
}
