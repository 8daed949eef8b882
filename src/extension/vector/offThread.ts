/**
 * A large vector-model document computed in the worker (issue 11 + 12). The host looks only at the
 * head of the text (is it a vector file? which weights file does it name?), reads that file through
 * the editor's file system, and sends text and bytes; the worker runs the same analyzeVector as the
 * inline path, with a reader that answers from the bytes the host sent, so a weights problem is the
 * same located error in both. No `vscode`: both sides import it.
 */
import type { CheckOptions } from '../../check';
import type { CallerDefaults, SequenceFormat } from '../../parse';
import { ErrorSink } from '../../parse/errors';
import { lineEndFrom, nextLineStart } from '../../parse/csvCells';
import { startsHeader } from '../../parse/vector/detect';
import { directiveBodyStart } from '../../parse/directive';
import { isVectorText } from '../../parse/vector';
import { readVectorDirective } from '../../parse/vector/csv';
import { VectorTraceSeries, vectorSeriesStats } from '../timeline/vectorData';
import type { VectorResult, WeightsBytes } from '../workerProtocol';
import { analyzeVector, type VectorAnalysis, type WeightsAccess } from './analyze';
import { pipeline as defaultPipeline, type VectorPipeline } from './pipeline';
import { resolveWeightsPath } from './weightsPath';

/** What the head of a document says: a vector-model file, and the weights= and grads= paths it names (as written), for the host to read. */
export interface VectorSniff {
  vector: boolean;
  files: string[];
}

const JSON_FILES = /"(?:weights|grads)"\s*:\s*("(?:[^"\\\n]|\\.)*")/g;

/**
 * `head`: the first lines of the document (and, for JSON, its last lines), never the whole of a
 * large one. CSV/TSV name weights in `# bptt:` lines above the header; JSON in a "weights" string,
 * usually near the top, sometimes after the arrays.
 */
export function sniffVector(head: string, format: SequenceFormat): VectorSniff {
  const files: string[] = [];
  if (format === 'json') {
    for (const m of head.matchAll(JSON_FILES)) {
      try {
        files.push(JSON.parse(m[1]) as string);
      } catch {
        // Not a JSON string after all: the worker's parse says where.
      }
    }
    return { vector: files.length > 0 || isVectorText(head, format), files };
  }
  const n = head.length;
  let p = head.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (p < n) {
    if (startsHeader(head, p, n)) break; // the header: directives are above it
    const le = lineEndFrom(head, p, n);
    const body = directiveBodyStart(head, p, le);
    const out: Parameters<typeof readVectorDirective>[4] = { file: {} };
    if (body >= 0) readVectorDirective(head, body, le, new ErrorSink(), out);
    if (out.weights?.kind === 'file') files.push(out.weights.path);
    if (out.grads) files.push(out.grads.path);
    p = nextLineStart(head, le, n);
  }
  return { vector: files.length > 0 || isVectorText(head, format), files };
}

/** The host's part: each named weights or grads file read with the path rules of the inline path (a refused or missing one is left to the worker's located error). */
export async function preReadWeights(names: readonly string[], io: WeightsAccess): Promise<WeightsBytes[]> {
  const out: WeightsBytes[] = [];
  for (const name of names) {
    const target = resolveWeightsPath(io.sequencePath, name, io.roots);
    if (!target.ok || out.some((w) => w.path === target.path)) continue;
    try {
      out.push({ path: target.path, bytes: await io.read(target.path) });
    } catch (e) {
      out.push({ path: target.path, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** The worker's reader: the bytes the host sent, by URI path. */
export function sentWeights(sequencePath: string, roots: readonly string[], weights: readonly WeightsBytes[]): WeightsAccess {
  return {
    sequencePath,
    roots,
    read(path) {
      const w = weights.find((x) => x.path === path);
      if (!w) return Promise.reject(new Error('the extension did not read it (name the weights in the directive, or at the top of a JSON file)'));
      return 'bytes' in w ? Promise.resolve(w.bytes) : Promise.reject(new Error(w.error));
    },
  };
}

/**
 * The worker's part: analyzeVector (as inline), then the timeline's norms, so the host never loops
 * over T×n. null when the full text is not a vector-model file after all (the host then takes the scalar path).
 */
export async function computeVectorResult(
  text: string,
  format: SequenceFormat,
  defaults: CallerDefaults,
  io: WeightsAccess,
  check: CheckOptions,
  pipe: VectorPipeline = defaultPipeline,
): Promise<VectorResult | null> {
  const t0 = performance.now();
  const v = await analyzeVector(text, format, defaults, io, check, pipe);
  if (!v) return null;
  const stats = v.trace ? vectorSeriesStats(v.trace) : undefined;
  return { parsed: v.parsed, trace: v.trace, flow: v.series?.flow, stats, errors: v.errors, ...(v.grads ? { grads: v.grads } : {}), durationMs: performance.now() - t0 };
}

/** On the host: the analysis the features read, from the worker's result (no loop over the trace). */
export function vectorAnalysisOf(r: VectorResult): VectorAnalysis {
  const series = r.trace && r.flow ? new VectorTraceSeries(r.trace, r.flow, r.stats) : undefined;
  return { parsed: r.parsed, trace: r.trace, series, errors: r.errors, ...(r.grads ? { grads: r.grads } : {}) };
}

/** Every distinct ArrayBuffer under the result (typed arrays one or two levels down), moved rather than copied. */
export function vectorResultTransferables(r: VectorResult): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (o: object | undefined, depth: number): void => {
    if (!o) return;
    for (const value of Object.values(o)) {
      if (ArrayBuffer.isView(value)) {
        if (value.buffer instanceof ArrayBuffer) seen.add(value.buffer);
      } else if (depth > 0 && value !== null && typeof value === 'object') add(value as object, depth - 1);
    }
  };
  add(r.parsed, 1);
  add(r.trace, 1);
  add(r.flow, 0);
  add(r.stats, 1);
  return [...seen];
}
