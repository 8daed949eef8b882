/** An error as the log shows it: its stack when it has one. Pure, so the worker uses it too. */
export function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
