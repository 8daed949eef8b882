/**
 * Formula text → checked tree. jsep parses; we configure it (`^` right-associative, binding
 * tighter than `*` and unary minus), rewrite the primes and Greek letters first (keeping a map
 * back to the written columns), then convert jsep's tree into ours, checking every name, arity
 * and index as we go. Nothing is ever evaluated by JavaScript itself.
 */
import jsep from 'jsep';
import { FUNCTIONS, INDEX_NAMES, PARAMS, STEP_NAMES, isFunction, isParam, isStepName, nearest } from '../names';
import { FormulaError, type Node } from './ast';

// --- jsep configuration (module-wide, once) ---------------------------------------------------
jsep.addBinaryOp('^', 11, true); // * and / are 10
jsep.removeAllLiterals(); // true/false/null are not numbers here: report them as unknown names
for (const op of ['!', '~', 'typeof']) jsep.removeUnaryOp(op);

/** Token spans: jsep's nodes carry no positions, so two hooks record [start, end) for each token. */
type Span = { start?: number; end?: number; paren?: boolean };
const starts: number[] = [];
jsep.hooks.add('gobble-token', function (env) {
  starts.push(this.index);
  // Numbers bypass 'after-token' in jsep; gobble them here so they get a span like any token.
  const ch = this.code;
  if ((ch >= 48 && ch <= 57) || ch === 46) env.node = this.gobbleNumericLiteral();
});
jsep.hooks.add('after-token', function (env) {
  const start = starts.pop();
  const node = env.node as (jsep.Expression & Span) | undefined;
  if (!node || start === undefined) return;
  // A parenthesized group keeps the span of its parentheses and says so (it decides -a^b vs (-a)^b).
  const paren = this.expr.charCodeAt(start) === 40 && node.start !== start;
  env.node = { ...node, start, end: this.index, paren };
});

// --- preprocessing ----------------------------------------------------------------------------
const REWRITES: [string, string][] = [
  ["phi'", 'dphi'], ["theta'", 'dtheta'], ["φ'", 'dphi'], ["θ'", 'dtheta'], ['φ', 'phi'], ['θ', 'theta'],
  ['ϕ', 'phi'], ['ϑ', 'theta'], ['·', '*'], ['×', '*'], ['−', '-'],
];

/** The text jsep parses, and map[i] = the written offset of its character i (map[len] = written length). */
export function preprocess(expr: string): { text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  let i = 0;
  outer: while (i < expr.length) {
    // A prime only counts after a whole name: "dphi'" is not rewritten.
    const prevIsName = i > 0 && /[A-Za-z0-9_]/.test(expr[i - 1]);
    for (const [from, to] of REWRITES) {
      if (expr.startsWith(from, i) && !(prevIsName && /^[a-z]/.test(from))) {
        for (let k = 0; k < to.length; k++) map.push(i + Math.min(k, from.length - 1));
        text += to;
        i += from.length;
        continue outer;
      }
    }
    map.push(i);
    text += expr[i++];
  }
  map.push(expr.length);
  return { text, map };
}

// --- conversion -------------------------------------------------------------------------------
const NAMES_LIST: readonly string[] = [...STEP_NAMES, ...PARAMS, ...INDEX_NAMES, ...FUNCTIONS];

class Converter {
  constructor(private readonly map: number[]) {}

  /** The written span of a jsep node: its token's, or (a binary expression) from its left to its right end. */
  private at(n: jsep.Expression): [number, number] {
    const s = n as Span;
    if (s.start === undefined && n.type === 'BinaryExpression') {
      return [this.at((n as jsep.BinaryExpression).left)[0], this.at((n as jsep.BinaryExpression).right)[1]];
    }
    const last = this.map[this.map.length - 1];
    return [this.map[s.start ?? 0] ?? 0, this.map[s.end ?? this.map.length - 1] ?? last];
  }

  private fail(n: jsep.Expression, message: string): never {
    const [a, b] = this.at(n);
    throw new FormulaError(message, a, Math.max(b, a + 1));
  }

