/**
 * The last segment of a path: "/data/run.csv" → "run.csv". Both separators count, so it serves a
 * URI's path and a Windows file name alike. Pure: no `vscode`, no Node `path` (the webview and the
 * worker use it too).
 */
export function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
