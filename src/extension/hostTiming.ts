/**
 * Where a run's time goes in the extension host: each phase's total and longest single (blocking)
 * piece, read and reset by the measurement command (testHooks.ts `_measureRun`). A few numbers per
 * phase, so it costs nothing when nobody reads it.
 */
/** The `performance.mark` the measurement command sets as it starts: the hosts benchmark finds the host's thread in a browser trace by it. */
export const MEASURE_MARK = 'bptt-lens measureRun';

export interface PhaseTime {
  totalMs: number;
  maxMs: number;
  n: number;
  /** When (ms since the last takePhases) the longest piece ended. */
  maxEndedAt: number;
}

const phases = new Map<string, PhaseTime>();
let since = performance.now();

export function recordPhase(name: string, ms: number): void {
  const p = phases.get(name) ?? { totalMs: 0, maxMs: 0, n: 0, maxEndedAt: 0 };
  p.totalMs += ms;
  if (ms >= p.maxMs) {
    p.maxMs = ms;
    p.maxEndedAt = performance.now() - since;
  }
  p.n++;
  phases.set(name, p);
}

/** Runs `f` (synchronous work) as one piece of phase `name`. */
export function timed<T>(name: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    recordPhase(name, performance.now() - t0);
  }
}

/** The phases since the last call, rounded to 0.1 ms; starts afresh (times are from now on). */
export function takePhases(): Record<string, PhaseTime> {
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  const out: Record<string, PhaseTime> = {};
  for (const [name, p] of phases) out[name] = { totalMs: r1(p.totalMs), maxMs: r1(p.maxMs), n: p.n, maxEndedAt: r1(p.maxEndedAt) };
  phases.clear();
  since = performance.now();
  return out;
}
