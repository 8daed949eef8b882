// @ts-check
// The repository root and its package.json, read once for every script that needs them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @typedef {{ name: string, version: string, publisher: string, main?: string }} PackageJson */

/** @type {Map<string, PackageJson>} */
const read = new Map();

/** The package.json in `dir` (an extension under test may live elsewhere), read once. */
export function packageOf(/** @type {string} */ dir) {
  let p = read.get(dir);
  if (!p) read.set(dir, (p = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))));
  return /** @type {PackageJson} */ (p);
}

/** This repository's package.json. */
export const pkg = packageOf(ROOT);
