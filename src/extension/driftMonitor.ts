/**
 * How long the event loop was blocked: a heartbeat of 1 ms interval ticks from start to `stop()`
 * (a timer works the same in Node and in a Web Worker, where the web extension host runs; browsers
 * clamp repeating timers to 4 ms, so there the resolution is 4 ms). `stop()` returns the longest
 * gap between ticks, the gap still open at `stop()` included; `p99()` after it, the 99th percentile
 * of the gaps. Used by the measurement commands (testHooks.ts) and by the extension-host benchmark
 * (bench/vscode/extension.bench.ts).
 */
export function driftMonitor(): { stop(): number; p99(): number; worstEndedAt(): number } {
  let last = performance.now();
  let worst = 0;
  let worstEnd = last;
  const gaps: number[] = [];
  const tick = (): void => {
    const now = performance.now();
    gaps.push(now - last);
    if (now - last > worst) {
      worst = now - last;
      worstEnd = now;
    }
    last = now;
  };
  const timer = setInterval(tick, 1);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      return worst;
    },
    /** When (performance.now()) the longest gap ended. */
    worstEndedAt: () => worstEnd,
    p99: () => {
      const sorted = [...gaps].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))];
    },
  };
}
