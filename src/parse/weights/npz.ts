/**
 * .npz: a ZIP of .npy members, stored (np.savez, method 0) or deflated (np.savez_compressed,
 * method 8, inflated with the platform's DecompressionStream('deflate-raw')). Sizes come from the
 * central directory, so data descriptors need nothing more; a ZIP64 extra field in a member supplies
 * the sizes its 32-bit fields left at 0xFFFFFFFF. Every member's inflated size is bounded, and the
 * inflater is stopped the moment it passes the size the directory promised (no zip bombs).
 */
import type { TensorEntry, TensorFileResult, WeightsProblem } from './types';
import { readNpy } from './npy';
import { MAX_ELEMENTS } from './tensor';

/** The largest member, inflated: a tensor of MAX_ELEMENTS float64 plus its header. */
export const MAX_MEMBER = MAX_ELEMENTS * 8 + (1 << 20);
/** The largest archive, inflated, over all members. */
export const MAX_TOTAL = 4 * MAX_MEMBER;
const MAX_MEMBERS = 10_000;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

interface Member {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Offset of the central directory record, for messages. */
  at: number;
}

/** CRC-32 tables for slicing by 4: T[0] is the byte table of the reflected polynomial 0xEDB88320, T[j] steps j more zero bytes. */
const CRC = ((): Uint32Array => {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let j = 1; j < 4; j++) t[j * 256 + n] = (t[t[(j - 1) * 256 + n] & 0xff] ^ (t[(j - 1) * 256 + n] >>> 8)) >>> 0;
  return t;
})();

/** CRC-32 as ZIP computes it, to catch a damaged member; four bytes per step. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  let i = 0;
  for (const end = b.length - 3; i < end; i += 4) {
    c ^= b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    c = CRC[768 + (c & 0xff)] ^ CRC[512 + ((c >>> 8) & 0xff)] ^ CRC[256 + ((c >>> 16) & 0xff)] ^ CRC[c >>> 24];
  }
  for (; i < b.length; i++) c = CRC[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The central directory's members, or the problem that stops reading it. */
function readDirectory(bytes: Uint8Array, view: DataView): Member[] | WeightsProblem {
  // the end-of-central-directory record: 22 bytes, then a comment of at most 65 535
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { message: 'not a ZIP archive (no end-of-central-directory record): an .npz is a ZIP of .npy files', offset: 0 };
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) return { message: 'a ZIP64 archive (over 65 535 members or 4 GB); expected an .npz under 4 GB', offset: eocd };
  if (dirOffset + dirSize > eocd || count > MAX_MEMBERS) return { message: `the central directory (${count} members at offset ${dirOffset}, ${dirSize} bytes) lies outside the file: truncated or damaged`, offset: eocd };
  const members: Member[] = [];
  let p = dirOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CENTRAL) return { message: `central directory entry ${e + 1} of ${count} is damaged`, offset: p };
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength + extraLength + commentLength > eocd) return { message: `central directory entry ${e + 1} of ${count} runs past the directory`, offset: p };
    const m: Member = {
      name: new TextDecoder('utf-8').decode(bytes.subarray(p + 46, p + 46 + nameLength)),
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
      at: p,
    };
    // ZIP64 extra (id 1): 8-byte values for exactly the fields that were 0xFFFFFFFF, in this order
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        const wide = (): number => {
          const v = q + 8 <= x + 4 + len ? view.getUint32(q, true) + view.getUint32(q + 4, true) * 2 ** 32 : Infinity;
          q += 8;
          return v;
        };
        if (m.size === 0xffffffff) m.size = wide();
        if (m.compressedSize === 0xffffffff) m.compressedSize = wide();
        if (m.localOffset === 0xffffffff) m.localOffset = wide();
      }
      x += 4 + len;
    }
    members.push(m);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** Inflates raw deflate data, stopping with null as soon as the output passes `size` bytes. */
async function inflate(data: Uint8Array, size: number): Promise<Uint8Array | null> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  // written without awaiting: the reader below drains the stream, so backpressure cannot stall
  writer.write(data).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  // chunks, not one buffer of `size`: a lying directory entry costs nothing until bytes arrive
  const chunks: Uint8Array[] = [];
  let filled = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      filled += value.length;
      if (filled > size) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
  if (filled !== size) return null;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export async function readNpz(bytes: Uint8Array): Promise<TensorFileResult> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = bytes.length >= 22 ? readDirectory(bytes, view) : { message: `the file is ${bytes.length} bytes: too short for a ZIP archive`, offset: 0 };
  if (!Array.isArray(directory)) return { ok: false, problems: [directory] };
  const problems: WeightsProblem[] = [];
  const tensors: TensorEntry[] = [];
  let total = 0;
  for (const m of directory) {
    if (m.name.endsWith('/')) continue; // a directory entry
    const name = m.name.endsWith('.npy') ? m.name.slice(0, -4) : m.name;
    const bad = (message: string, offset = m.at): void => {
      problems.push({ message: `member "${m.name}": ${message}`, tensor: name, offset });
    };
    if (m.flags & 1) {
      bad('encrypted; expected a plain .npz');
      continue;
    }
    if (m.method !== 0 && m.method !== 8) {
      bad(`compression method ${m.method}; expected 0 (stored, np.savez) or 8 (deflate, np.savez_compressed)`);
      continue;
    }
    total += m.size;
    if (m.size > MAX_MEMBER || total > MAX_TOTAL) {
      bad(`inflates to ${m.size} bytes (${total} in all so far); expected at most ${MAX_MEMBER} per member and ${MAX_TOTAL} in all`);
      break;
    }
    const at = m.localOffset;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) {
      bad(`no local header at offset ${at}: truncated or damaged`);
      continue;
    }
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    if (start + m.compressedSize > bytes.length) {
      bad(`its data (${m.compressedSize} bytes at offset ${start}) runs past the end of the file: truncated`, at);
      continue;
    }
    const stored = bytes.subarray(start, start + m.compressedSize);
    if (m.method === 0 && m.compressedSize !== m.size) {
      bad(`stored with ${m.compressedSize} bytes but a size of ${m.size}`, at);
      continue;
    }
    if (m.method === 8 && typeof DecompressionStream === 'undefined') {
      bad('is deflated (np.savez_compressed), and this runtime has no DecompressionStream: save with np.savez');
      continue;
    }
    const npy = m.method === 0 ? stored : await inflate(stored, m.size);
    if (npy === null) {
      bad(`does not inflate to the ${m.size} bytes its directory entry says: damaged`, start);
      continue;
    }
    if (crc32(npy) !== m.crc) {
      bad('its CRC-32 does not match: damaged', start);
      continue;
    }
    const r = readNpy(npy, name);
    if (r.ok) tensors.push(r.tensor);
    // a place inside a deflated member has no byte offset in the file: the member's start stands for it
    else problems.push({ ...r.problem, offset: start + (m.method === 0 ? (r.problem.offset ?? 0) : 0) });
  }
  return problems.length ? { ok: false, problems } : { ok: true, tensors };
}