  convert(n: jsep.Expression, inIndex: boolean, inSum: boolean): Node {
    const [start, end] = this.at(n);
    switch (n.type) {
      case 'Literal': {
        const v = (n as jsep.Literal).value;
        if (typeof v !== 'number') this.fail(n, `unexpected text ${(n as jsep.Literal).raw}; expected a number, a name or (`);
        return { k: 'num', v, start, end };
      }
      case 'Identifier': return this.name(n, (n as jsep.Identifier).name, null, inIndex, start, end);
      case 'MemberExpression': {
        const m = n as jsep.MemberExpression;
        if (!m.computed || m.object.type !== 'Identifier') this.fail(n, 'only a per-step name can be indexed, as in h[t-1]');
        const name = (m.object as jsep.Identifier).name;
        // The object is not a token of its own: its span is the name at the start of the member's.
        const obj = { ...m.object, start: (n as Span).start, end: ((n as Span).start ?? 0) + name.length } as jsep.Expression;
        if (!isStepName(name)) {
          if (isParam(name) || name === 't' || name === 'T' || name === 'N') this.fail(obj, `${name} is not per-step and cannot be indexed`);
          return this.name(obj, name, null, inIndex, start, end);
        }
        if (inIndex) this.fail(n, 'an index is an integer expression of t, T and N; it cannot read a per-step value');
        return { k: 'step', name, index: this.convert(m.property, true, inSum), start, end };
      }
      case 'CallExpression': {
        const c = n as jsep.CallExpression;
        if (c.callee.type !== 'Identifier') this.fail(n, 'only a named function can be called, as in phi(s)');
        const fn = (c.callee as jsep.Identifier).name;
        const callee = { ...c.callee, start: (n as Span).start, end: ((n as Span).start ?? 0) + fn.length } as jsep.Expression;
        if (!isFunction(fn)) {
          const isName = NAMES_LIST.includes(fn);
          this.fail(callee, isName ? `${fn} is not a function; the functions are ${FUNCTIONS.join(' ')}` : `unknown function "${fn}"; did you mean ${nearest(fn, FUNCTIONS)}?`);
        }
        if (inIndex) this.fail(n, 'an index is an integer expression of t, T and N; it cannot call a function');
        if (c.arguments.length !== 1) this.fail(n, `${fn} takes 1 argument, got ${c.arguments.length}`);
        if (fn === 'sum' && inSum) this.fail(callee, 'sum(…) cannot be nested: one sum runs over every t');
        return { k: 'call', fn, arg: this.convert(c.arguments[0], false, inSum || fn === 'sum'), start, end };
      }
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        if (u.operator !== '-' && u.operator !== '+') this.fail(n, `unknown operator ${u.operator}; expected + - * / ^`);
        const arg = this.convert(u.argument, inIndex, inSum);
        return u.operator === '-' ? { k: 'neg', arg, start, end } : { ...arg, start, end };
      }
      case 'BinaryExpression': {
        const b = n as jsep.BinaryExpression;
        const op = b.operator;
        if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '^') {
          this.fail(b, `unknown operator ${op}; expected + - * / ^`);
        }
        const l = this.convert(b.left, inIndex, inSum);
        const r = this.convert(b.right, inIndex, inSum);
        return fixPowerOfNegation({ k: 'bin', op, l, r, start: l.start, end: r.end }, b.left as Span);
      }
      default:
        this.fail(n, `unexpected ${n.type === 'Compound' || n.type === 'SequenceExpression' ? 'second expression' : 'syntax'}; expected one expression of numbers, names, + - * / ^ and calls`);
    }
  }

  private name(n: jsep.Expression, name: string, _index: null, inIndex: boolean, start: number, end: number): Node {
    if (name === 't' || name === 'T' || name === 'N') return { k: 'const', name, start, end };
    if (inIndex) this.fail(n, `an index is an integer expression of t, T and N; "${name}" is not one of them`);
    if (isParam(name)) return { k: 'const', name, start, end };
    if (isStepName(name)) return { k: 'step', name, index: null, start, end };
    if (isFunction(name)) this.fail(n, `${name} is a function: write ${name}(…)`);
    this.fail(n, `unknown name "${name}"; did you mean ${nearest(name, NAMES_LIST)}?`);
  }
}

/**
 * jsep binds a unary minus to its token, so -a^b arrives as (-a)^b. In mathematics (and here)
 * it is -(a^b); a written (-a)^b keeps its parentheses (paren = true) and stays as it is.
 */
function fixPowerOfNegation(n: Node & { k: 'bin' }, left: Span): Node {
  if (n.op !== '^' || n.l.k !== 'neg' || left.paren) return n;
  const inner = fixPowerOfNegation({ k: 'bin', op: '^', l: n.l.arg, r: n.r, start: n.l.arg.start, end: n.r.end }, {});
  return { k: 'neg', arg: inner, start: n.start, end: n.end };
}

/** Parses and checks one formula. Throws only FormulaError (located in the written expression). */
export function parseFormula(expr: string): Node {
  const { text, map } = preprocess(expr);
  let tree: jsep.Expression;
  starts.length = 0;
  try {
    tree = jsep(text);
  } catch (e) {
    const index = typeof (e as { index?: unknown }).index === 'number' ? (e as { index: number }).index : 0;
    const description = (e as { description?: string }).description ?? String((e as Error).message ?? e);
    const at = map[Math.max(0, Math.min(index, map.length - 1))];
    throw new FormulaError(description, Math.min(at, Math.max(expr.length - 1, 0)), Math.min(at + 1, Math.max(expr.length, 1)));
  } finally {
    starts.length = 0;
  }
  if (!tree || (tree.type === 'Compound' && (tree as jsep.Compound).body.length === 0)) {
    throw new FormulaError('empty formula; expected an expression after =', 0, Math.max(expr.length, 1));
  }
  return new Converter(map).convert(tree, false, false);
}
