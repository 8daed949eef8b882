/** A checked formula's tree. start/end are offsets into the claim's expression as written. */
import type { FunctionName, StepName } from '../names';

export type Node =
  | { k: 'num'; v: number; start: number; end: number }
  /** A parameter (w v b u c h0), t, T or N. */
  | { k: 'const'; name: string; start: number; end: number }
  /** A per-step name at step t + 0 when index is null, else at step `index`. */
  | { k: 'step'; name: StepName; index: Node | null; start: number; end: number }
  | { k: 'call'; fn: FunctionName; arg: Node; start: number; end: number }
  | { k: 'neg'; arg: Node; start: number; end: number }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '^'; l: Node; r: Node; start: number; end: number };

/** A located formula error, offsets into the expression. */
export class FormulaError extends Error {
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
  }
}

/** Does the node's value change with t (outside any sum)? */
export function dependsOnT(n: Node): Node | null {
  switch (n.k) {
    case 'num': return null;
    case 'const': return n.name === 't' ? n : null;
    case 'step': return n.index === null ? n : dependsOnT(n.index) ? n : null;
    case 'call': return n.fn === 'sum' ? null : dependsOnT(n.arg);
    case 'neg': return dependsOnT(n.arg);
    case 'bin': return dependsOnT(n.l) ?? dependsOnT(n.r);
  }
}

/** Does the node read a target (y or loss), which steps without a target lack? */
export function readsTarget(n: Node): boolean {
  switch (n.k) {
    case 'num': case 'const': return false;
    case 'step': return n.name === 'y' || n.name === 'loss' || (n.index !== null && readsTarget(n.index));
    case 'call': case 'neg': return readsTarget(n.arg);
    case 'bin': return readsTarget(n.l) || readsTarget(n.r);
  }
}
