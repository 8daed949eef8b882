/**
 * Writers of weights files for the tests, independent of the readers: .safetensors, .npy (C and
 * Fortran order, versions 1–3), .npz (stored or deflated with node:zlib, optionally with data
 * descriptors) and JSON. Each takes row-major float64 data, as TensorEntry holds it.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface Tensor {
  name: string;
  shape: number[];
  data: Float64Array;
}

/** .safetensors of F64 (or F32, rounding) tensors; `pad` spaces after the header move every tensor off 8-byte alignment. */
export function writeSafetensors(tensors: Tensor[], opts: { dtype?: 'F64' | 'F32'; pad?: number; metadata?: Record<string, string> } = {}): Uint8Array {
  const dtype = opts.dtype ?? 'F64';
  const size = dtype === 'F64' ? 8 : 4;
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = opts.metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length * size] };
    offset += t.data.length * size;
  }
  const json = Buffer.from(JSON.stringify(header) + ' '.repeat(opts.pad ?? 0), 'utf8');
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (dtype === 'F64') out.writeDoubleLE(t.data[i], at + 8 * i);
      else out.writeFloatLE(t.data[i], at + 4 * i);
    }
    at += t.data.length * size;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** A safetensors file from a raw header object and a data buffer, for hostile cases. */
export function rawSafetensors(header: unknown, data: Uint8Array, headerLength?: bigint): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(headerLength ?? BigInt(json.length), 0);
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export interface NpyOptions {
  descr?: string;
  fortran?: boolean;
  version?: 1 | 2 | 3;
  /** The header dict text, replacing the one made from the other options. */
  header?: string;
}

function pyShape(shape: number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** .npy as NumPy writes it: header padded with spaces and a newline to a multiple of 64 bytes. */
export function writeNpy(t: Tensor, opts: NpyOptions = {}): Uint8Array {
  const descr = opts.descr ?? '<f8';
  const fortran = opts.fortran ?? false;
  const version = opts.version ?? 1;
  let dict = opts.header ?? `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${pyShape(t.shape)}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict += ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const headerBytes = Buffer.from(dict, version === 3 ? 'utf8' : 'latin1');
  const itemSize = /f4$/.test(descr) ? 4 : 8;
  const big = descr.startsWith('>');
  const data = Buffer.alloc(t.data.length * itemSize);
  // Fortran order: the first index moves fastest
  const order = fortran ? fortranOrder(t.shape) : Array.from(t.data.keys());
  order.forEach((src, i) => {
    const v = t.data[src];
    if (itemSize === 8 && big) data.writeDoubleBE(v, 8 * i);
    else if (itemSize === 8) data.writeDoubleLE(v, 8 * i);
    else if (big) data.writeFloatBE(v, 4 * i);
    else data.writeFloatLE(v, 4 * i);
  });
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(headerBytes.length, 8);
  else head.writeUInt32LE(headerBytes.length, 8);
  return new Uint8Array(Buffer.concat([head, headerBytes, data]));
}

/** For each position of the Fortran-order stream, the row-major index it holds. */
function fortranOrder(shape: number[]): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let f = 0; f < size; f++) {
    let rest = f;
    let rowMajor = 0;
    const idx = shape.map((d) => {
      const i = rest % d;
      rest = Math.floor(rest / d);
      return i;
    });
    for (let j = 0; j < shape.length; j++) rowMajor = rowMajor * shape[j] + idx[j];
    out.push(rowMajor);
  }
  return out;
}

export interface ZipMember {
  name: string;
  bytes: Uint8Array;
}

/** A ZIP (an .npz when its members are .npy): stored or deflated, sizes in a data descriptor if asked. */
export function writeZip(members: ZipMember[], opts: { deflate?: boolean; descriptor?: boolean; lieSize?: number; zip64?: boolean } = {}): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const body = opts.deflate ? deflateRawSync(m.bytes) : Buffer.from(m.bytes);
    const crc = crc32(m.bytes);
    const method = opts.deflate ? 8 : 0;
    const flags = opts.descriptor ? 8 : 0;
    const size = opts.lieSize ?? m.bytes.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(opts.descriptor ? 0 : crc, 14);
    local.writeUInt32LE(opts.descriptor ? 0 : body.length, 18);
    local.writeUInt32LE(opts.descriptor ? 0 : size, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = [local, name, body];
    if (opts.descriptor) {
      const dd = Buffer.alloc(16);
      dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(crc, 4);
      dd.writeUInt32LE(body.length, 8);
      dd.writeUInt32LE(size, 12);
      entry.push(dd);
    }
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(opts.zip64 ? 0xffffffff : body.length, 20);
    cd.writeUInt32LE(opts.zip64 ? 0xffffffff : size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 42);
    // ZIP64 extra field: the 8-byte uncompressed size, compressed size and local header offset
    const extra = Buffer.alloc(opts.zip64 ? 28 : 0);
    if (opts.zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
      cd.writeUInt16LE(extra.length, 30);
    }
    central.push(cd, name, extra);
    for (const e of entry) offset += e.length;
    parts.push(...entry);
  }
  const dir = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(dir.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, dir, eocd]));
}

/** An .npz of float64 tensors, members named "<name>.npy" as np.savez does. */
export function writeNpz(tensors: Tensor[], opts: { deflate?: boolean; descriptor?: boolean; fortran?: boolean; zip64?: boolean } = {}): Uint8Array {
  return writeZip(tensors.map((t) => ({ name: `${t.name}.npy`, bytes: writeNpy(t, { fortran: opts.fortran }) })), opts);
}

/** Row-major data as nested arrays of the shape. */
export function nest(data: Float64Array, shape: number[]): unknown {
  if (shape.length === 0) return data[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(data.subarray(i * inner, (i + 1) * inner), shape.slice(1)));
}

/** JSON weights; numbers printed as JS prints them (shortest round-trip), so parsing gives the same bits. */
export function writeJson(tensors: Tensor[]): Uint8Array {
  const obj: Record<string, unknown> = {};
  for (const t of tensors) obj[t.name] = nest(t.data, t.shape);
  return new Uint8Array(Buffer.from(JSON.stringify(obj, null, 1), 'utf8'));
}
