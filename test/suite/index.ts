/**
 * Entry point for the integration suite that runs *inside* the real VS Code
 * extension host. Both launchers use it:
 *   - scripts/test-vscode.mjs   (code-server + Chromium, `payload` query parameter)
 *   - scripts/test-electron.mjs (@vscode/test-electron, needs to download VS Code)
 * It must export `run(): Promise<void>`; it rejects when any test fails.
 */
import { runMochaInHost } from '../hostMocha';

/** Runs every `*.test.js` below this folder. */
export function run(): Promise<void> {
  return runMochaInHost({
    dir: __dirname,
    suffix: '.test.js',
    timeout: 60_000,
    tag: 'suite',
    failureMessage: (failures) => `${failures} integration test(s) failed`,
  });
}
