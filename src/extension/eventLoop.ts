/** Lets other events run between slices of long work (setImmediate, not a timer: no 1 ms clamp per slice). */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
