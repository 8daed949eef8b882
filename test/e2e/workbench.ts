/**
 * Helpers for UI end-to-end tests that drive the real VS Code workbench
 * (code-server 4.100.3 = VS Code 1.100.3) in Debian's Chromium with playwright-core,
 * the way a person would: keyboard shortcuts, quick open, the command palette, hovers.
 *
 * scripts/test-vscode.mjs starts code-server and sets:
 *   BPTT_E2E_URL            http://127.0.0.1:PORT
 *   BPTT_E2E_PORT           PORT
 *   BPTT_E2E_WORKSPACE      absolute path of a temp copy of samples/ (tests may edit it)
 *   BPTT_E2E_EXTENSION_PATH extension under development (repo root)
 *   BPTT_E2E_SCREENSHOTS    where screenshot() writes PNGs
 *   BPTT_E2E_HOST           'node' (default) or 'web': the extension host the extension runs in
 * The browser is test/chromium.ts's (CHROMIUM_PATH overrides /usr/bin/chromium).
 * Every helper waits on a selector or condition rather than sleeping blindly.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchChromium } from '../chromium';

export interface Workbench {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every page console line so far (the extension hosts' console is forwarded there). */
  console: string[];
}

/** The extension host the tests run the extension in: 'web' adds extensionDevelopmentKind web to the payload. */
export function extensionHost(): 'node' | 'web' {
  return process.env.BPTT_E2E_HOST === 'web' ? 'web' : 'node';
}

export interface OpenWorkbenchOptions {
  /** Folder to open (default: BPTT_E2E_WORKSPACE). */
  workspace?: string;
  /** Load the extension under development (default true). */
  loadExtension?: boolean;
  /** Workspace-relative file to open after the workbench is ready. */
  file?: string;
  viewport?: { width: number; height: number };
  /** Time to wait for the workbench to be ready (default 90s). */
  timeout?: number;
}

// Functions passed to page.evaluate/waitForFunction/$$eval run in the browser. The
// project's tsconfig has no DOM lib, so declare the little DOM these helpers use,
// scoped to this module.
interface DomEl {
  className: string;
  textContent: string | null;
  innerText: string;
  value: string;
  getBoundingClientRect(): { width: number; height: number };
  classList: { contains(c: string): boolean };
  getAttribute(name: string): string | null;
  querySelector(sel: string): DomEl | null;
  querySelectorAll(sel: string): ArrayLike<DomEl>;
}
declare const document: {
  body: unknown;
  activeElement: unknown;
  hasFocus(): boolean;
  querySelector(sel: string): DomEl | null;
  querySelectorAll(sel: string): ArrayLike<DomEl>;
};
declare const window: { __bpttBeforeReload?: boolean };

const DEFAULT_TIMEOUT = 30_000;
const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';

function env(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run UI tests through scripts/test-vscode.mjs (npm run test:vscode)`);
  }
  return v;
}

export function workspacePath(...parts: string[]): string {
  return path.join(env('BPTT_E2E_WORKSPACE'), ...parts);
}

export function screenshotsDir(): string {
  return process.env.BPTT_E2E_SCREENSHOTS || path.resolve(__dirname, '../../../test-results/screenshots');
}

/** The workbench URL for a folder, with the extension under development in `payload`. */
export function workbenchUrl(folder: string, loadExtension = true): string {
  const base = env('BPTT_E2E_URL');
  const port = env('BPTT_E2E_PORT');
  let url = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (loadExtension) {
    const ext = env('BPTT_E2E_EXTENSION_PATH');
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${ext}`]];
    if (extensionHost() === 'web') payload.push(['extensionDevelopmentKind', 'web']);
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

const open = new Set<Browser>();

