/**
 * Lets other events run between slices of long work. Not a timer: setTimeout clamps nested calls
 * to 1 ms (Node) or 4 ms (browsers) per slice. Node has setImmediate; a Web Worker has neither it
 * nor process, so there a MessageChannel message (a task, unclamped) does the same.
 */
interface Channel {
  port1: { onmessage: (() => void) | null };
  port2: { postMessage(m: null): void };
}
const g = globalThis as unknown as { setImmediate?: (f: () => void) => void; MessageChannel: new () => Channel };

function channelYield(): (f: () => void) => void {
  const waiting: (() => void)[] = [];
  const channel = new g.MessageChannel();
  channel.port1.onmessage = () => waiting.shift()?.();
  return (f) => {
    waiting.push(f);
    channel.port2.postMessage(null);
  };
}

const nextTask: (f: () => void) => void = typeof g.setImmediate === 'function' ? g.setImmediate : channelYield();

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => nextTask(resolve));
