/**
 * JSON weights: {"W": [[…], …], "V": …, "b": […], …}. Each value is a number (shape ()) or nested
 * arrays of numbers whose shape is read from the nesting; every array at one depth must have the
 * same length (ragged arrays are a problem at that array's offset).
 */
import { parseTree, printParseErrorCode, type Node, type ParseError as JsoncError } from 'jsonc-parser';
import { MAX_ERRORS } from '../errors';
import { LineIndex } from '../lines';
import type { TensorEntry, TensorFileResult, WeightsProblem } from './types';
import { MAX_DIMS, MAX_ELEMENTS, shapeSize } from './tensor';

/** Arrays and objects nest at most this deep in a weights file (a tensor has at most MAX_DIMS). */
const MAX_DEPTH = 32;

/** The deepest [ or { outside strings, and where it first passes MAX_DEPTH (-1 if never): checked before parsing, which recurses. */
function tooDeep(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      if (++depth > MAX_DEPTH) return i;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return -1;
}

/** One tensor from a JSON value node: a number, or arrays nested as deep as the tensor has dimensions. */
export function tensorFromJsonNode(name: string, node: Node): { ok: true; tensor: TensorEntry } | { ok: false; message: string; offset: number } {
  // the shape: the first element's length at each depth
  const shape: number[] = [];
  for (let n: Node | undefined = node; n && n.type === 'array'; n = n.children?.[0]) {
    shape.push(n.children?.length ?? 0);
    if (shape.length > MAX_DIMS) return { ok: false, message: `"${name}" nests deeper than ${MAX_DIMS} arrays`, offset: n.offset };
  }
  const size = shapeSize(shape);
  if (size < 0) return { ok: false, message: `"${name}" has over ${MAX_ELEMENTS} elements`, offset: node.offset };
  const data = new Float64Array(size);
  let filled = 0;
  // depth-first, in row-major order; each array must have its depth's length, each leaf be a number
  const stack: { n: Node; depth: number }[] = [{ n: node, depth: 0 }];
  while (stack.length) {
    const { n, depth } = stack.pop() as { n: Node; depth: number };
    if (depth === shape.length) {
      if (n.type !== 'number') {
        const found = n.type === 'array' ? 'an array' : n.type;
        return { ok: false, message: `"${name}" is ragged: found ${found} where a number belongs (shape ${JSON.stringify(shape)} from the first elements)`, offset: n.offset };
      }
      data[filled++] = n.value as number;
      continue;
    }
    const children = n.children ?? [];
    if (n.type !== 'array' || children.length !== shape[depth]) {
      const found = n.type === 'array' ? `${children.length} elements` : `a ${n.type}`;
      return { ok: false, message: `"${name}" is ragged: found ${found} at depth ${depth + 1} where the first has ${shape[depth]} elements`, offset: n.offset };
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ n: children[i], depth: depth + 1 });
  }
  return { ok: true, tensor: { name, shape, dtype: 'json', data } };
}

/** Every top-level key of a JSON weights file as a tensor. Offsets are UTF-16 offsets into `text`. */
export function readJsonWeights(text: string): TensorFileResult {
  let lines: LineIndex | null = null;
  const located = (message: string, offset: number, tensor?: string): WeightsProblem => {
    lines ??= new LineIndex(text);
    const line = lines.lineAt(offset);
    const p: WeightsProblem = { message, offset, line, col: offset - lines.starts[line] };
    if (tensor !== undefined) p.tensor = tensor;
    return p;
  };
  const deep = tooDeep(text);
  if (deep >= 0) return { ok: false, problems: [located(`arrays nest deeper than ${MAX_DEPTH}; a weights tensor has at most ${MAX_DIMS} dimensions`, deep)] };
  const errors: JsoncError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length) return { ok: false, problems: [located(`invalid JSON (${printParseErrorCode(errors[0].error)})`, errors[0].offset)] };
  if (!root || root.type !== 'object') return { ok: false, problems: [located('expected a JSON object {"W": [[…]], "V": …} of named arrays', root?.offset ?? 0)] };
  const problems: WeightsProblem[] = [];
  const tensors: TensorEntry[] = [];
  for (const prop of root.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (!key || !value) continue;
    const name = String(key.value);
    const r = tensorFromJsonNode(name, value);
    if (r.ok) tensors.push(r.tensor);
    else if (problems.push(located(r.message, r.offset, name)) >= MAX_ERRORS) break;
  }
  return problems.length ? { ok: false, problems } : { ok: true, tensors };
}
