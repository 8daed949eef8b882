/**
 * A parsed vector file and its weights' tensors to the model the passes run, or located errors:
 * the weights' problems at what named them, m and k against the data's widths, class indices
 * against k, cross_entropy with θ = identity, and the file's h0 against n.
 */
import type { VectorModel } from '../../core/vector/model';
import type { ParseError } from '../types';
import { toVectorWeights, type TensorEntry } from '../weights';
import type { ParsedVectorSequence, SourceLoc } from './types';

export type VectorModelResult = { ok: true; model: VectorModel } | { ok: false; errors: ParseError[] };

function at(loc: SourceLoc | undefined, message: string): ParseError {
  return loc ? { message, line: loc.line, col: loc.col, endLine: loc.endLine, endCol: loc.endCol } : { message, line: 0, col: 0, endLine: 0, endCol: 0 };
}

/** The model of parsed with tensors (those of its weights file; omitted for inline weights). */
export function resolveVectorModel(parsed: ParsedVectorSequence, tensors?: TensorEntry[]): VectorModelResult {
  const source = parsed.weights;
  if (!source) return { ok: false, errors: parsed.errors.length > 0 ? parsed.errors : [at(undefined, 'no weights: name them with weights=… or a "weights" key')] };
  const where = source.at;
  const named = source.kind === 'file' ? `${source.path}: ` : 'weights: ';
  const list = tensors ?? (source.kind === 'inline' ? source.tensors : []);
  const { settings } = parsed;
  const crossEntropy = settings.loss === 'cross_entropy';
  // m and k are checked below, against the data and at the data's place in the file
  const r = toVectorWeights(list, { layout: settings.layout });
  if (!r.ok) return { ok: false, errors: r.problems.map((p) => at(where, named + (p.tensor && !p.message.includes(p.tensor) ? `${p.tensor}: ` : '') + p.message)) };
  const w = r.weights;
  const errors: ParseError[] = [];
  if (w.m !== parsed.xWidth) {
    errors.push(at(parsed.xAt, `the data has ${parsed.xWidth} input${parsed.xWidth === 1 ? '' : 's'} a step, but the weights take m = ${w.m} (V is ${w.n}×${w.m})`));
  }
  const hasTargets = parsed.hasY.some((h) => h !== 0);
  if (!crossEntropy && hasTargets && w.k !== parsed.yWidth) {
    errors.push(at(parsed.yAt, `the data has ${parsed.yWidth} target value${parsed.yWidth === 1 ? '' : 's'} a step, but the weights give k = ${w.k} outputs (U is ${w.k}×${w.n})`));
  }
  if (crossEntropy && settings.theta !== 'identity') {
    errors.push(at(where, `loss=cross_entropy applies softmax to the logits U·h_t + c itself: theta must be identity, not ${settings.theta}`));
  }
  if (crossEntropy && parsed.yLine && parsed.yCol) {
    for (let i = 0; i < parsed.T && errors.length < 100; i++) {
      const cls = parsed.y[i];
      if (parsed.hasY[i] === 0 || cls < w.k) continue;
      const line = parsed.yLine[i];
      const col = parsed.yCol[i];
      errors.push({ message: `class ${cls} at step ${i + 1} is not below k = ${w.k} (the weights' outputs are classes 0 … ${w.k - 1})`, line, col, endLine: line, endCol: col + String(cls).length });
    }
  }
  let h0 = w.h0;
  const own = settings.h0;
  if (own) {
    if (own.length === 1) h0 = new Float64Array(w.n).fill(own[0]);
    else if (own.length === w.n) h0 = own;
    else errors.push(at(parsed.h0At, `h0 has ${own.length} values, but the weights have n = ${w.n} hidden units (give one value, or ${w.n})`));
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, model: { ...w, h0, phi: settings.phi, theta: settings.theta, loss: settings.loss, reduction: settings.reduction } };
}
