/**
 * Weights (and gradients) files to tensors, and tensors to a VectorWeights. Runs in Node, the CLI
 * and a browser Web Worker alike: no Node built-in, no DOM.
 */
import type { TensorFileResult } from './types';
import { readSafetensors } from './safetensors';
import { readNpy } from './npy';
import { readNpz } from './npz';
import { readJsonWeights } from './jsonWeights';

export * from './types';
export { toVectorWeights, type WeightsOptions, type VectorWeightsResult } from './toVector';
export { mapParamNames, PARAM_ALIASES, type MapOptions, type ParamMap } from './names';
export { tensorFromJsonNode } from './jsonWeights';

/** The file name's extension, lower-cased, with its dot (".npz"); "" if none. */
function extension(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** Reads every tensor of a .safetensors / .npz / .npy / .json file, chosen by the file name's extension. */
export async function readTensorFile(bytes: Uint8Array, fileName: string): Promise<TensorFileResult> {
  try {
    switch (extension(fileName)) {
      case '.safetensors':
        return readSafetensors(bytes);
      case '.npz':
        return await readNpz(bytes);
      case '.npy': {
        // a lone array is named after its file: "W.npy" holds W
        const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1, -4);
        const r = readNpy(bytes, base);
        return r.ok ? { ok: true, tensors: [r.tensor] } : { ok: false, problems: [r.problem] };
      }
      case '.json':
        return readJsonWeights(new TextDecoder('utf-8').decode(bytes));
      default:
        return { ok: false, problems: [{ message: `cannot tell the format of "${fileName}": expected a .safetensors, .npz, .npy or .json weights file` }] };
    }
  } catch (e) {
    // every reader bounds-checks; this is the last guard that keeps a hostile file from ending the host
    return { ok: false, problems: [{ message: `could not read "${fileName}": ${e instanceof Error ? e.message : String(e)}` }] };
  }
}
