import type { StepData } from './types';

type StepArray = StepData[keyof StepData];

/** Every per-step array of a ParsedSequence with its type: the one list to allocate, grow and trim. */
const STEP_ARRAY_TYPES: { readonly [K in keyof StepData]: new (length: number) => StepData[K] } = {
  x: Float64Array,
  y: Float64Array,
  hasY: Uint8Array,
  line: Int32Array,
  xStart: Int32Array,
  xEnd: Int32Array,
  yStart: Int32Array,
  yEnd: Int32Array,
  rowStart: Int32Array,
  rowEnd: Int32Array,
};
const STEP_ARRAY_NAMES = Object.keys(STEP_ARRAY_TYPES) as (keyof StepData)[];

/** Per-step arrays made by `f`, one for each name in STEP_ARRAY_TYPES. */
function mapStepData(f: (name: keyof StepData) => StepArray): StepData {
  const out: Partial<Record<keyof StepData, StepArray>> = {};
  for (const name of STEP_ARRAY_NAMES) out[name] = f(name);
  return out as StepData;
}

/** Zero-filled per-step arrays of `length` steps. */
export function allocStepData(length: number): StepData {
  return mapStepData((name) => new STEP_ARRAY_TYPES[name](length));
}

/** Growable per-step typed arrays (no per-step objects). */
export class StepArrays {
  length = 0;
  private cap: number;
  private a: StepData;

  constructor(capacity: number) {
    const c = Math.max(1, capacity | 0);
    this.cap = c;
    this.a = allocStepData(c);
  }

  /** Makes room for at least `capacity` steps in total. */
  reserve(capacity: number): void {
    if (capacity <= this.cap) return;
    const old = this.a;
    this.a = mapStepData((name) => {
      const b = new STEP_ARRAY_TYPES[name](capacity);
      b.set(old[name].subarray(0, this.length));
      return b;
    });
    this.cap = capacity;
  }

  /** Makes room for `capacity` steps, growing by at least half so that block-by-block calls stay linear. */
  ensure(capacity: number): void {
    if (capacity > this.cap) this.reserve(Math.max(capacity, this.cap + (this.cap >> 1)));
  }

  /** Sets the end of step t's x element and row (JSON: known only when a bad array/object element closes). */
  setXEnd(t: number, end: number): void {
    this.a.xEnd[t] = end;
    this.a.rowEnd[t] = end;
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
    if (t === this.cap) this.reserve(this.cap + Math.max(1, this.cap >> 1));
    const a = this.a;
    a.x[t] = x;
    a.y[t] = y;
    a.hasY[t] = hasY;
    a.line[t] = line;
    a.xStart[t] = xStart;
    a.xEnd[t] = xEnd;
    a.yStart[t] = yStart;
    a.yEnd[t] = yEnd;
    a.rowStart[t] = rowStart;
    a.rowEnd[t] = rowEnd;
    this.length = t + 1;
  }

  /**
   * Arrays of exactly length T. Trimmed copies, unless the spare capacity is under 1/16 (a size
   * estimated from the file's size): then views, since a copy would double the memory at its peak.
   */
  finish(): StepData & { T: number } {
    const T = this.length;
    const copy = (this.cap - T) * 16 > this.cap;
    const a = this.a;
    return { T, ...mapStepData((name) => (copy ? a[name].slice(0, T) : a[name].subarray(0, T))) };
  }
}

type TypedArray = Float64Array | Int32Array | Uint8Array;

/** One growable typed array (the JSON "y" and the claim columns, read apart from "x"). */
export class Column<A extends TypedArray> {
  length = 0;
  a: A;

  constructor(private readonly make: new (n: number) => A) {
    this.a = new make(16);
  }

  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new this.make(this.a.length + (this.a.length >> 1));
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }

  /** Exactly `T` values (padded with `fill`, or cut), in an array that owns its buffer. */
  fit(T: number, fill: number): A {
    if (T === this.a.length && this.length === T) return this.a;
    const out = new this.make(T);
    out.set(this.a.subarray(0, Math.min(T, this.length)) as never);
    if (this.length < T) out.fill(fill, this.length);
    return out;
  }
}