/** Launches Chromium, opens the workbench on the workspace copy and waits until it is ready. */
export async function openWorkbench(opts: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const browser = await launchChromium();
  open.add(browser);
  browser.on('disconnected', () => open.delete(browser));
  try {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    context.setDefaultTimeout(DEFAULT_TIMEOUT);
    const page = await context.newPage();
    const lines: string[] = [];
    page.on('console', (m) => lines.push(m.text()));
    await page.goto(workbenchUrl(opts.workspace ?? env('BPTT_E2E_WORKSPACE'), opts.loadExtension ?? true), {
      waitUntil: 'domcontentloaded',
      timeout: opts.timeout ?? 90_000,
    });
    await waitForWorkbench(page, opts.timeout ?? 90_000);
    if (opts.file) {
      await openFile(page, opts.file);
    }
    return { browser, context, page, console: lines };
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
}

/** Waits for the workbench shell, the explorer and the remote connection to be up. */
export async function waitForWorkbench(page: Page, timeout = 90_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench .part.statusbar', { state: 'visible', timeout });
  await page.waitForSelector('.monaco-workbench .part.editor', { state: 'visible', timeout });
  // The explorer shows the folder once the remote file system answered.
  await page.waitForSelector('.explorer-folders-view .monaco-list-row, .explorer-folders-view .explorer-empty-view, .pane-body .monaco-list', {
    state: 'attached',
    timeout,
  }).catch(() => undefined);
  // The remote indicator leaves its "opening remote" state when the extension host connected.
  await page
    .waitForFunction(
      () => {
        const el = document.querySelector('#status\\.host, .statusbar-item[id*="remote"]');
        return !el || !/opening|connecting|reconnecting/i.test(el.textContent ?? '');
      },
      undefined,
      { timeout },
    )
    .catch(() => undefined);
}

export async function closeWorkbench(wb: Workbench | undefined): Promise<void> {
  if (wb) {
    await wb.browser.close().catch(() => undefined);
    open.delete(wb.browser);
  }
}

/** Closes every browser this helper opened (used by the launcher in all exit paths). */
export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((b) => b.close().catch(() => undefined)));
  open.clear();
}

async function focusWorkbench(page: Page): Promise<void> {
  // Keyboard shortcuts need focus inside the workbench document.
  const focused = await page.evaluate(() => document.hasFocus() && document.activeElement !== document.body);
  if (!focused) {
    await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 1, y: 1 } }).catch(() => undefined);
  }
}

async function openQuickInput(page: Page, key: string): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press(key);
  await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible' });
}

/**
 * Waits for the quick input row that best matches `text` (label equal to it, then
 * starting with it, then containing it; the keybinding suffix ", Ctrl+..." ignored)
 * and picks it: Enter when it is the focused row, a click otherwise.
 */
