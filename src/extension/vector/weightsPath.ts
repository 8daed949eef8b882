/**
 * Where a sequence file's `weights=` path points, as a URI path: relative to the sequence file's
 * folder, and refused when it leaves the workspace (the extension reads nothing outside it; the
 * CLI reads a path wherever it is). Pure string work on URI paths, so it runs in the web extension
 * host too (no Node `path`).
 */

export type WeightsPathResult = { ok: true; path: string } | { ok: false; message: string };

/** `a/./b/../c` → `a/c`; null when `..` climbs above the root. */
function normalize(path: string): string | null {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return '/' + out.join('/');
}

function inside(path: string, root: string): boolean {
  const r = root.endsWith('/') ? root : root + '/';
  return path === root || path.startsWith(r);
}

/**
 * `sequencePath`: the sequence file's URI path (`/ws/data/seq.csv`). `weights`: the text after
 * `weights=` (`model.safetensors`, `../models/m.npz`, `C:\\models\\m.npz`). `roots`: the URI paths
 * of the workspace folders; with none open, the sequence file's own folder is the only root.
 */
export function resolveWeightsPath(sequencePath: string, weights: string, roots: readonly string[]): WeightsPathResult {
  const given = weights.trim().replace(/\\/g, '/');
  if (given === '') return { ok: false, message: 'weights= names no file' };
  const folder = sequencePath.slice(0, sequencePath.lastIndexOf('/') + 1) || '/';
  // A Windows drive path is absolute; VS Code writes it in a URI path with a lower-case drive: /c:/models/m.npz.
  const drive = /^[A-Za-z]:\//.test(given);
  const joined = drive ? '/' + given[0].toLowerCase() + given.slice(1) : given.startsWith('/') ? given : folder + given;
  const path = normalize(joined);
  const allowed = roots.length > 0 ? roots : [folder.replace(/\/$/, '') || '/'];
  if (path === null || !allowed.some((root) => inside(path, normalize(root) ?? root))) {
    const where = roots.length > 0 ? 'the workspace' : "the sequence file's folder (no workspace is open)";
    return { ok: false, message: `weights file ${weights.trim()} is outside ${where}: BPTT Lens reads weights only from inside it (the CLI reads any path)` };
  }
  return { ok: true, path };
}
