/**
 * .safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}, then the data buffer,
 * row-major, little-endian. Offsets are relative to the buffer; every one is bounds-checked.
 */
import type { TensorEntry, TensorFileResult, WeightsProblem } from './types';
import { dtypeProblem, readFloats, shapeProblem, shapeSize } from './tensor';

/** The header is at most 100 MB, the limit of the safetensors library itself. */
export const MAX_HEADER = 100_000_000;

const ADVICE = 'save with model.double() or model.float()';

/** Why a dtype other than F64/F32 is refused, in words. */
function dtypeKind(dtype: string): string {
  if (dtype === 'F16') return 'float16';
  if (dtype === 'BF16') return 'bfloat16';
  if (dtype.startsWith('F8')) return 'float8';
  if (/^[IU](8|16|32|64)$/.test(dtype)) return 'an integer type';
  if (dtype === 'BOOL') return 'bool';
  return 'an unknown dtype';
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export function readSafetensors(bytes: Uint8Array): TensorFileResult {
  const fail = (message: string, offset: number, tensor?: string): TensorFileResult => {
    const p: WeightsProblem = { message, offset };
    if (tensor !== undefined) p.tensor = tensor;
    return { ok: false, problems: [p] };
  };
  if (bytes.length < 8) return fail(`the file is ${bytes.length} bytes: a .safetensors file starts with an 8-byte header length`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // u64 LE: a high word over 0 is already far past MAX_HEADER
  const high = view.getUint32(4, true);
  const headerLength = high === 0 ? view.getUint32(0, true) : Infinity;
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.length) {
    const said = high === 0 ? String(headerLength) : 'over 2³² bytes';
    return fail(`the header length is ${said}, but the file has ${bytes.length - 8} bytes after it (and a header is at most ${MAX_HEADER}): not a .safetensors file, or truncated`, 0);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return fail('the header is not valid UTF-8 JSON: not a .safetensors file, or damaged', 8);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('the header is not a JSON object {name: {dtype, shape, data_offsets}}', 8);

  const dataStart = 8 + headerLength;
  const bufferLength = bytes.length - dataStart;
  const problems: WeightsProblem[] = [];
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== 'object' || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) {
      problems.push({ message: `tensor "${name}": expected {dtype, shape, data_offsets} in the header`, tensor: name, offset: 8 });
      continue;
    }
    const size = shapeSize(e.shape);
    if (size < 0) {
      problems.push(shapeProblem(name, e.shape, 8));
      continue;
    }
    const [begin, end] = e.data_offsets as unknown[];
    if (e.data_offsets.length !== 2 || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) < (begin as number) || (end as number) > bufferLength) {
      problems.push({ message: `tensor "${name}" has data_offsets ${JSON.stringify(e.data_offsets)}; expected [begin, end] with 0 ≤ begin ≤ end ≤ ${bufferLength} (the data buffer's length)`, tensor: name, offset: 8 });
      continue;
    }
    const itemSize = e.dtype === 'F64' ? 8 : e.dtype === 'F32' ? 4 : 0;
    if (itemSize === 0) {
      problems.push(dtypeProblem(name, dtypeKind(e.dtype), e.dtype, ADVICE, 8));
      continue;
    }
    if ((end as number) - (begin as number) !== size * itemSize) {
      problems.push({ message: `tensor "${name}" (${e.dtype}, shape ${JSON.stringify(e.shape)}) needs ${size * itemSize} bytes, but its data_offsets span ${(end as number) - (begin as number)}`, tensor: name, offset: 8 });
      continue;
    }
    entries.push({ name, dtype: e.dtype, shape: e.shape as number[], begin: begin as number, end: end as number });
  }
  // no two tensors may share bytes
  const sorted = [...entries].sort((p, q) => p.begin - q.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      problems.push({ message: `tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap (data_offsets [${sorted[i - 1].begin}, ${sorted[i - 1].end}] and [${sorted[i].begin}, ${sorted[i].end}]); expected disjoint ranges`, tensor: sorted[i].name, offset: 8 });
    }
  }
  if (problems.length) return { ok: false, problems };

  const tensors: TensorEntry[] = entries.map((e) => ({
    name: e.name,
    shape: e.shape,
    dtype: e.dtype,
    data: readFloats(bytes, dataStart + e.begin, (e.end - e.begin) / (e.dtype === 'F64' ? 8 : 4), e.dtype === 'F64' ? 8 : 4, true),
  }));
  return { ok: true, tensors };
}
