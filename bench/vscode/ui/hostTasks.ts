/**
 * The web extension host's blocking work, read from a Chromium trace rather than from a heartbeat:
 * on the shared 2-core machine a heartbeat's gap also counts the time the OS did not run the
 * host's thread at all (the page, code-server and the compute worker want the cores too), which
 * is no work of the host's. The trace records every task the thread ran, with its wall time and
 * its own CPU time. Pure, so it is unit-tested (test/unit/hostTasks.test.ts).
 */

/** The fields of a Chrome trace event read here. */
export interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  /** µs. */
  ts: number;
  /** Wall µs (complete events, ph 'X'). */
  dur?: number;
  /** Thread-CPU µs. */
  tdur?: number;
}

export interface HostTasks {
  /** Top-level tasks the host's thread ran from the mark on. */
  tasks: number;
  /** The longest one: wall ms, its thread-CPU ms, and when it started (ms after the mark). */
  longestTaskMs: number;
  longestTaskCpuMs: number;
  longestTaskAtMs: number;
  /** The longest garbage-collection pause on that thread (a scavenge, a mark-compact or an incremental marking step). */
  longestGcMs: number;
}

/** Chromium's event for each task a thread's scheduler runs (category `toplevel`). */
const TASK = 'ThreadControllerImpl::RunTask';
const GC = new Set(['MinorGC', 'MajorGC', 'V8.GCIncrementalMarking']);

/**
 * The tasks of the thread that emitted `performance.mark(mark)` (the extension host's, from the
 * measurement command), from that mark to the end of the trace. Undefined if the mark is missing.
 */
export function hostTasks(events: readonly TraceEvent[], mark: string): HostTasks | undefined {
  const m = events.find((e) => e.name === mark);
  if (!m) return undefined;
  const mine = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.ts + (e.dur ?? 0) >= m.ts);
  let tasks = 0;
  let longest: TraceEvent | undefined;
  let longestGcMs = 0;
  for (const e of mine) {
    if (e.name === TASK) {
      tasks++;
      if (!longest || (e.dur ?? 0) > (longest.dur ?? 0)) longest = e;
    } else if (GC.has(e.name)) {
      longestGcMs = Math.max(longestGcMs, (e.dur ?? 0) / 1000);
    }
  }
  return {
    tasks,
    longestTaskMs: (longest?.dur ?? 0) / 1000,
    longestTaskCpuMs: (longest?.tdur ?? 0) / 1000,
    longestTaskAtMs: longest ? (longest.ts - m.ts) / 1000 : 0,
    longestGcMs,
  };
}
