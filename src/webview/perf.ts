/** Performance marks the e2e test reads through performance entries. */

/** Draw time of one chart's frame. */
export function recordDraw(ms: number): void {
  performance.measure('bptt:draw', { start: performance.now() - ms, end: performance.now() });
}

/** From a trace's arrival (`start`, performance.now()) to the frame that shows it. */
export function markFirstPaint(start: number): void {
  requestAnimationFrame(() => performance.measure('bptt:firstPaint', { start, end: performance.now() }));
}
