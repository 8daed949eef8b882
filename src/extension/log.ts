/**
 * The "BPTT Lens" output channel, and a guard so no provider or command can take the extension
 * host down: failures are logged there and the feature degrades to "nothing shown".
 */
import * as vscode from 'vscode';
import { errorText } from './errorText';

let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('BPTT Lens', { log: true });
  return channel;
}

export function log(): vscode.LogOutputChannel | undefined {
  return channel;
}

export function logError(where: string, e: unknown): void {
  channel?.error(`${where}: ${errorText(e)}`);
}

/** Runs f; on a throw or rejection logs it, tells `onError` (if given) and returns `fallback`. */
export async function guarded<T>(where: string, fallback: T, f: () => T | Promise<T>, onError?: (e: unknown) => void): Promise<T> {
  try {
    return await f();
  } catch (e) {
    logError(where, e);
    onError?.(e);
    return fallback;
  }
}

/** Synchronous variant, for providers whose answer must not wait a tick. */
export function guardedSync<T>(where: string, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (e) {
    logError(where, e);
    return fallback;
  }
}
