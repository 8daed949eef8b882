// @ts-check
// A fresh VS Code profile with deterministic, quiet settings, and a workspace copy of samples/:
// what every launcher (code-server and @vscode/test-electron) starts VS Code on.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './package.mjs';

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'workbench.localHistory.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'files.autoSave': 'off',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 300,
  'editor.codeLens': true,
  'breadcrumbs.enabled': false,
  'terminal.integrated.enablePersistentSessions': false,
  'notifications.doNotDisturbMode': false,
};

/** @typedef {{ userData: string, extensions: string }} Profile */

/**
 * User data with SETTINGS (and `extra.settings`) and an empty extensions dir, under `dir`/`name`;
 * `extra.keybindings` become the user's keybindings.json.
 * @param {string} dir
 * @param {string} name
 * @param {{ settings?: Record<string, unknown>, keybindings?: object[] }} [extra]
 */
export function makeProfile(dir, name, extra = {}) {
  /** @type {Profile} */
  const profile = { userData: path.join(dir, name, 'user-data'), extensions: path.join(dir, name, 'extensions') };
  const settings = JSON.stringify({ ...SETTINGS, ...extra.settings }, null, 2);
  for (const scope of ['User', 'Machine']) {
    fs.mkdirSync(path.join(profile.userData, scope), { recursive: true });
    fs.writeFileSync(path.join(profile.userData, scope, 'settings.json'), settings);
  }
  if (extra.keybindings) fs.writeFileSync(path.join(profile.userData, 'User', 'keybindings.json'), JSON.stringify(extra.keybindings, null, 2));
  fs.mkdirSync(profile.extensions, { recursive: true });
  return profile;
}

/** A copy of samples/ at `dir`/`name`/samples (tests may edit it); returns its path. */
export function copySamples(/** @type {string} */ dir, /** @type {string} */ name) {
  const folder = path.join(dir, name, 'samples');
  fs.mkdirSync(folder, { recursive: true });
  fs.cpSync(path.join(ROOT, 'samples'), folder, { recursive: true });
  return folder;
}
