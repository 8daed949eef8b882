#!/usr/bin/env bash
# Provision what the real-VS-Code tests need, offline-friendly (npm + Debian only):
#   - Debian packages: chromium, ripgrep, build-essential, python3, pkg-config,
#     libkrb5-dev, fonts-dejavu-core (only the missing ones are installed)
#   - code-server@4.100.3 (bundles VS Code 1.100.3) into .cache/code-server,
#     installed by hand as in shared/notes/real-vscode-offline.md.
# Idempotent: a complete code-server install is marked by a stamp file and skipped.
#
# Usage: scripts/provision.sh [--no-browser] [--apt-only | --code-server-only]
#   --no-browser        do not install chromium (npm start does not need it)
#   --apt-only          only the Debian packages
#   --code-server-only  only code-server (still installs its build deps if missing)
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
DEST="$CACHE/code-server"
STAMP="$DEST/.bptt-provisioned-$CODE_SERVER_VERSION"

want_browser=1; do_apt=1; do_cs=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) want_browser=0 ;;
    --apt-only) do_cs=0 ;;
    --code-server-only) want_browser=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "provision: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[provision] $*"; }
t0=$(date +%s)

# ---------------------------------------------------------------- Debian packages
apt_install() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages present: $*"
    return 0
  fi
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
      echo "[provision] missing Debian packages (${missing[*]}) and not root; install them and retry" >&2
      exit 1
    fi
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local aptlog; aptlog="$(mktemp)"
  if ! { $SUDO apt-get update -q && \
         $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$aptlog" 2>&1; then
    tail -n 40 "$aptlog" >&2
    rm -f "$aptlog"
    echo "[provision] apt-get failed" >&2
    exit 1
  fi
  rm -f "$aptlog"
}

if [ "$do_apt" -eq 1 ]; then
  pkgs=(ripgrep build-essential python3 pkg-config libkrb5-dev fonts-dejavu-core ca-certificates)
  [ "$want_browser" -eq 1 ] && pkgs+=(chromium)
  apt_install "${pkgs[@]}"
fi

# ---------------------------------------------------------------- code-server
install_code_server() {
  if [ -f "$STAMP" ] && [ -f "$DEST/out/node/entry.js" ]; then
    log "code-server $CODE_SERVER_VERSION present in .cache/code-server (skip)"
    return 0
  fi
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$node_major" != "20" ]; then
    log "WARNING: code-server $CODE_SERVER_VERSION wants Node 20, this is Node $(node -v)"
  fi
  local rg; rg="$(command -v rg || true)"
  if [ -z "$rg" ]; then echo "[provision] ripgrep (rg) is required" >&2; exit 1; fi

  log "installing code-server $CODE_SERVER_VERSION into .cache/code-server (takes 1-5 min)"
  mkdir -p "$CACHE"
  local work="$CACHE/code-server.partial"
  rm -rf "$work" "$DEST"
  mkdir -p "$work"
  local ilog="$CACHE/code-server-install.log"
  : >"$ilog"
  export npm_config_yes=true npm_config_audit=false npm_config_fund=false \
         npm_config_update_notifier=false npm_config_loglevel=warn npm_config_progress=false
  step() { # step "description" cmd...
    local what="$1"; shift
    log "  - $what"
    echo "### $what: $*" >>"$ilog"
    if ! "$@" >>"$ilog" 2>&1; then
      tail -n 60 "$ilog" >&2
      echo "[provision] code-server install failed at: $what (full log: $ilog)" >&2
      exit 1
    fi
  }
  step "npm pack code-server@$CODE_SERVER_VERSION" \
    npm pack "code-server@$CODE_SERVER_VERSION" --pack-destination "$work"
  step "unpack" tar xzf "$work/code-server-$CODE_SERVER_VERSION.tgz" -C "$work"
  rm -f "$work/code-server-$CODE_SERVER_VERSION.tgz"
  local pkg="$work/package"
  step "npm install (code-server)" bash -c "cd '$pkg' && npm install --omit=dev --ignore-scripts"
  step "npm rebuild argon2" bash -c "cd '$pkg' && npm rebuild argon2"
  step "npm install (lib/vscode)" bash -c "cd '$pkg/lib/vscode' && npm install --omit=dev --ignore-scripts"
  mkdir -p "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin"
  ln -sf "$rg" "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  step "npm rebuild (lib/vscode native modules)" bash -c "cd '$pkg/lib/vscode' && npm rebuild"
  ln -sfn node_modules "$pkg/lib/vscode/node_modules.asar"
  (cd "$pkg/lib/vscode/bin/remote-cli" && ln -sf code-linux.sh code-server)
  (cd "$pkg/lib/vscode/bin/helpers" && ln -sf browser-linux.sh browser.sh)
  step "npm install (lib/vscode/extensions)" bash -c "cd '$pkg/lib/vscode/extensions' && npm install --omit=dev --ignore-scripts"
  step "smoke check" node "$pkg/out/node/entry.js" --version
  mv "$pkg" "$DEST"
  rm -rf "$work"
  date -u +%FT%TZ >"$STAMP"
  log "code-server $CODE_SERVER_VERSION installed"
}

if [ "$do_cs" -eq 1 ]; then
  mkdir -p "$CACHE"
  # Serialize concurrent provisioners (e.g. npm test and npm start at once).
  exec 9>"$CACHE/.provision.lock"
  flock 9 2>/dev/null || true
  install_code_server
fi

log "done in $(( $(date +%s) - t0 ))s"
