/**
 * The per-step columns of a JSON sequence as they stream in: "x" (with each element's line and
 * offsets) and "y" apart, since either may come first; built into StepData once both are read.
 */
import type { StepData } from './types';
import { MAX_ERRORS, escapeText } from './errors';
import type { LineIndex } from './lines';
import { Column } from './steps';

export class JsonSteps {
  private readonly x = new Column(Float64Array);
  private readonly line = new Column(Int32Array);
  private readonly xStart = new Column(Int32Array);
  private readonly xEnd = new Column(Int32Array);
  private ln = 0; // the line of the last x element (they come in order)
  private readonly y = new Column(Float64Array);
  private readonly hasY = new Column(Uint8Array);
  private readonly yStart = new Column(Int32Array);
  private readonly yEnd = new Column(Int32Array);
  /** Steps whose y is outside [0, 1] (an error only if the loss turns out to be bce), and the first ones' texts. */
  private readonly yOut = new Column(Int32Array);
  private readonly yOutText: string[] = [];

  constructor(private readonly lines: LineIndex) {}

  /** Elements of "x" and of "y" read so far. */
  get T(): number {
    return this.x.length;
  }
  get yLength(): number {
    return this.y.length;
  }

  /** x[t] at [start, end) (end -1 until an array/object element closes: see endX). */
  pushX(v: number, start: number, end: number): void {
    const lines = this.lines;
    let ln = this.ln;
    while (ln + 1 < lines.count && lines.starts[ln + 1] <= start) ln++;
    this.ln = ln;
    this.x.push(v);
    this.line.push(ln);
    this.xStart.push(start);
    this.xEnd.push(end);
  }

  /** y[t], or no target (has = 0); text[local, local + end - start): as written, for a message if it is outside [0, 1]. */
  pushY(v: number, has: number, start: number, end: number, text = '', local = 0): void {
    if (has && (v < 0 || v > 1)) {
      this.yOut.push(this.y.length);
      if (this.yOutText.length <= MAX_ERRORS) this.yOutText.push(text.substr(local, end - start));
    }
    this.y.push(has ? v : NaN);
    this.hasY.push(has);
    this.yStart.push(start);
    this.yEnd.push(end);
  }

  endX(end: number): void {
    this.xEnd.a[this.xEnd.length - 1] = end;
  }

  endY(end: number): void {
    this.yEnd.a[this.yEnd.length - 1] = end;
  }

  /** Calls report for every target outside [0, 1] (the bce loss needs them in it). */
  targetsOutside01(report: (message: string, start: number, end: number) => void): void {
    const T = this.x.length;
    for (let i = 0; i < this.yOut.length; i++) {
      const t = this.yOut.a[i];
      if (t >= T) continue;
      const text = i < this.yOutText.length ? this.yOutText[i] : String(this.y.a[t]);
      report(`y[${t}] = ${escapeText(text)} is outside [0, 1]; the bce loss needs targets between 0 and 1`, this.yStart.a[t], this.yEnd.a[t]);
    }
  }

  /** Arrays of exactly T = x's length steps (y cut or padded with "no target"). */
  finish(): StepData & { T: number } {
    const T = this.x.length;
    const xStart = this.xStart.fit(T, 0);
    const xEnd = this.xEnd.fit(T, 0);
    return {
      T,
      x: this.x.fit(T, NaN),
      line: this.line.fit(T, 0),
      xStart,
      xEnd,
      rowStart: xStart.slice(),
      rowEnd: xEnd.slice(),
      y: this.y.fit(T, NaN),
      hasY: this.hasY.fit(T, 0),
      yStart: this.yStart.fit(T, -1),
      yEnd: this.yEnd.fit(T, -1),
    };
  }
}
