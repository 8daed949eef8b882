#!/usr/bin/env bash
# THE test command (`npm test`): self-contained on a fresh Debian machine with npm.
#   npm ci (when node_modules is absent) -> provision (Debian packages + code-server)
#   -> build -> lint -> typecheck -> unit tests -> real VS Code tests.
# Stops at the first failing stage. Ends with one line `N passed, N failed` that
# adds up the mocha counts of the unit and VS Code stages.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CI="${CI:-}" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

RESULTS="$ROOT/test-results"
mkdir -p "$RESULTS"
T0=$(date +%s)
declare -a TIMINGS=()
PASSED=0; FAILED=0; PENDING=0

stage() { # stage NAME cmd...
  local name="$1"; shift
  local t; t=$(date +%s)
  echo
  echo "=== [$name] $* ==="
  local rc=0
  "$@" || rc=$?
  TIMINGS+=("$name $(( $(date +%s) - t ))s")
  if [ "$rc" -ne 0 ]; then
    echo "=== [$name] FAILED (exit $rc) ==="
    summary 1
    exit "$rc"
  fi
}

summary() {
  echo
  echo "--- stage timings: ${TIMINGS[*]:-none}; total $(( $(date +%s) - T0 ))s"
  local failed=$FAILED
  if [ "${1:-0}" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$PENDING" -gt 0 ]; then
    echo "$PASSED passed, $failed failed, $PENDING skipped"
  else
    echo "$PASSED passed, $failed failed"
  fi
}

# Parse mocha spec-reporter totals ("N passing", "N failing", "N pending") from a log.
count_mocha() {
  local log="$1" p f s
  p=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '^ *[0-9]+ passing' | tail -n1 | grep -Eo '[0-9]+' || true)
  f=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '^ *[0-9]+ failing' | tail -n1 | grep -Eo '[0-9]+' || true)
  s=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '^ *[0-9]+ pending' | tail -n1 | grep -Eo '[0-9]+' || true)
  PASSED=$((PASSED + ${p:-0})); FAILED=$((FAILED + ${f:-0})); PENDING=$((PENDING + ${s:-0}))
}

run_unit() {
  local log="$RESULTS/unit.log" rc=0
  npm run --silent test:unit 2>&1 | tee "$log" || rc=$?
  count_mocha "$log"
  return "$rc"
}

run_vscode() {
  local sum="$RESULTS/vscode/summary.json" rc=0
  rm -f "$sum"
  npm run --silent test:vscode || rc=$?
  if [ -f "$sum" ]; then
    local p f s
    read -r p f s < <(node -e 'const s=require(process.argv[1]);console.log(s.passed|0,s.failed|0,s.pending|0)' "$sum")
    PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); PENDING=$((PENDING + s))
  fi
  return "$rc"
}

if [ ! -d node_modules ] || [ ! -e node_modules/.package-lock.json ]; then
  stage "npm ci" npm ci --no-audit --no-fund
fi
stage provision bash scripts/provision.sh
stage build npm run --silent build
stage lint npm run --silent lint
stage typecheck npm run --silent typecheck
stage unit run_unit
stage vscode run_vscode
summary 0
