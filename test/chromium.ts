/**
 * The one way every UI test, every UI benchmark and the launcher (scripts/vscode/browser.mjs, which
 * loads the compiled out/test/chromium.js) start a browser: Debian's Chromium through
 * playwright-core, headless, never downloaded. CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import * as fs from 'fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Root in a container (no sandbox), no GPU, and no network or first-run chatter. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: run scripts/provision.sh (Debian package chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}
