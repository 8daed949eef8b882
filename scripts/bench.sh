#!/usr/bin/env bash
# npm run bench: builds the C baseline (bench/bptt.c) and the JS benchmark (bench/bench.ts), then
# runs it. The report goes to stdout and to bench/out/latest.txt. Extra arguments go to the
# benchmark (--quick: T up to 10⁶ and fewer samples). BPTT_BENCH_CORE=0 skips this part.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BPTT_BENCH_CORE:-1}" != 0 ]; then
  mkdir -p bench/out
  gcc -O2 -Wall -Wextra -o bench/out/bptt bench/bptt.c -lm
  npx esbuild bench/bench.ts --bundle --platform=node --target=node20 --main-fields=module,main --log-level=warning --outfile=bench/out/bench.js
  node --expose-gc bench/out/bench.js --out bench/out/latest.txt "$@"
  # The parsers: MB/s and bytes per element at 10 and 100 MB (bench/parse-bench.ts; --big: the CLI on 600 MB CSV etc.)
  npx esbuild bench/parse-bench.ts --bundle --platform=node --target=node20 --main-fields=module,main --log-level=warning --outfile=bench/out/parse-bench.js
  node --expose-gc bench/out/parse-bench.js "$@" | tee -a bench/out/latest.txt
  npx esbuild bench/gradcheck-bench.ts --bundle --platform=node --target=node20 --main-fields=module,main --log-level=warning --outfile=bench/out/gradcheck-bench.js && node bench/out/gradcheck-bench.js | tee -a bench/out/latest.txt
fi

# Then the extension in real VS Code (code-server + Chromium): bench/vscode/, compiled to
# out/bench/vscode/, gives the extension-host and timeline-webview figures (BENCHMARKS.md; JSON in
# test-results/perf/). BPTT_BENCH_VSCODE=0 skips it.
if [ "${BPTT_BENCH_VSCODE:-1}" != 0 ]; then
  bash scripts/provision.sh
  npm run --silent build
  npm run --silent compile-tests
  node scripts/test-vscode.mjs --bench
fi
