// @ts-check
// Bundles every entry point with esbuild: the extension for both hosts (Node, web) and their
// workers, the CLI and the webview. The web bundles must hold no Node built-in: a check on esbuild's
// metafile fails the build if one is imported, and the size of every bundle is reported.
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
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
  metafile: true,
  // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Leaves a Node built-in unresolved in a web bundle (external), so that the metafile check below
 * names every one and its importer, instead of esbuild stopping at the first.
 * @type {esbuild.Plugin}
 */
const nodeBuiltinsExternal = {
  name: 'node-builtins-external',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => (NODE_BUILTINS.has(args.path) ? { path: args.path, external: true } : undefined));
  },
};

/** Web extension host: a Web Worker, CommonJS (as VS Code loads a `browser` entry), no Node. */
const web = { ...common, platform: /** @type {const} */ ('browser'), mainFields: ['browser', 'module', 'main'], plugins: [nodeBuiltinsExternal] };

/** @type {(esbuild.BuildOptions & { entryPoints: string[], outfile: string, web?: boolean })[]} */
const builds = [
  // Extension host and its worker thread: Node, CommonJS, `vscode` provided by the host.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { ...common, entryPoints: ['src/extension/worker.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs' },
  // The same extension for the browser (package.json `browser`) and its Web Worker (a classic script).
  { ...web, entryPoints: ['src/extension/extension.web.ts'], outfile: 'dist/web/extension.js', format: 'cjs', external: ['vscode'], web: true },
  { ...web, entryPoints: ['src/extension/worker.web.ts'], outfile: 'dist/web/worker.js', format: 'iife', web: true },
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

/** The Node built-ins a web bundle imports, as "importer -> module". */
function nodeImports(/** @type {esbuild.Metafile} */ meta) {
  const found = [];
  for (const [file, input] of Object.entries(meta.inputs)) {
    for (const imp of input.imports) {
      if (NODE_BUILTINS.has(imp.path) || imp.path.startsWith('node:') || imp.path.startsWith('(disabled):')) found.push(`${file} -> ${imp.path}`);
    }
  }
  return found;
}

/** Kilobytes of each output bundle (source maps aside). */
function sizes(/** @type {esbuild.Metafile} */ meta) {
  return Object.entries(meta.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, out]) => `${file} ${(out.bytes / 1024).toFixed(1)} KB`);
}

mkdirSync('media', { recursive: true });
copyFileSync('node_modules/uplot/dist/uPlot.min.css', 'media/uPlot.min.css');

if (watch) {
  for (const { web: _web, ...b } of builds) await (await esbuild.context(b)).watch();
  console.log('watching', builds.map((b) => b.entryPoints[0]).join(', '));
} else {
  const results = await Promise.all(builds.map(({ web: _web, ...b }) => esbuild.build(b)));
  const leaks = builds.flatMap((b, k) => (b.web ? nodeImports(/** @type {esbuild.Metafile} */ (results[k].metafile)) : []));
  if (leaks.length) {
    console.error(`build: the web bundles must not use Node built-ins:\n  ${leaks.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`built:\n  ${results.flatMap((r) => sizes(/** @type {esbuild.Metafile} */ (r.metafile))).join('\n  ')}`);
}
