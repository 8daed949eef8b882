/**
 * How long the event loop was blocked, at worst: the longest gap between 1 ms interval ticks from
 * start to `stop()`, the gap still open at `stop()` included. Used by the measurement commands
 * (testHooks.ts) and by the extension-host benchmark (bench/vscode/extension.bench.ts).
 */
export function driftMonitor(): { stop(): number } {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last);
    },
  };
}
