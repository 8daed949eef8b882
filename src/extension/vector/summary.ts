/** One-line summaries of a vector model's pass (CodeLens, status bar). Pure. */
import { VECTOR_PARAM_NAMES, type VectorTrace } from '../../core/vector/model';
import { formatNumber } from '../../shared/format';
import { norm2 } from '../../core/vector/norm';

/** `L=0.12`, `‖∂L/∂W‖=…`, … for every parameter (Frobenius norms: the matrices are in the timeline and the CLI). */
export function vectorGradientParts(trace: VectorTrace, digits: number): string[] {
  const f = (n: number): string => formatNumber(n, digits);
  return [`L=${f(trace.loss)}`, ...VECTOR_PARAM_NAMES.map((k) => `‖∂L/∂${k}‖=${f(norm2(trace.grads[k]))}`)];
}

/** `n=16 m=4 k=1`: the model's shape. */
export function vectorShape(trace: VectorTrace): string {
  const { n, m, k } = trace.model;
  return `n=${n} m=${m} k=${k}`;
}

/** The status bar's short form: `BPTT n=16 L=… ‖∂L/∂W‖=…`. */
export function vectorStatusSummary(trace: VectorTrace, digits: number): string {
  return `BPTT n=${trace.model.n} L=${formatNumber(trace.loss, digits)} ‖∂L/∂W‖=${formatNumber(norm2(trace.grads.W), digits)}`;
}
