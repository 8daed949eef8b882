#!/usr/bin/env node
// @ts-check
// Second launcher for the integration suite: @vscode/test-electron downloads a VS Code
// build and runs out/test/suite/index.js in its extension host. Only for machines that
// can reach Microsoft's update server; offline machines (and CI) use
// scripts/test-vscode.mjs (code-server + Chromium) instead.
// Usage: npm run build && npm run compile-tests && node scripts/test-electron.mjs
//   VSCODE_TEST_VERSION=1.100.3 (default) or 'stable' / 'insiders'
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './vscode/package.mjs';
import { copySamples, makeProfile } from './vscode/profile.mjs';

const extensionTestsPath = path.join(ROOT, 'out/test/suite/index.js');
if (!fs.existsSync(extensionTestsPath)) {
  console.error(`${path.relative(ROOT, extensionTestsPath)} missing: run \`npm run compile-tests\` first`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bptt-electron-'));
const profile = makeProfile(tmp, 'electron');
let code = 0;
try {
  await runTests({
    version: process.env.VSCODE_TEST_VERSION || '1.100.3',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath,
    launchArgs: [
      copySamples(tmp, 'ws'),
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${profile.userData}`,
      `--extensions-dir=${profile.extensions}`,
    ],
  });
} catch (err) {
  console.error('Integration tests failed:', err instanceof Error ? err.message : err);
  code = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
