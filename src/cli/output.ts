/**
 * stdout and stderr for the CLI. A reader that goes away (`bptt-lens f.csv --json | head`) closes
 * the pipe: writes then fail with EPIPE, which ends the output quietly instead of crashing.
 */
import type { Writable } from 'node:stream';

export class Output {
  /** True once the reader has gone: nothing more is written. */
  closed = false;
  private waiting: (() => void) | null = null;

  constructor(private readonly stream: Writable) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // EPIPE (reader gone) and any other write error end this stream's output; there is no one
      // left to tell, and a second error on stderr must not become an uncaught exception.
      void e;
      this.closed = true;
      this.wake();
    });
    stream.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** Writes with backpressure, so a 10⁶-row --json never piles up in memory. */
  async write(chunk: string): Promise<void> {
    if (this.closed || chunk === '') return;
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve) => {
      this.waiting = resolve;
      this.stream.once('drain', () => this.wake());
    });
  }

  async writeAll(chunks: Iterable<string>): Promise<void> {
    for (const chunk of chunks) {
      if (this.closed) return;
      await this.write(chunk);
    }
  }
}

let out: Output | undefined;
let err: Output | undefined;

export function stdout(): Output {
  out ??= new Output(process.stdout);
  return out;
}

export function stderr(): Output {
  err ??= new Output(process.stderr);
  return err;
}
