/**
 * Host-side timeline figures for a 10⁶-step trace: preparing the series once, reducing the
 * overview and a zoom window, the longest uninterrupted slice of work (what blocks the extension
 * host's event loop), and the size of the messages. Run: node out/bench/webview-bench.js
 */
import { BUILTIN_DEFAULTS, runBptt } from '../src/core';
import { TraceSeries, type Pause } from '../src/extension/timeline/data';
import type { SeriesWindow } from '../src/shared/protocol';

const T = Number(process.env.BPTT_BENCH_T ?? 1_000_000);
const WIDTH = Number(process.env.BPTT_BENCH_WIDTH ?? 1000);

function bytes(w: SeriesWindow): number {
  return w.t.byteLength + Object.values(w.values).reduce((n, a) => n + a.byteLength, 0);
}

/** A pause that records the longest stretch of synchronous work between pauses. */
function slicer(): { pause: Pause; longest: () => number } {
  let last = performance.now();
  let longest = 0;
  return {
    pause: () =>
      new Promise((resolve) => {
        longest = Math.max(longest, performance.now() - last);
        setImmediate(() => {
          last = performance.now();
          resolve();
        });
      }),
    longest: () => Math.max(longest, performance.now() - last),
  };
}

async function main(): Promise<void> {
  const x = new Float64Array(T).map((_, i) => Math.sin(i / 5000) + 0.3 * Math.sin(i * 1.3));
  const y = new Float64Array(T).map((_, i) => Math.cos(i / 3000));
  const hasY = new Uint8Array(T).map((_, i) => (i % 10 === 0 ? 1 : 0));
  const trace = runBptt({ ...BUILTIN_DEFAULTS, w: 0.9, v: 0.5 }, { x, y, hasY });
  for (let round = 0; round < 3; round++) {
    const s = slicer();
    let t0 = performance.now();
    const series = await TraceSeries.prepare(trace, s.pause);
    const prepareMs = performance.now() - t0;
    t0 = performance.now();
    const overview = await series.window(0, T, WIDTH, s.pause);
    const overviewMs = performance.now() - t0;
    t0 = performance.now();
    const zoom = await series.window(400_000, 400_000 + 2 * WIDTH, WIDTH, s.pause);
    const zoomMs = performance.now() - t0;
    const summary = JSON.stringify(series.summary({ uri: 'file:///big.csv', fileName: 'big.csv', version: 1, durationMs: 0 }));
    console.log(
      `T=${T} width=${WIDTH} round ${round}: prepare ${prepareMs.toFixed(1)} ms, overview ${overviewMs.toFixed(1)} ms (${overview.t.length} points, ` +
        `${(bytes(overview) / 1024).toFixed(0)} KiB + ${summary.length} B summary), zoom window ${zoomMs.toFixed(2)} ms ` +
        `(${zoom.full ? 'full resolution' : 'reduced'}, ${(bytes(zoom) / 1024).toFixed(0)} KiB), longest blocking slice ${s.longest().toFixed(1)} ms`,
    );
  }
}

void main();
