#!/usr/bin/env bash
# npm run bench: builds the C baseline (bench/bptt.c) and the JS benchmark (bench/bench.ts), then
# runs it. The report goes to stdout and to bench/out/latest.txt. Extra arguments go to the
# benchmark (--quick: T up to 10⁶ and fewer samples). BPTT_BENCH_CORE=0 skips this part.
set -euo pipefail
cd "$(dirname "$0")/.."
# js_bench NAME ARGS...: bundles bench/NAME.ts for Node and runs it, appending its report to latest.txt.
js_bench() {
  local name="$1"; shift
  npx esbuild "bench/$name.ts" --bundle --platform=node --target=node20 --main-fields=module,main --log-level=warning --outfile="bench/out/$name.js"
  node --expose-gc "bench/out/$name.js" "$@" | tee -a bench/out/latest.txt
}

if [ "${BPTT_BENCH_CORE:-1}" != 0 ]; then
  mkdir -p bench/out
  gcc -O2 -Wall -Wextra -o bench/out/bptt bench/bptt.c -lm
  npx esbuild bench/bench.ts --bundle --platform=node --target=node20 --main-fields=module,main --log-level=warning --outfile=bench/out/bench.js
  node --expose-gc bench/out/bench.js --out bench/out/latest.txt "$@"
  # The parsers: MB/s and bytes per element at 10 and 100 MB (--big: the CLI on a 600 MB CSV and 100/60 MB JSON).
  js_bench parse-bench "$@"
  # The 10⁶-row CSV a large document is: the worker's byte parse and the text parse, median of runs.
  js_bench parse-speed --runs 9
  # Check my gradients: checks vs a plain run at 10⁶ steps, the catalogue, the hover.
  js_bench check-bench
  # The numerical gradient check: six parameters at T = 10⁶, per φ, beside runBptt.
  js_bench gradcheck-bench
  # Where the gradient goes: factors + horizons, gradient by lag, heat map, truncated runs (--quick: K = 100 at 10⁶).
  js_bench flow-bench "$@"
  # Vector RNNs (issue 11): ours (plain JS, WebAssembly SIMD) vs C -O2 (bench/vbptt.c), PyTorch and NumPy (bench/peers/), memory, CLI end to end.
  gcc -O2 -Wall -Wextra -o bench/out/vbptt bench/vbptt.c -lm
  npx esbuild bench/vector-bench.ts --bundle --platform=node --target=node20 --main-fields=module,main --log-level=warning --outfile=bench/out/vector-bench.js
  node --expose-gc bench/out/vector-bench.js --out bench/out/latest.txt "$@"
  # The extension's large-file path (host + worker, no VS Code) on a 600 MB CSV: only with --big.
  if [[ " $* " == *" --big "* ]]; then js_bench large-file-bench --mb 600 --heap 2048; fi
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
