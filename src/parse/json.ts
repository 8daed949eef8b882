import { parseTree, type Node, type ParseError as JsonParseError } from 'jsonc-parser';
import { isModelKey, isNumericKey } from '../core/model';
import type { CallerDefaults, DirectiveLayout, ParsedSequence } from './types';
import { ErrorSink, escapeText, quote } from './errors';
import { LineIndex } from './lines';
import {
  type ChoiceKey,
  type FileValues,
  isChoice,
  resolveModel,
  setFileValue,
  unknownChoiceMessage,
  unknownKeyMessage,
} from './resolve';
import { StepArrays } from './steps';

const TOP_KEYS = ['bptt', 'x', 'y'];

/** jsonc-parser's ParseErrorCode values (a const enum there, so spelled out here for bundlers). */
const SYNTAX_MESSAGES: Record<number, string> = {
  1: 'unexpected character or word; JSON values are numbers, "strings", true, false, null, [arrays] and {objects}',
  2: 'invalid number',
  3: 'expected a property name in double quotes',
  4: 'expected a value',
  5: 'expected ":" after the property name',
  6: 'expected "," between items',
  7: 'expected "}" to close the object',
  8: 'expected "]" to close the array',
  9: 'unexpected text after the end of the JSON value',
  10: 'comments are not allowed in JSON',
  11: 'unterminated comment',
  12: 'unterminated string: the closing quote is missing',
  13: 'incomplete number',
  14: 'invalid \\u escape in string',
  15: 'invalid escape character in string',
  16: 'invalid character in string (control characters must be escaped)',
};

function syntaxMessage(text: string, e: JsonParseError): string {
  if (e.error === 1) {
    const rest = text.substr(e.offset, 12);
    const m = /^[-+]?(NaN|Infinity|inf|nan)/.exec(rest);
    if (m) return `${m[0]} is not valid JSON; write it as the string ${JSON.stringify(m[0].replace(/^\+/, ''))}`;
    const found = text.substr(e.offset, Math.min(Math.max(e.length, 1), 20));
    return `unexpected ${quote(found)}: JSON values are numbers, "strings", true, false, null, [arrays] and {objects}, and property names need double quotes`;
  }
  const msg = SYNTAX_MESSAGES[e.error] ?? 'invalid JSON';
  if (e.error >= 4 && e.error <= 9) {
    // say what was found instead
    if (e.offset >= text.length) return `${msg}, but the file ends here`;
    const found = text.substr(e.offset, Math.min(Math.max(e.length, 1), 20));
    return `${msg}, but found ${quote(found)}`;
  }
  return msg;
}

/** A JSON string element standing for a non-finite number (what the CLI writes). */
function specialNumber(s: string): number | undefined {
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  return undefined;
}

function describe(node: Node): string {
  switch (node.type) {
    case 'string':
      return `the string ${quote(String(node.value))}`;
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    default:
      return 'a number';
  }
}

