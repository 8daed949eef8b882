/**
 * Parse + numerical gradient check of a text: run in the worker thread (or inline when the
 * bundle has no worker). Pure (no `vscode`).
 */
import { gradcheck } from '../gradcheck';
import { parseSequence, type CallerDefaults, type SequenceFormat } from '../parse';
import type { GradcheckResult } from './workerProtocol';

export function runGradcheck(text: string, request: { format: SequenceFormat; defaults: CallerDefaults; steps: number[] | undefined }): GradcheckResult {
  const parsed = parseSequence(text, request.format, request.defaults);
  const e = parsed.errors[0];
  if (e) return { parseError: `line ${e.line + 1}, column ${e.col + 1}: ${e.message}` };
  // Steps beyond T (the file was shortened since the hover) are dropped rather than failed.
  const steps = request.steps?.filter((t) => t >= 1 && t <= parsed.T);
  return { report: gradcheck(parsed.model, parsed, { steps }) };
}
