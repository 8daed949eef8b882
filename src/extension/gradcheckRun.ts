/**
 * Parse + numerical gradient check of a document's bytes: run in the worker thread (or inline when the
 * bundle has no worker). Pure (no `vscode`).
 */
import { gradcheck } from '../gradcheck';
import { parseSequenceBytesSync, type CallerDefaults, type SequenceFormat } from '../parse';
import { inputChunks, inputSize, type GradcheckResult, type WorkerInput } from './workerProtocol';

export function runGradcheck(input: WorkerInput, request: { format: SequenceFormat; defaults: CallerDefaults; steps: number[] | undefined }): GradcheckResult {
  const parsed = parseSequenceBytesSync(inputChunks(input), request.format, request.defaults, inputSize(input));
  const e = parsed.errors[0];
  if (e) return { parseError: `line ${e.line + 1}, column ${e.col + 1}: ${e.message}` };
  // Steps beyond T (the file was shortened since the hover) are dropped rather than failed.
  const steps = request.steps?.filter((t) => t >= 1 && t <= parsed.T);
  return { report: gradcheck(parsed.model, parsed, { steps }) };
}
