/**
 * A progress notification for work that turns out to be slow: it appears only if `work` is still
 * running after `delayMs`, so quick runs on small files never flash a notification.
 */
import * as vscode from 'vscode';

export function progressIfSlow<T>(work: Promise<T>, title: string, delayMs = 1000): Promise<T> {
  let done = false;
  const settle = (): void => {
    done = true;
  };
  work.then(settle, settle);
  const timer = setTimeout(() => {
    if (done) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () =>
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
  }, delayMs);
  work.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  return work;
}
