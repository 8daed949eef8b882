#!/usr/bin/env bash
# `npm start`: BPTT Lens in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
# at http://127.0.0.1:$PORT (default 8080), with samples/ open. Stays in the
# foreground until Ctrl+C. Loopback only, no password.
#   PORT=9000 npm start
#   BPTT_START_VSIX=1 npm start   install a packaged .vsix instead of the symlink
#   BPTT_SKIP_BUILD=1 npm start   reuse the current dist/ and media/
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8080}"
EXT_PATH="$(cd "${BPTT_EXTENSION_PATH:-$ROOT}" && pwd)"
CACHE="$ROOT/.cache"
EXT_DIR="$CACHE/dev-extensions"
USER_DATA="$CACHE/dev-user-data"
CS="$CACHE/code-server/out/node/entry.js"

if [ ! -d node_modules ]; then
  echo "[start] npm ci"
  npm ci --no-audit --no-fund
fi
bash scripts/provision.sh --no-browser
if [ -z "${BPTT_SKIP_BUILD:-}" ]; then
  echo "[start] npm run build"
  npm run --silent build
fi

# A fresh extensions dir holding only BPTT Lens.
rm -rf "$EXT_DIR"
mkdir -p "$EXT_DIR" "$USER_DATA/User"
read -r PUBLISHER NAME VERSION < <(node -e 'const p=require(process.argv[1]);console.log(p.publisher,p.name,p.version)' "$EXT_PATH/package.json")
if [ -n "${BPTT_START_VSIX:-}" ]; then
  VSIX="$CACHE/bptt-lens-dev.vsix"
  echo "[start] packaging $VSIX"
  (cd "$EXT_PATH" && npx --no-install vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links -o "$VSIX" >/dev/null)
  node "$CS" --user-data-dir "$USER_DATA" --extensions-dir "$EXT_DIR" --install-extension "$VSIX" --force
else
  # VS Code 1.100 scans symlinked extension folders; edits + rebuild + "Reload Window" apply.
  ln -sfn "$EXT_PATH" "$EXT_DIR/$PUBLISHER.$NAME-$VERSION"
fi

if [ ! -f "$USER_DATA/User/settings.json" ]; then
  cat >"$USER_DATA/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none",
  "git.openRepositoryInParentFolders": "never"
}
JSON
fi

mkdir -p "$CACHE/dev-config"
printf 'auth: none\ncert: false\n' >"$CACHE/dev-config/config.yaml"
FOLDER="$ROOT/samples"
URL="http://127.0.0.1:$PORT/?folder=$FOLDER"
cat <<MSG

  ┌──────────────────────────────────────────────────────────────────────
  │ BPTT Lens in VS Code $(node -p 'require(process.argv[1]).version' "$CACHE/code-server/lib/vscode/package.json") (code-server) — open:
  │
  │   $URL
  │
  │ extension: $PUBLISHER.$NAME@$VERSION from $EXT_PATH
  │ Ctrl+C to stop. After \`npm run build\`, run "Developer: Reload Window".
  └──────────────────────────────────────────────────────────────────────

MSG
export XDG_CONFIG_HOME="$CACHE/dev-config" XDG_DATA_HOME="$CACHE/dev-data"
exec node "$CS" \
  --auth none \
  --bind-addr "127.0.0.1:$PORT" \
  --config "$CACHE/dev-config/config.yaml" \
  --user-data-dir "$USER_DATA" \
  --extensions-dir "$EXT_DIR" \
  --disable-telemetry \
  --disable-update-check \
  --disable-workspace-trust \
  --disable-getting-started-override \
  "$FOLDER"
