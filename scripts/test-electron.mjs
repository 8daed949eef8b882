#!/usr/bin/env node
// Second launcher for the integration suite: @vscode/test-electron downloads a VS Code
// build and runs out/test/suite/index.js in its extension host. Only for machines that
// can reach Microsoft's update server; offline machines (and CI) use
// scripts/test-vscode.mjs (code-server + Chromium) instead.
// Usage: npm run build && npm run compile-tests && node scripts/test-electron.mjs
//   VSCODE_TEST_VERSION=1.100.3 (default) or 'stable' / 'insiders'
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extensionTestsPath = path.join(ROOT, 'out/test/suite/index.js');
if (!fs.existsSync(extensionTestsPath)) {
  console.error(`${path.relative(ROOT, extensionTestsPath)} missing: run \`npm run compile-tests\` first`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bptt-electron-'));
const workspace = path.join(tmp, 'samples');
fs.mkdirSync(workspace, { recursive: true });
if (fs.existsSync(path.join(ROOT, 'samples'))) {
  fs.cpSync(path.join(ROOT, 'samples'), workspace, { recursive: true });
}
const userDataDir = path.join(tmp, 'user-data');
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
fs.writeFileSync(
  path.join(userDataDir, 'User/settings.json'),
  JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'update.mode': 'none',
  }),
);

let code = 0;
try {
  await runTests({
    version: process.env.VSCODE_TEST_VERSION || '1.100.3',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${userDataDir}`,
      `--extensions-dir=${path.join(tmp, 'extensions')}`,
    ],
  });
} catch (err) {
  console.error('Integration tests failed:', err instanceof Error ? err.message : err);
  code = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