async function pickRow(page: Page, text: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
  const rowSel = '.quick-input-widget .quick-input-list .monaco-list-row';
  const handle = await page.waitForFunction(
    ({ n, sel }) => {
      const rows = Array.from(document.querySelectorAll(sel));
      const labels = rows.map((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').toLowerCase().trim());
      const head = (l: string): string => l.split(', ')[0].trim();
      let i = labels.findIndex((l) => head(l) === n || l === n);
      if (i < 0) i = labels.findIndex((l) => l.startsWith(n));
      if (i < 0) i = labels.findIndex((l) => l.includes(n));
      if (i < 0) return null;
      return { index: i, focused: rows[i].classList.contains('focused') };
    },
    { n: text.toLowerCase().trim(), sel: rowSel },
    { timeout },
  );
  const found = (await handle.jsonValue()) as { index: number; focused: boolean };
  if (found.focused) {
    await page.keyboard.press('Enter');
  } else {
    await page.locator(rowSel).nth(found.index).click();
  }
}

/** Picks the row matching `text` and waits for the quick input to close. */
async function acceptQuickPick(page: Page, text: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
  await pickRow(page, text, timeout);
  await page.waitForSelector(QUICK_INPUT, { state: 'hidden', timeout });
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab to be active. */
export async function openFile(page: Page, name: string): Promise<void> {
  await openQuickInput(page, 'Control+P');
  await page.fill(QUICK_INPUT_BOX, name);
  const base = path.basename(name);
  await acceptQuickPick(page, base);
  await page.waitForSelector(`.tabs-container .tab.active[data-resource-name="${base}"], .tabs-container .tab.active[aria-label^="${base}"]`, {
    state: 'visible',
  });
  await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines', { state: 'visible' });
}

/** Runs a command from the palette (F1) by its label, e.g. 'BPTT Lens: Run Backward Pass'. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await openQuickInput(page, 'F1');
  await page.fill(QUICK_INPUT_BOX, `>${label}`);
  await acceptQuickPick(page, label);
}

async function goToLine(page: Page, line: number, column?: number): Promise<void> {
  await page.waitForSelector('.editor-group-container.active .monaco-editor', { state: 'visible' });
  await focusActiveEditor(page);
  await page.keyboard.press('Control+G');
  const box = await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible', timeout: 5_000 }).catch(() => null);
  if (!box) {
    await runCommand(page, 'Go to Line/Column...').catch(() => undefined);
    await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible' });
  }
  await page.fill(QUICK_INPUT_BOX, `:${line}${column ? `:${column}` : ''}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(QUICK_INPUT, { state: 'hidden' });
  await page.waitForFunction(
    (l) => {
      const nums = document.querySelectorAll('.editor-group-container.active .monaco-editor .margin-view-overlays .line-numbers');
      return Array.from(nums).some((n) => n.textContent?.trim() === String(l));
    },
    line,
  );
}

async function focusActiveEditor(page: Page): Promise<void> {
  const focused = await page.$('.editor-group-container.active .monaco-editor.focused');
  if (!focused) {
    // Clicking the tab focuses its editor without moving the cursor.
    await page.locator('.tabs-container .tab.active').first().click();
    await page.waitForSelector('.editor-group-container.active .monaco-editor.focused', { timeout: 5_000 }).catch(() => undefined);
  }
}

/**
 * Hovers line `line` (1-based) at `column` (1-based, default 1) of the active editor and
 * returns the text of the editor hover. The line is brought into view with Ctrl+G first.
 */
export async function hoverLine(page: Page, line: number, column = 1, timeout = DEFAULT_TIMEOUT): Promise<string> {
  await goToLine(page, line, column);
  const cursor = await page.waitForSelector('.editor-group-container.active .monaco-editor .cursors-layer .cursor', { state: 'attached' });
  // A CodeLens that arrives after the run inserts a view zone above line 1 and shifts every line
  // down, and a mouse aimed at the old place hovers the line above. So aim only once the cursor has
  // stopped moving, and hover again if it moved while the hover was coming up.
  for (let attempt = 0; ; attempt++) {
    let box = await cursor.boundingBox();
    for (let tries = 0; tries < 20; tries++) {
      await page.waitForTimeout(150);
      const next = await cursor.boundingBox();
      if (box && next && next.x === box.x && next.y === box.y) break;
      box = next;
    }
    if (!box) {
      throw new Error(`no cursor box after going to ${line}:${column}`);
    }
    // Move away first so the hover controller sees a fresh mouse move.
    await page.mouse.move(5, 5);
    await page.mouse.move(box.x + 4, box.y + box.height / 2, { steps: 4 });
    const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden)').first();
    // A hover that never comes up (the mouse landed while the editor was still laying out a large
    // file) is aimed again, as a person would move the mouse again.
    const shown = await hover.waitFor({ state: 'visible', timeout: attempt < 2 ? timeout / 2 : timeout }).then(
      () => true,
      () => false,
    );
    if (!shown) {
      if (attempt < 2) continue;
      throw new Error(`no hover at ${line}:${column}`);
    }
    await page.waitForFunction(
      () => {
        const h = document.querySelector('.monaco-editor .monaco-hover:not(.hidden)');
        const t = h?.innerText.trim() ?? '';
        return t.length > 0 && !/^Loading\.\.\.$/.test(t);
      },
      undefined,
      { timeout },
    );
    const text = (await hover.innerText()).trim();
    const after = await cursor.boundingBox();
    if ((after && after.y === box.y) || attempt >= 3) return text;
  }
}

/** Saves a PNG of the whole page under BPTT_E2E_SCREENSHOTS (as web-<name> in the web host) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = screenshotsDir();
  fs.mkdirSync(dir, { recursive: true });
  const prefix = extensionHost() === 'web' ? 'web-' : '';
  const file = path.join(dir, prefix + (name.endsWith('.png') ? name : `${name}.png`));
  await page.screenshot({ path: file });
  return file;
}

/** Waits until a page console line matches `re` and returns the match. */
export async function waitForConsole(wb: Workbench, re: RegExp, timeout = DEFAULT_TIMEOUT): Promise<RegExpExecArray> {
  const end = Date.now() + timeout;
  for (;;) {
    for (const line of wb.console) {
      const m = re.exec(line);
      if (m) return m;
    }
    if (Date.now() > end) {
      const related = wb.console.filter((l) => /bptt|extension host|worker|error/i.test(l)).slice(-30);
      throw new Error(`no console line matched ${re} after ${timeout}ms; related lines:\n${related.join('\n')}`);
    }
    await wb.page.waitForTimeout(100);
  }
}

/** Finds the (nested) webview iframe that contains `selector`; polls until `timeout`. */
export async function findWebviewFrame(page: Page, selector: string, timeout = DEFAULT_TIMEOUT): Promise<Frame> {
  const end = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) {
        continue;
      }
      try {
        if (await frame.$(selector)) {
          return frame;
        }
      } catch {
        // frame detached or navigating: try the next one
      }
    }
    if (Date.now() > end) {
      throw new Error(`no webview frame contains ${selector} after ${timeout}ms`);
    }
    await page.waitForTimeout(200);
  }
}

/** Picks a color theme by its label, e.g. 'Light Modern', via "Preferences: Color Theme". */
export async function setTheme(page: Page, themeLabel: string): Promise<void> {
  const before = await page.evaluate(() => document.querySelector('.monaco-workbench')?.className ?? '');
  await runCommandKeepOpen(page, 'Preferences: Color Theme');
  await page.fill(QUICK_INPUT_BOX, themeLabel);
  await acceptQuickPick(page, themeLabel);
  // The theme is applied when the workbench's theme class or CSS variables change.
  await page
    .waitForFunction(
      (b) => (document.querySelector('.monaco-workbench')?.className ?? '') !== b,
      before,
      { timeout: 5_000 },
    )
    .catch(() => undefined); // same theme type (e.g. dark -> dark): class does not change
}

