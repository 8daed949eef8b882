/**
 * Files that are not UTF-8 text are named, never parsed as garbage: UTF-16 (LE/BE, with or without a
 * byte order mark) and binary files (a NUL byte). Messages never echo the NUL itself.
 */
import type { LineIndex } from './lines';

/** How many leading code units (bytes, or characters of a decoded text) the UTF-16 guess looks at. */
export const SAMPLE = 1024;

const saveAs = (which: 'LE' | 'BE'): string => `this file is UTF-16 ${which}; save it as UTF-8`;

/** UTF-16 from the first bytes of a file: its byte order mark (FF FE or FE FF), or NULs beside ASCII. */
export function utf16HeadMessage(head: Uint8Array): string | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return saveAs('LE');
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return saveAs('BE');
  const guess = utf16Guess((i) => head[i], Math.min(head.length, SAMPLE));
  return guess ? saveAs(guess) : undefined;
}

/**
 * UTF-16 without a byte order mark read as UTF-8: ASCII text then has a NUL beside every character,
 * after it (LE) or before it (BE). `at(i)` gives the i-th code unit of the first n.
 */
function utf16Guess(at: (i: number) => number, n: number): 'LE' | 'BE' | undefined {
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (at(i) !== 0) continue;
    if (i & 1) odd++;
    else even++;
  }
  const pairs = n >> 1;
  if (pairs === 0) return undefined;
  if (odd * 3 >= pairs && even * 8 <= odd) return 'LE';
  if (even * 3 >= pairs && odd * 8 <= even) return 'BE';
  return undefined;
}

/**
 * The message for a text block (starting at offset base, already in lines) whose character z is a NUL:
 * UTF-16 if the start of the file looks like it, else binary, with the NUL's 1-based line and column.
 */
export function nulMessage(text: string, base: number, z: number, lines: LineIndex): string {
  if (base === 0) {
    // a UTF-16 byte order mark decoded as UTF-8 is two replacement characters
    const bom = text.charCodeAt(0) === 0xfffd && text.charCodeAt(1) === 0xfffd ? 2 : 0;
    const n = Math.min(text.length - bom, SAMPLE);
    const guess = utf16Guess((i) => text.charCodeAt(bom + i), n);
    if (guess) return saveAs(guess);
  }
  const line = lines.lineAt(base + z);
  const col = base + z - lines.starts[line];
  return `this file looks binary (NUL byte at line ${line + 1}, column ${col + 1}); BPTT Lens reads UTF-8 text`;
}
