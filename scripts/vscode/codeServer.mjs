// @ts-check
// code-server (VS Code 1.100.3 from .cache/code-server) as a supervised child: each server runs
// in its own process group on a free loopback port, with its config and XDG dirs in the run's
// temp dir, and is stopped (SIGTERM, then SIGKILL) with everything it started.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { HarnessError, PATHS, log, rel, tail } from './config.mjs';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @typedef {import('./profile.mjs').Profile} Profile */
/** @typedef {{ port: number, base: string, server: ChildProcess }} CodeServer */

/** @type {Set<ChildProcess>} */
const servers = new Set();

const running = (/** @type {ChildProcess} */ proc) => proc.exitCode === null && proc.signalCode === null;

/**
 * Sends `signal` to the process group of `only`, or of every server still running.
 * @param {NodeJS.Signals} signal
 * @param {ChildProcess} [only]
 */
export function killServersSync(signal, only) {
  for (const server of only ? [only] : servers) {
    if (!running(server) || server.pid === undefined) continue;
    try {
      process.kill(-server.pid, signal);
    } catch {
      server.kill(signal); // not a group leader (any more): the process alone
    }
  }
}

/** SIGTERM, then SIGKILL after 4 s, to one code-server's process group. */
export async function stopServer(/** @type {ChildProcess} */ server) {
  if (running(server)) {
    const exited = new Promise((r) => server.once('exit', r));
    killServersSync('SIGTERM', server);
    const t = setTimeout(() => killServersSync('SIGKILL', server), 4000);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 6000))]);
    clearTimeout(t);
    killServersSync('SIGKILL', server);
  }
  servers.delete(server);
}

export const stopAllServers = () => Promise.all([...servers].map(stopServer));

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(address.port));
    });
  });
}

/** @returns {Promise<boolean>} whether `url` answers without a server error within 2 s */
function httpOk(/** @type {string} */ url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** code-server's environment: no password, config and XDG dirs under `tmp`, no outer VS Code. */
function codeServerEnv(/** @type {string} */ tmp) {
  const cfgDir = path.join(tmp, 'config');
  const config = path.join(cfgDir, 'config.yaml');
  fs.mkdirSync(cfgDir, { recursive: true });
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: cfgDir,
    XDG_DATA_HOME: path.join(tmp, 'data'),
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  return { env, config };
}

/**
 * Starts code-server on `profile` with `folder` open and waits (90 s at most) until it answers.
 * Its output goes to test-results/vscode/`name`.log.
 * @param {{ tmp: string, profile: Profile, folder: string, name: string }} o
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer({ tmp, profile, folder, name }) {
  const port = await freePort();
  fs.mkdirSync(PATHS.results, { recursive: true });
  const logFile = path.join(PATHS.results, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const { env, config } = codeServerEnv(tmp);
  const args = [
    PATHS.codeServer,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', config,
    '--user-data-dir', profile.userData,
    '--extensions-dir', profile.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    folder,
  ];
  const server = spawn(process.execPath, args, {
    cwd: tmp,
    env,
    stdio: ['ignore', out, out],
    detached: true, // its own process group: stopServer kills the whole tree
  });
  servers.add(server);
  fs.closeSync(out);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!running(server)) {
      throw new HarnessError(`${name} exited early (${server.exitCode ?? server.signalCode}); log:\n${tail(logFile)}`);
    }
    if (await httpOk(`${base}/healthz`)) {
      log(`${name} ready at ${base} (log: ${rel(logFile)})`);
      return { port, base, server };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new HarnessError(`${name} did not answer on ${base} within 90s; log:\n${tail(logFile)}`);
}

/** `code-server --install-extension <vsix>` into `profile`; returns the exit status and output. */
export function installExtension(/** @type {string} */ tmp, /** @type {Profile} */ profile, /** @type {string} */ vsix) {
  const { env } = codeServerEnv(tmp);
  const r = spawnSync(
    process.execPath,
    [PATHS.codeServer, '--user-data-dir', profile.userData, '--extensions-dir', profile.extensions, '--install-extension', vsix],
    { cwd: tmp, env, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: r.status ?? r.signal, output: `${r.stdout || ''}${r.stderr || ''}`.trim() };
}
