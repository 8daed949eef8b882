#!/usr/bin/env bash
# npm run reliability: the hostile-input figures of RELIABILITY.md.
#  1. the property tests of test/unit/hostile-props.test.ts with BPTT_PROPS_RUNS cases per
#     property (default 21 000: 5 properties, ≥ 10⁵ cases), with a summary table per input class;
#  2. the CLI's bad-input corpus (test/unit/cli-hostile.test.ts), each case timed.
# FC_SEED=<n> explores other inputs (the default seed is fixed, so a run is reproducible).
# The report goes to stdout and to bench/out/reliability.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${BPTT_PROPS_RUNS:-21000}"
mkdir -p bench/out
OUT=bench/out/reliability.txt
npm run --silent build >/dev/null
npm run --silent compile-tests
MOCHA=(npx mocha --no-config --require out/test/unit/fastcheck.setup.js --timeout 0 --enable-source-maps)
{
  echo "# bptt-lens reliability run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# node $(node --version), $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), FC_SEED=${FC_SEED:-default}"
  echo
  echo "## Property tests: $RUNS cases per property"
  start=$(date +%s)
  BPTT_PROPS_RUNS="$RUNS" BPTT_PROPS_SUMMARY=1 "${MOCHA[@]}" out/test/unit/hostile-props.test.js
  echo "(wall time $(( $(date +%s) - start )) s)"
  echo
  echo "## CLI bad-input corpus"
  start=$(date +%s)
  "${MOCHA[@]}" out/test/unit/cli-hostile.test.js
  echo "(wall time $(( $(date +%s) - start )) s)"
} 2>&1 | tee "$OUT"
exit "${PIPESTATUS[0]}"
