/**
 * The hosts benchmark's reading of a Chromium trace (bench/vscode/ui/hostTasks.ts): only the marked
 * thread's tasks count, only from the mark on, and GC pauses are reported apart.
 */
import * as assert from 'assert';
import { hostTasks, type TraceEvent } from '../../bench/vscode/ui/hostTasks';

const MARK = 'bptt-lens measureRun';
const task = (tid: number, ts: number, dur: number, tdur = dur): TraceEvent => ({ ph: 'X', name: 'ThreadControllerImpl::RunTask', pid: 1, tid, ts, dur, tdur });

describe('hostTasks', () => {
  const events: TraceEvent[] = [
    task(7, 0, 400_000), // the host's thread, before the mark: not this run's
    { ph: 'R', name: MARK, pid: 1, tid: 7, ts: 1_000_000 },
    task(7, 1_000_100, 12_000, 9_000),
    task(7, 1_020_000, 31_500, 20_250),
    { ph: 'X', name: 'MajorGC', pid: 1, tid: 7, ts: 1_021_000, dur: 7_200 },
    { ph: 'X', name: 'MinorGC', pid: 1, tid: 7, ts: 1_040_000, dur: 3_800 },
    task(7, 1_060_000, 4_000),
    task(9, 1_000_500, 418_000), // the compute worker's long task: another thread
    { ph: 'X', name: 'MajorGC', pid: 1, tid: 9, ts: 1_100_000, dur: 90_000 },
    task(7, 1_070_000, 30_000, 1_000), // same tid, another process
  ];
  events[events.length - 1] = { ...events[events.length - 1], pid: 2, dur: 80_000 };

  it('reads the longest task and GC pause of the marked thread after the mark', () => {
    assert.deepStrictEqual(hostTasks(events, MARK), { tasks: 3, longestTaskMs: 31.5, longestTaskCpuMs: 20.25, longestTaskAtMs: 20, longestGcMs: 7.2 });
  });

  it('counts a task that started before the mark and ended after it', () => {
    const straddling = [...events, task(7, 990_000, 60_000)];
    const r = hostTasks(straddling, MARK)!;
    assert.strictEqual(r.longestTaskMs, 60);
    assert.strictEqual(r.longestTaskAtMs, -10);
  });

  it('is undefined without the mark', () => {
    assert.strictEqual(hostTasks(events.filter((e) => e.name !== MARK), MARK), undefined);
  });
});
