/** Offset → 0-based line/column, with lines split like VS Code: at \r\n, \n and \r. Columns are UTF-16 code units. */
export class LineIndex {
  /** Offset where each line starts; starts[0] = 0. Only the first `count` entries are meaningful. */
  starts: Int32Array;
  count = 1;

  /** The line table of text, or an empty one to grow block by block with {@link LineIndex.append}. */
  constructor(text?: string) {
    this.starts = new Int32Array(64);
    if (text !== undefined) this.append(text, 0);
  }

  /**
   * Adds the line starts of the breaks in block[0, end), a block of the text that begins at offset base.
   * Blocks must not split a \r\n pair (the chunked readers cut after a line break, or after a JSON
   * punctuation character), and end must be a line start or the block's length.
   */
  append(block: string, base: number, end = block.length): void {
    // indexOf finds line breaks far faster than a charCodeAt loop (lines are long next to their breaks)
    const find = (ch: string, from: number): number => {
      const k = block.indexOf(ch, from);
      return k < end ? k : -1;
    };
    let lf = find('\n', 0);
    let cr = find('\r', 0);
    while (lf >= 0 || cr >= 0) {
      let k = lf;
      if (cr >= 0 && (lf < 0 || cr < lf)) k = block.charCodeAt(cr + 1) === 10 ? cr + 1 : cr;
      this.add(base + k + 1);
      if (lf >= 0 && lf <= k) lf = find('\n', k + 1);
      if (cr >= 0 && cr <= k) cr = find('\r', k + 1);
    }
  }

  /** Adds the start of the next line (the CSV row reader, which finds the breaks itself). */
  add(start: number): void {
    if (this.count === this.starts.length) {
      const bigger = new Int32Array(this.starts.length * 2);
      bigger.set(this.starts);
      this.starts = bigger;
    }
    this.starts[this.count++] = start;
  }

  /** 0-based line containing offset. */
  lineAt(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Column of offset within the given line (which must contain it). */
  colAt(line: number, offset: number): number {
    return offset - this.starts[line];
  }
}

/** 0-based line and UTF-16 column of an offset in text. Builds a line table each call: use LineIndex for many lookups. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const idx = new LineIndex(text);
  const o = Math.max(0, Math.min(text.length, offset));
  const line = idx.lineAt(o);
  return { line, col: o - idx.starts[line] };
}