/** Parses `{"bptt": {...}, "x": [...], "y": [...]}`. Never throws. */
export function parseJson(text: string, defaults?: CallerDefaults): ParsedSequence {
  const sink = new ErrorSink();
  const n = text.length;
  // jsonc-parser does not skip a BOM: blank it out (same length, so offsets are unchanged).
  const src = n > 0 && text.charCodeAt(0) === 0xfeff ? ' ' + text.substring(1) : text;
  const syntax: JsonParseError[] = [];
  const root = parseTree(src, syntax, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  // After the first syntax error jsonc-parser's recovery mostly reports consequences of it: keep one.
  if (syntax.length > 0) {
    const e = syntax[0];
    sink.add(syntaxMessage(src, e), e.offset, e.offset + Math.max(e.length, 0));
  }
  // When the text is not even well-formed JSON, report only the syntax errors (a half-typed file would
  // otherwise drown them in consequences) but still read what can be read.
  const semantic = syntax.length === 0;
  const report = (msg: string, node: Node | undefined, fallbackStart = 0, fallbackEnd = fallbackStart): void => {
    if (!semantic) return;
    if (node) sink.add(msg, node.offset, node.offset + node.length);
    else sink.add(msg, fallbackStart, fallbackEnd);
  };

  const file: FileValues = {};
  let hasDirective = false;
  let directiveOffset = 0;
  let layout: DirectiveLayout | undefined;
  let xNode: Node | undefined;
  let yNode: Node | undefined;

  if (!root || root.type !== 'object') {
    if (root) report('expected a JSON object such as {"x": [0.5, 1], "y": [0, 1]}', root);
    else if (semantic) sink.add('empty file: expected a JSON object such as {"x": [0.5, 1], "y": [0, 1]}', 0, n);
  } else {
    directiveOffset = root.offset + 1;
    const props = root.children ?? [];
    const seen = new Set<string>();
    let bpttProp: Node | undefined;
    for (const prop of props) {
      const keyNode = prop.children?.[0];
      const valueNode = prop.children?.[1];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      if (!TOP_KEYS.includes(key)) {
        report(`unknown top-level key ${quote(key)}; allowed keys: ${TOP_KEYS.join(', ')}`, keyNode);
        continue;
      }
      if (seen.has(key)) {
        report(`duplicate key ${quote(key)}`, keyNode);
        continue;
      }
      seen.add(key);
      if (key === 'bptt') {
        hasDirective = true;
        bpttProp = prop;
        readBptt(valueNode, keyNode, file, report);
      } else if (key === 'x') {
        xNode = valueNode;
        if (valueNode && valueNode.type !== 'array') report(`"x" must be an array of numbers, got ${describe(valueNode)}`, valueNode);
      } else {
        yNode = valueNode;
        if (valueNode && valueNode.type !== 'array')
          report(`"y" must be an array of numbers or null, got ${describe(valueNode)}`, valueNode);
      }
    }
    if (!seen.has('x')) report('missing "x": expected an array of inputs, e.g. "x": [0.5, 1]', undefined, root.offset, root.offset + 1);
    layout = jsonLayout(src, root, bpttProp);
  }

  const { model, modelSource } = resolveModel(file, defaults);
  const bce = model.loss === 'bce';
  const lines = new LineIndex(text);
  const xs = xNode && xNode.type === 'array' ? (xNode.children ?? []) : [];
  const ys = yNode && yNode.type === 'array' ? (yNode.children ?? []) : undefined;
  const T = xs.length;
  const steps = new StepArrays(T);
  let ln = 0; // walks the line table forwards: x elements come in order
  for (let t = 0; t < T; t++) {
    const xe = xs[t];
    let xv = NaN;
    if (xe.type === 'number') xv = xe.value as number;
    else if (xe.type === 'string' && specialNumber(String(xe.value)) !== undefined) xv = specialNumber(String(xe.value))!;
    else if (xe.type === 'null') report(`x[${t}] is null; every step needs an x value`, xe);
    else report(`x[${t}] must be a number, got ${describe(xe)}`, xe);
    while (ln + 1 < lines.count && lines.starts[ln + 1] <= xe.offset) ln++;
    let yv = NaN;
    let hy = 0;
    let ysOff = -1;
    let yeOff = -1;
    const ye = ys?.[t];
    if (ye) {
      ysOff = ye.offset;
      yeOff = ye.offset + ye.length;
      if (ye.type === 'number') {
        yv = ye.value as number;
        hy = 1;
      } else if (ye.type === 'string' && specialNumber(String(ye.value)) !== undefined) {
        yv = specialNumber(String(ye.value))!;
        hy = 1;
      } else if (ye.type !== 'null') {
        report(`y[${t}] must be a number or null, got ${describe(ye)}`, ye);
      }
      if (hy && bce && (yv < 0 || yv > 1)) {
        report(`y[${t}] = ${escapeText(src.substring(ysOff, yeOff))} is outside [0, 1]; the bce loss needs targets between 0 and 1`, ye);
      }
    }
    steps.push(xv, yv, hy, ln, xe.offset, xe.offset + xe.length, ysOff, yeOff, xe.offset, xe.offset + xe.length);
  }
  if (xNode && xNode.type === 'array' && T === 0) report('empty sequence: "x" has no elements', xNode);
  if (ys && yNode && xNode && xNode.type === 'array' && ys.length !== T) {
    report(
      `"y" has ${ys.length} element${ys.length === 1 ? '' : 's'} but "x" has ${T}; they must be the same length (use null for steps without a target)`,
      yNode,
    );
  }

  const columns: string[] = [];
  if (xNode) columns.push('x');
  if (yNode) columns.push('y');
  return {
    format: 'json',
    model,
    modelSource,
    hasDirective,
    directiveOffset,
    ...steps.finish(),
    columns,
    errors: sink.finish(text, lines),
    ...(layout ? { directiveLayout: layout } : {}),
  };
}

function readBptt(
  node: Node | undefined,
  keyNode: Node,
  file: FileValues,
  report: (msg: string, node: Node | undefined, s?: number, e?: number) => void,
): void {
  if (!node) return;
  if (node.type !== 'object') {
    report(`"bptt" must be an object such as {"w": 0.9, "phi": "tanh"}, got ${describe(node)}`, node ?? keyNode);
    return;
  }
  const seen = new Set<string>();
  for (const prop of node.children ?? []) {
    const k = prop.children?.[0];
    const v = prop.children?.[1];
    if (!k) continue;
    const key = String(k.value);
    if (!isModelKey(key)) {
      report(unknownKeyMessage(key), k);
      continue;
    }
    if (seen.has(key)) {
      report(`duplicate key ${quote(key)} in "bptt"`, k);
      continue;
    }
    seen.add(key);
    if (!v) continue;
    if (isNumericKey(key)) {
      if (v.type !== 'number') report(`${key} must be a number, got ${describe(v)}`, v);
      else if (!Number.isFinite(v.value)) report(`${key} must be a finite number`, v);
      else setFileValue(file, key, v.value as number);
    } else {
      const ck = key as ChoiceKey;
      if (v.type !== 'string') report(`${key} must be a string naming one of the choices, got ${describe(v)}`, v);
      else if (!isChoice(ck, v.value)) report(unknownChoiceMessage(ck, String(v.value)), v);
      else setFileValue(file, key, String(v.value));
    }
  }
}

/** Where and how a "bptt" property goes into the object so it matches the file's style. */
function jsonLayout(text: string, root: Node, bpttProp: Node | undefined): DirectiveLayout {
  if (bpttProp) {
    // jsonc-parser's error recovery can give a node that runs past the end (an unterminated comment).
    return { start: bpttProp.offset, end: Math.min(text.length, bpttProp.offset + bpttProp.length), before: '', after: '' };
  }
  const at = root.offset + 1;
  const first = root.children?.[0];
  if (!first) return { start: at, end: at, before: '', after: '' };
  const gap = text.substring(at, first.offset);
  if (!/^\s*$/.test(gap)) return { start: at, end: at, before: '', after: ', ' };
  const nl = Math.max(gap.lastIndexOf('\n'), gap.lastIndexOf('\r'));
  if (nl >= 0) {
    const indent = gap.substring(nl + 1);
    const eolMatch = /\r\n|\n|\r/.exec(text);
    const eol = eolMatch ? eolMatch[0] : '\n';
    return { start: at, end: at, before: eol + indent, after: ',' };
  }
  return gap.length > 0 ? { start: at, end: at, before: gap, after: ',' } : { start: at, end: at, before: '', after: ', ' };
}
