/**
 * Checked tree → a tree of closures, each `(t) => value` at step t (1-based). Compiled once per
 * formula and environment, then run over every t: no interpretation per step, no allocation.
 */
import { act, actCode, dact, sigmoid, type Act } from '../../core/activations';
import { tanh } from '../../core/tanh';
import type { PhiName, ThetaName } from '../../core/model';
import { indexRange, type StepName } from '../names';
import { FormulaError, dependsOnT, readsTarget, type Node } from './ast';

/** Everything a formula reads. Per-step arrays are 1-based, length T + 2 (see names.indexRange). */
export interface Env {
  T: number;
  /** Steps with a target. */
  N: number;
  params: Record<'w' | 'v' | 'b' | 'u' | 'c' | 'h0', number>;
  phi: PhiName;
  theta: ThetaName;
  arrays: Record<StepName, Float64Array>;
  /** 1 where step t has a target; 1-based, length T + 2. */
  hasY: Uint8Array;
}

export type StepFn = (t: number) => number;

export interface Compiled {
  at: StepFn;
  /** The value changes with t (a per-step formula); otherwise it is a total. */
  perStep: boolean;
  /** Reads y or loss, so it has no value at steps without a target. */
  readsTarget: boolean;
}

const UNARY: Record<string, (z: number) => number> = {
  tanh,
  sigmoid,
  relu: (z) => (z < 0 ? 0 : z),
  exp: Math.exp,
  log: Math.log,
  abs: Math.abs,
  sign: Math.sign,
  sqrt: Math.sqrt,
};

function activation(code: Act, derivative: boolean): (z: number) => number {
  return derivative ? (z) => dact(code, z, act(code, z)) : (z) => act(code, z);
}

export function compile(root: Node, env: Env): Compiled {
  return { at: build(root, env), perStep: dependsOnT(root) !== null, readsTarget: readsTarget(root) };
}

function build(n: Node, env: Env): StepFn {
  switch (n.k) {
    case 'num': {
      const v = n.v;
      return () => v;
    }
    case 'const': {
      if (n.name === 't') return (t) => t;
      const v = n.name === 'T' ? env.T : n.name === 'N' ? env.N : env.params[n.name as keyof Env['params']];
      return () => v;
    }
    case 'step': return buildStep(n, env);
    case 'neg': {
      const a = build(n.arg, env);
      return (t) => -a(t);
    }
    case 'bin': {
      const l = build(n.l, env);
      const r = build(n.r, env);
      switch (n.op) {
        case '+': return (t) => l(t) + r(t);
        case '-': return (t) => l(t) - r(t);
        case '*': return (t) => l(t) * r(t);
        case '/': return (t) => l(t) / r(t);
        case '^': return (t) => l(t) ** r(t);
      }
      break;
    }
    case 'call': {
      if (n.fn === 'sum') return buildSum(n.arg, env);
      const a = build(n.arg, env);
      const f =
        n.fn === 'phi' || n.fn === 'dphi' ? activation(actCode(env.phi), n.fn === 'dphi')
        : n.fn === 'theta' || n.fn === 'dtheta' ? activation(actCode(env.theta), n.fn === 'dtheta')
        : UNARY[n.fn];
      return (t) => f(a(t));
    }
  }
  throw new Error('internal: unknown formula node');
}

/** sum over t = 1..T; a term that reads a target counts only at steps that have one. Computed once. */
function buildSum(arg: Node, env: Env): StepFn {
  const a = build(arg, env);
  const skip = readsTarget(arg);
  let cached: number | undefined;
  return () => {
    if (cached === undefined) {
      let acc = 0;
      for (let t = 1; t <= env.T; t++) if (!skip || env.hasY[t] !== 0) acc += a(t);
      cached = acc;
    }
    return cached;
  };
}

function buildStep(n: Node & { k: 'step' }, env: Env): StepFn {
  const arr = env.arrays[n.name];
  if (n.index === null) return (t) => arr[t];
  const [lo, hi] = indexRange(n.name, env.T);
  const where = n.index;
  const outOfRange = (i: number, t: number | null): FormulaError =>
    new FormulaError(
      `${n.name}[${Number.isInteger(i) ? i : String(i)}]${t === null ? '' : ` (at t = ${t})`} is out of range: ${n.name} takes ${lo}..${hi === env.T ? 'T' : 'T+1'}${Number.isInteger(i) ? '' : ' and integer indices'}` +
        (n.name === 'h' ? ' (h[0] = h0)' : hi > env.T ? ' (0 at T+1)' : ''),
      where.start,
      where.end,
    );
  // Fixed index: checked now.
  if (dependsOnT(where) === null) {
    const i = build(where, env)(1);
    if (!(Number.isInteger(i) && i >= lo && i <= hi)) throw outOfRange(i, null);
    return () => arr[i];
  }
  // t + k: checked now over t = 1..T.
  const k = shiftOf(where);
  if (k !== null) {
    if (env.T > 0 && 1 + k < lo) throw outOfRange(1 + k, 1);
    if (env.T > 0 && env.T + k > hi) throw outOfRange(env.T + k, env.T);
    return (t) => arr[t + k];
  }
  // Any other expression of t: checked at each step.
  const idx = build(where, env);
  return (t) => {
    const i = idx(t);
    if (i >= lo && i <= hi && Math.floor(i) === i) return arr[i];
    throw outOfRange(i, t);
  };
}

/** k when the node is t, t + k or t - k with k an integer literal; else null. */
function shiftOf(n: Node): number | null {
  if (n.k === 'const' && n.name === 't') return 0;
  if (n.k === 'bin' && (n.op === '+' || n.op === '-') && n.l.k === 'const' && n.l.name === 't' && n.r.k === 'num' && Number.isInteger(n.r.v)) {
    return n.op === '+' ? n.r.v : -n.r.v;
  }
  return null;
}
