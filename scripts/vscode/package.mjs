// @ts-check
// The repository root and its package.json, read once for every script that needs them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @typedef {{ name: string, version: string, publisher: string, main?: string }} PackageJson */

/** @type {PackageJson} */
export const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
