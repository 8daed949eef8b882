/** Growable per-step typed arrays (no per-step objects). */
export class StepArrays {
  length = 0;
  private cap: number;
  x: Float64Array;
  y: Float64Array;
  hasY: Uint8Array;
  line: Int32Array;
  xStart: Int32Array;
  xEnd: Int32Array;
  yStart: Int32Array;
  yEnd: Int32Array;
  rowStart: Int32Array;
  rowEnd: Int32Array;

  constructor(capacity: number) {
    const c = Math.max(1, capacity | 0);
    this.cap = c;
    this.x = new Float64Array(c);
    this.y = new Float64Array(c);
    this.hasY = new Uint8Array(c);
    this.line = new Int32Array(c);
    this.xStart = new Int32Array(c);
    this.xEnd = new Int32Array(c);
    this.yStart = new Int32Array(c);
    this.yEnd = new Int32Array(c);
    this.rowStart = new Int32Array(c);
    this.rowEnd = new Int32Array(c);
  }

  /** Makes room for at least `capacity` steps in total. */
  reserve(capacity: number): void {
    if (capacity <= this.cap) return;
    const c = capacity;
    const grow = <A extends Float64Array | Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(c);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.x = grow(this.x, (k) => new Float64Array(k));
    this.y = grow(this.y, (k) => new Float64Array(k));
    this.hasY = grow(this.hasY, (k) => new Uint8Array(k));
    this.line = grow(this.line, (k) => new Int32Array(k));
    this.xStart = grow(this.xStart, (k) => new Int32Array(k));
    this.xEnd = grow(this.xEnd, (k) => new Int32Array(k));
    this.yStart = grow(this.yStart, (k) => new Int32Array(k));
    this.yEnd = grow(this.yEnd, (k) => new Int32Array(k));
    this.rowStart = grow(this.rowStart, (k) => new Int32Array(k));
    this.rowEnd = grow(this.rowEnd, (k) => new Int32Array(k));
    this.cap = c;
  }

  push(
    x: number,
    y: number,
    hasY: number,
    line: number,
    xStart: number,
    xEnd: number,
    yStart: number,
    yEnd: number,
    rowStart: number,
    rowEnd: number,
  ): void {
    const t = this.length;
    if (t === this.cap) this.reserve(this.cap * 2);
    this.x[t] = x;
    this.y[t] = y;
    this.hasY[t] = hasY;
    this.line[t] = line;
    this.xStart[t] = xStart;
    this.xEnd[t] = xEnd;
    this.yStart[t] = yStart;
    this.yEnd[t] = yEnd;
    this.rowStart[t] = rowStart;
    this.rowEnd[t] = rowEnd;
    this.length = t + 1;
  }

  /** Arrays of exactly length T, each owning its own buffer (so a.buffer holds exactly the data). */
  finish(): {
    T: number;
    x: Float64Array;
    y: Float64Array;
    hasY: Uint8Array;
    line: Int32Array;
    xStart: Int32Array;
    xEnd: Int32Array;
    yStart: Int32Array;
    yEnd: Int32Array;
    rowStart: Int32Array;
    rowEnd: Int32Array;
  } {
    const T = this.length;
    const copy = T !== this.cap;
    const cut = <A extends Float64Array | Int32Array | Uint8Array>(a: A): A =>
      (copy ? a.slice(0, T) : a.subarray(0, T)) as A;
    return {
      T,
      x: cut(this.x),
      y: cut(this.y),
      hasY: cut(this.hasY),
      line: cut(this.line),
      xStart: cut(this.xStart),
      xEnd: cut(this.xEnd),
      yStart: cut(this.yStart),
      yEnd: cut(this.yEnd),
      rowStart: cut(this.rowStart),
      rowEnd: cut(this.rowEnd),
    };
  }
}
