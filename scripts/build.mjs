// @ts-check
// Bundles every entry point with esbuild: the extension host, its worker, the CLI and the webview.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

/** @type {(esbuild.BuildOptions & { entryPoints: string[], outfile: string })[]} */
const builds = [
  // Extension host and its worker thread: Node, CommonJS, `vscode` provided by the host.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { ...common, entryPoints: ['src/extension/worker.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs' },
  // Webview: a browser script loaded by nonce from media/.
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'media/timeline.js', platform: 'browser', format: 'iife' },
];

// Every entry is shipped or tested: a missing one is a broken tree, not something to skip.
const missing = builds.map((b) => b.entryPoints[0]).filter((entry) => !existsSync(entry));
if (missing.length) {
  console.error(`build: missing entry point(s): ${missing.join(', ')}`);
  process.exit(1);
}

mkdirSync('media', { recursive: true });
copyFileSync('node_modules/uplot/dist/uPlot.min.css', 'media/uPlot.min.css');

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching', builds.map((b) => b.entryPoints[0]).join(', '));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log('built', builds.map((b) => b.outfile).join(', '));
}