/** Like runCommand, for commands that open a quick pick of their own. */
async function runCommandKeepOpen(page: Page, label: string): Promise<void> {
  await openQuickInput(page, 'F1');
  await page.fill(QUICK_INPUT_BOX, `>${label}`);
  await pickRow(page, label);
  // The next quick pick replaces the command list.
  await page.waitForFunction(
    () => {
      const input = document.querySelector('.quick-input-widget .quick-input-box input');
      return !!input && !input.value.startsWith('>') && input.getBoundingClientRect().width > 0;
    },
    undefined,
  );
}

/** "Developer: Reload Window", then waits for the reloaded workbench. */
export async function reloadWindow(page: Page, timeout = 90_000): Promise<void> {
  await page.evaluate(() => {
    window.__bpttBeforeReload = true;
  });
  await openQuickInput(page, 'F1');
  await page.fill(QUICK_INPUT_BOX, '>Developer: Reload Window');
  await Promise.all([page.waitForEvent('load', { timeout }), pickRow(page, 'Developer: Reload Window')]);
  await page.waitForFunction(
    () => !window.__bpttBeforeReload,
    undefined,
    { timeout },
  );
  await waitForWorkbench(page, timeout);
}

/** Text of each code lens shown in the active editor (waits up to `timeout` for the first one). */
export async function readCodeLenses(page: Page, timeout = DEFAULT_TIMEOUT): Promise<string[]> {
  const sel = '.editor-group-container.active .monaco-editor .codelens-decoration';
  const found = await page.waitForSelector(sel, { state: 'attached', timeout }).catch(() => null);
  if (!found) {
    return [];
  }
  // Let a pending "resolve" replace placeholder text.
  await page.waitForFunction((s) => Array.from(document.querySelectorAll(s)).every((d) => (d.textContent ?? '').trim() !== ''), sel, { timeout: 5_000 }).catch(() => undefined);
  return page.$$eval(sel, (decos) =>
    (decos as unknown as DomEl[]).flatMap((d) => {
      const items = Array.from(d.querySelectorAll(':scope > a, :scope > span'));
      const texts = (items.length ? items : [d]).map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ').trim());
      return texts.filter((t) => t !== '' && t !== '|');
    }),
  );
}

/** Clicks the first code lens of the active editor whose text starts with `textStartsWith`. */
export async function clickCodeLens(page: Page, textStartsWith: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
  const sel = '.editor-group-container.active .monaco-editor .codelens-decoration a';
  const handle = await page.waitForFunction(
    ({ s, t }) =>
      Array.from(document.querySelectorAll(s)).find((a) => (a.textContent ?? '').replace(/\u00a0/g, ' ').trim().startsWith(t)) ?? null,
    { s: sel, t: textStartsWith },
    { timeout },
  );
  const el = handle.asElement();
  if (!el) {
    throw new Error(`no code lens starting with ${textStartsWith}`);
  }
  await el.click();
}

export interface Problem {
  severity: 'error' | 'warning' | 'info' | 'unknown';
  /** The row's accessible label: message, position, source. */
  label: string;
  text: string;
}

/** Opens the Problems panel (Ctrl+Shift+M) and returns the marker rows (files excluded). */
export async function problems(page: Page, timeout = DEFAULT_TIMEOUT): Promise<Problem[]> {
  const visible = await page.$('.markers-panel');
  if (!visible || !(await visible.isVisible())) {
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  }
  await page.waitForSelector('.markers-panel', { state: 'visible', timeout });
  // Either rows or the "No problems" message.
  await page.waitForSelector('.markers-panel .monaco-list-row, .markers-panel .message-box-container', { state: 'attached', timeout }).catch(() => undefined);
  return page.$$eval('.markers-panel .monaco-list-row', (rows) =>
    (rows as unknown as DomEl[])
      .filter((r) => r.querySelector('.marker-message-details, .marker-icon, .codicon-error, .codicon-warning, .codicon-info') && !r.querySelector('.resource-label, .monaco-icon-label.file-icon'))
      .map((r) => {
        const label = r.getAttribute('aria-label') ?? '';
        const icon = r.querySelector('.marker-icon, .codicon');
        const cls = `${icon?.className ?? ''} ${label}`.toLowerCase();
        const severity: 'error' | 'warning' | 'info' | 'unknown' = /error/.test(cls) ? 'error' : /warning/.test(cls) ? 'warning' : /info/.test(cls) ? 'info' : 'unknown';
        return { severity, label, text: (r.innerText ?? '').trim() };
      }),
  );
}
