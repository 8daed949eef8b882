// @ts-check
// Stage integration-web: the mocha suite test/e2e/webSuite.ts inside the web worker extension
// host. It is bundled here for the browser (mocha's browser build, `vscode` external, no Node
// built-ins) into out/test/web-suite/index.js, and passed as extensionTestsPath with the web-only
// copy of the extension: VS Code runs an extensionTestsPath in the host of the extension whose
// folder holds it, so the path must be inside that copy (its `out` is a symlink to ours).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import esbuild from 'esbuild';
import { ROOT } from './package.mjs';
import { runInExtensionHost } from './browser.mjs';
import { webOnlyCopy } from './runner.mjs';

/** @typedef {import('./codeServer.mjs').CodeServer} CodeServer */

/** Bundles the web suite and runs it in the web worker extension host of `cs` on `folder`. */
export async function runWebSuite(/** @type {CodeServer} */ cs, /** @type {string} */ folder, /** @type {string} */ tmp) {
  const out = 'out/test/web-suite/index.js';
  // mocha's browser build first, with `module` and `exports` hidden so that its UMD header sets
  // the globals `mocha` and `Mocha` instead of replacing the bundle's exports (our `run`).
  const mochaJs = fs.readFileSync(createRequire(path.join(ROOT, 'package.json')).resolve('mocha/mocha.js'), 'utf8');
  await esbuild.build({
    banner: { js: `(function (module, exports, define) {\n${mochaJs}\n})();` },
    entryPoints: [path.join(ROOT, 'test/e2e/webSuite.ts')],
    outfile: path.join(ROOT, out),
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const extension = webOnlyCopy(tmp);
  return runInExtensionHost(cs, folder, path.join(extension, out), 'integration-web', { extension, web: true });
}
