// @ts-check
// Stage 3, the .vsix as a user gets it: `npm run package`, its file list checked against what it
// must and must not hold, installed with `code-server --install-extension` into a fresh extensions
// dir, and out/test/e2e-vsix/*.test.js driving a second code-server that loads only that copy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HarnessError, OPTIONS, PATHS, log, rel } from './config.mjs';
import { installExtension, startCodeServer, stopServer } from './codeServer.mjs';
import { ROOT, pkg } from './package.mjs';
import { makeProfile } from './profile.mjs';
import { findFiles, runMocha } from './runner.mjs';

/** @typedef {import('./config.mjs').Counts} Counts */
/** @typedef {{ file: string, ms: number } | { error: string }} Packaged */

/** File names in a zip archive (its central directory), without unzip. */
function zipEntries(/** @type {string} */ file) {
  const buf = fs.readFileSync(file);
  let eocd = -1; // the end-of-central-directory record, after at most a 64 KiB comment
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new HarnessError(`${file} is not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(off) !== 0x02014b50) throw new HarnessError(`${file}: bad zip central directory`);
    const n = buf.readUInt16LE(off + 28);
    names.push(buf.toString('utf8', off + 46, off + 46 + n));
    off += 46 + n + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }
  return names;
}

/** @type {[RegExp, string][]} what the .vsix must hold (see .vscodeignore) */
const REQUIRED = [
  [/^extension\/package\.json$/, 'package.json'],
  [/^extension\/readme\.md$/i, 'README.md'],
  [/^extension\/license(\.txt|\.md)?$/i, 'LICENSE'],
  [/^extension\/changelog\.md$/i, 'CHANGELOG.md'],
  [/^extension\/dist\/extension\.js$/, 'dist/extension.js'],
  [/^extension\/dist\/worker\.js$/, 'dist/worker.js'],
  // The web extension host's entry (package.json `browser`) and its Web Worker.
  [/^extension\/dist\/web\/extension\.js$/, 'dist/web/extension.js'],
  [/^extension\/dist\/web\/worker\.js$/, 'dist/web/worker.js'],
  [/^extension\/media\/timeline\.js$/, 'media/timeline.js'],
  [/^extension\/media\/timeline\.css$/, 'media/timeline.css'],
  [/^extension\/media\/uPlot\.min\.css$/, 'media/uPlot.min.css'],
];
const FORBIDDEN = [/^extension\/(src|test|out|node_modules|\.cache|bench|scripts|samples|test-results)\//, /\.map$/, /\.vsix$/, /\.ts$/];
const ALLOWED = [/^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/, ...REQUIRED.map(([re]) => re), /^extension\/media\/[^/]+\.(js|css|svg|png)$/];

/** What the .vsix must hold, and nothing else. Returns the problems found. */
function checkVsixContents(/** @type {string[]} */ names) {
  const files = names.filter((n) => !n.endsWith('/'));
  const problems = REQUIRED.filter(([re]) => !files.some((n) => re.test(n))).map(([, what]) => `missing ${what}`);
  for (const f of files) {
    if (FORBIDDEN.some((re) => re.test(f))) problems.push(`must not ship ${f}`);
    else if (!ALLOWED.some((re) => re.test(f))) problems.push(`unexpected file ${f}`);
  }
  return problems;
}

/**
 * `npm run package` (a production build + vsce), then the dev build again so that stages 1 and 2
 * (and anyone else using dist/) get source maps back. Runs before any code-server starts.
 * @returns {Packaged}
 */
export function packageVsix() {
  if (OPTIONS.vsixFile) return { file: OPTIONS.vsixFile, ms: 0 };
  const file = path.join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
  const t = Date.now();
  log(`vsix: npm run package -> ${rel(file)}`);
  fs.rmSync(file, { force: true });
  const npm = (/** @type {string} */ script) => spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  const r = npm('package');
  const restore = npm('build');
  if (restore.status !== 0) log(`WARNING: restoring the dev build failed:\n${restore.stdout}${restore.stderr}`);
  const out = `${r.stdout || ''}${r.stderr || ''}`.trim();
  fs.mkdirSync(PATHS.results, { recursive: true });
  fs.writeFileSync(path.join(PATHS.results, 'vsix-package.log'), out);
  if (r.status !== 0 || !fs.existsSync(file)) {
    return { error: `npm run package failed (exit ${r.status ?? r.signal}):\n${out.split('\n').slice(-15).join('\n')}` };
  }
  return { file, ms: Date.now() - t };
}

/**
 * Checks, installs and drives the packaged extension (a second code-server on `folder`).
 * @param {Packaged} vsix
 * @param {string} tmp the run's temp dir
 * @param {string} folder
 * @returns {Promise<Counts>}
 */
export async function runVsix(vsix, tmp, folder) {
  const t = Date.now();
  const failed = (/** @type {string} */ why) => {
    console.error(`[test-vscode] vsix FAILED: ${why}`);
    return { passed: 0, failed: 1, pending: 0 };
  };
  if ('error' in vsix) return failed(vsix.error);
  const names = zipEntries(vsix.file);
  const problems = checkVsixContents(names);
  const kib = (fs.statSync(vsix.file).size / 1024).toFixed(0);
  log(`vsix: ${rel(vsix.file)} (${kib} KiB): ${names.filter((n) => !n.endsWith('/')).join(', ')}`);
  if (problems.length) return failed(`contents of ${path.basename(vsix.file)}: ${problems.join('; ')}`);

  const profile = makeProfile(tmp, 'vsix');
  const install = installExtension(tmp, profile, vsix.file);
  fs.writeFileSync(path.join(PATHS.results, 'vsix-install.log'), install.output);
  const id = `${pkg.publisher}.${pkg.name}`;
  const installed = fs.readdirSync(profile.extensions).find((d) => d.toLowerCase().startsWith(`${id}-`.toLowerCase()));
  if (install.status !== 0 || !installed || !fs.existsSync(path.join(profile.extensions, installed, 'dist/extension.js'))) {
    return failed(`--install-extension (exit ${install.status}) did not install ${id}:\n${install.output}`);
  }
  log(`vsix: installed ${installed} into a fresh --extensions-dir (${install.output.split('\n').filter(Boolean).pop()})`);
  const files = findFiles(PATHS.vsixE2e, '.test.js');
  if (files.length === 0) return failed(`no ${rel(PATHS.vsixE2e)}/*.test.js (run npm run compile-tests)`);
  const cs = await startCodeServer({ tmp, profile, folder, name: 'code-server-vsix' });
  try {
    const r = await runMocha('vsix', files, {
      BPTT_VSIX_URL: cs.base,
      BPTT_VSIX_WORKSPACE: folder,
      BPTT_VSIX_EXTENSIONS_DIR: profile.extensions,
      BPTT_VSIX_ID: id,
    });
    log(`vsix: package ${(vsix.ms / 1000).toFixed(1)}s, install + server + UI ${((Date.now() - t) / 1000).toFixed(1)}s`);
    return r;
  } finally {
    await stopServer(cs.server);
  }
}
