/**
 * JSON sequences `{"bptt": {…}, "x": [...], "y": [...], "check": {…}, "dL_dh": [...]}`, streamed: the
 * numbers go straight into typed arrays with their offsets (no tree), so memory beyond the result is
 * a few bytes per line and per out-of-range target.
 */
import { isModelKey, isNumericKey } from '../core/model';
import type { CallerDefaults, DirectiveLayout, ParsedSequence, TruncationKeys } from './types';
import { CLAIM_NAMES, isTruncationKey } from './types';
import { truncationProblem } from './directive';
import { quote } from './errors';
import { LineIndex } from './lines';
import { NUM, scanNumber } from './numbers';
import { nulMessage } from './encoding';
import { type ChoiceKey, type FileValues, isChoice, resolveModel, setFileValue, unknownChoiceMessage, unknownKeyMessage } from './resolve';
import { JsonSteps } from './jsonSteps';
import { CheckList, ClaimBuilder, NO_CLAIM, significantDigits } from './checks';
import { type Frame, JsonTokenReader, T_FALSE, T_NULL, T_NUMBER, T_STRING, T_TRUE } from './jsonSyntax';

const TOP_KEYS = ['bptt', 'x', 'y'];
/** Every key a sequence object may have: the model, the data, the check formulas and the claim arrays. */
const ALLOWED_KEYS = [...TOP_KEYS, 'check', ...CLAIM_NAMES].join(', ');

// what an open array/object holds
const SKIP = 0;
const ROOT = 1;
const BPTT = 2;
const X = 3;
const Y = 4;
const CLAIM = 5;
const CHECK = 6;
const CHECK_LIST = 7;

/** A JSON string element standing for a non-finite number (what the CLI writes). */
function specialNumber(s: string): number | undefined {
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  return undefined;
}

function describe(token: number, value: string): string {
  if (token === T_STRING) return `the string ${quote(value)}`;
  if (token === T_TRUE) return 'true';
  if (token === T_FALSE) return 'false';
  if (token === T_NULL) return 'null';
  return 'a number';
}

const describeOpen = (array: boolean): string => (array ? 'an array' : 'an object');

/** Reads a JSON sequence from consecutive blocks of its text (feed), then builds the result (finish). Never throws. */
export class JsonReader extends JsonTokenReader {
  private readonly lines = new LineIndex();
  private readonly steps = new JsonSteps(this.lines);
  private readonly file: FileValues = {};
  private readonly truncation: TruncationKeys = {};
  private readonly checks = new CheckList();
  private n = 0;
  private readonly claims = new Map<string, ClaimBuilder>();
  /** The claim array being read (they are top-level, so one at a time). */
  private claim: ClaimBuilder | undefined;
  private readonly seen = new Set<string>();
  private readonly seenBptt = new Set<string>();
  /** Messages to report over an array/object once it closes (it is not what its key needs), by depth. */
  private readonly bad: (string | undefined)[] = [];
  private rootStart = -1;
  private xRange: [number, number] | undefined;
  private yRange: [number, number] | undefined;
  private xArray = false;
  private yArray = false;
  private hasDirective = false;
  private bpttProp: [number, number] | undefined;
  private firstKey = -1;

  constructor(private readonly defaults?: CallerDefaults) {
    super();
  }

  /** Reads text, the part of the whole text starting at offset base (see JsonCutter for where blocks may end). */
  feed(text: string, base: number): void {
    if (text.length === 0) return;
    this.n = base + text.length;
    if (this.stopped) return;
    this.lines.append(text, base);
    const z = text.indexOf('\0');
    if (z >= 0) return this.fail(nulMessage(text, base, z, this.lines), base + z, base + z + 1);
    // jsonc-parser does not skip a BOM: blank it out (same length, so offsets are unchanged).
    const src = base === 0 && text.charCodeAt(0) === 0xfeff ? ' ' + text.substring(1) : text;
    this.readBlock(src, base);
    this.n = base + text.length;
  }

  /** The input cannot be read: this error alone is reported, and nothing more is read. */
  fail(message: string, start: number, end: number): void {
    this.stopped = true;
    this.onSyntaxError(message, start, end);
  }

  protected onKey(f: Frame): void {
    if (this.firstKey < 0) this.firstKey = f.keyStart;
    const key = f.key;
    if (f.role === ROOT) {
      if (!TOP_KEYS.includes(key) && key !== 'check' && !this.isClaim(key)) {
        this.report(`unknown top-level key ${quote(key)}; allowed keys: ${ALLOWED_KEYS}`, f.keyStart, f.keyEnd);
        f.key = '';
      } else if (this.seen.has(key)) {
        this.report(`duplicate key ${quote(key)}`, f.keyStart, f.keyEnd);
        f.key = '';
      } else {
        this.seen.add(key);
        if (key === 'bptt') this.hasDirective = true;
      }
    } else if (f.role === BPTT) {
      if (!isModelKey(key) && !isTruncationKey(key)) {
        this.report(unknownKeyMessage(key), f.keyStart, f.keyEnd);
        f.key = '';
      } else if (this.seenBptt.has(key)) {
        this.report(`duplicate key ${quote(key)} in "bptt"`, f.keyStart, f.keyEnd);
        f.key = '';
      } else this.seenBptt.add(key);
    }
  }

  private isClaim(key: string): boolean {
    return (CLAIM_NAMES as readonly string[]).includes(key);
  }

  /** What a value under parent must be, when it is not a scalar of the right kind; undefined if anything goes. */
  private need(parent: Frame | undefined): string | undefined {
    if (!parent) return 'expected a JSON object such as {"x": [0.5, 1], "y": [0, 1]}';
    switch (parent.role) {
      case ROOT:
        if (parent.key === 'bptt') return `"bptt" must be an object such as {"w": 0.9, "phi": "tanh"}, got `;
        if (parent.key === 'x') return '"x" must be an array of numbers, got ';
        if (parent.key === 'y' || this.isClaim(parent.key)) return `"${parent.key}" must be an array of numbers or null, got `;
        if (parent.key === 'check') return '"check" must be an object such as {"dL_dh": "formula"}, got ';
        return undefined;
      case BPTT:
        if (parent.key === '') return undefined;
        return isNumericKey(parent.key) ? `${parent.key} must be a number, got ` : `${parent.key} must be a string naming one of the choices, got `;
      case X:
        return `x[${parent.count}] must be a number, got `;
      case Y:
        return `y[${parent.count}] must be a number or null, got `;
      case CLAIM:
        return `${this.claim!.name}[${parent.count}] must be a number or null, got `;
      case CHECK:
      case CHECK_LIST:
        return `"check" entry ${quote(this.checkKey(parent).key)} must be a formula string, a number, or a list of them, got `;
    }
    return undefined;
  }

  /** The "check" object's frame, whose key names the quantity of a claim in f (the object or a list in it). */
  private checkKey(f: Frame): Frame {
    return f.role === CHECK ? f : this.stack[this.stack.length - 2];
  }

  protected override numeric(role: number): boolean {
    return role === X || role === Y || role === CLAIM;
  }

  protected onOpen(parent: Frame | undefined, array: boolean, start: number): number {
    let role = SKIP;
    if (!parent) {
      if (!array) {
        this.rootStart = start;
        role = ROOT;
      }
    } else if (parent.role === ROOT) {
      const k = parent.key;
      if (k === 'bptt') {
        this.bpttProp = [parent.keyStart, -1];
        if (!array) role = BPTT;
      } else if (k === 'x' && array) role = X;
      else if (k === 'y' && array) role = Y;
      else if (k === 'check' && !array) role = CHECK;
      else if (this.isClaim(k) && array) {
        role = CLAIM;
        this.claim = new ClaimBuilder(k);
        this.claims.set(k, this.claim);
      }
    } else if (parent.role === CHECK && array) role = CHECK_LIST;
    else if (parent.role === X) this.steps.pushX(NaN, start, -1);
    else if (parent.role === Y) this.steps.pushY(NaN, 0, start, -1);
    else if (parent.role === CLAIM) this.claim!.push(NaN, NO_CLAIM, start, -1);
    const need = role === SKIP ? this.need(parent) : undefined;
    this.bad[this.stack.length] = need === undefined ? undefined : need + (parent ? describeOpen(array) : '');
    return role;
  }

  protected onClose(f: Frame, end: number, parent: Frame | undefined): void {
    const bad = this.bad[this.stack.length];
    if (bad !== undefined) this.report(bad, f.start, end);
    if (f.role === X) {
      this.xRange = [f.start, end];
      this.xArray = true;
    } else if (f.role === Y) {
      this.yRange = [f.start, end];
      this.yArray = true;
    } else if (f.role === CLAIM) {
      this.claim!.rangeStart = f.start;
      this.claim!.rangeEnd = end;
    }
    if (!parent) return;
    if (parent.role === ROOT && parent.key === 'bptt' && this.bpttProp) this.bpttProp[1] = end;
    this.closeElement(parent, end);
  }

  /** An array/object element of x, y or a claim ends at `end`. */
  private closeElement(parent: Frame, end: number): void {
    if (parent.role === X) this.steps.endX(end);
    else if (parent.role === Y) this.steps.endY(end);
    else if (parent.role === CLAIM) this.claim!.setLastEnd(end);
  }

  protected override onPlainNumber(f: Frame, v: number, text: string, local: number, len: number, start: number): void {
    if (f.role === X) this.steps.pushX(v, start, start + len);
    else if (f.role === Y) this.steps.pushY(v, 1, start, start + len, text, local);
    else this.claim!.push(v, significantDigits(text, local, local + len), start, start + len);
  }

  protected onScalar(parent: Frame | undefined, tok: number, text: string, local: number, len: number, start: number, value: string): void {
    const end = start + len;
    const special = tok === T_STRING ? specialNumber(value) : undefined;
    let v = NaN;
    if (tok === T_NUMBER) {
      scanNumber(text, local, local + len);
      v = NUM[0];
    }
    const numeric = tok === T_NUMBER || special !== undefined;
    if (special !== undefined) v = special;
    const role = parent ? parent.role : -1;
    if (role === X) {
      if (tok === T_NULL) this.report(`x[${parent!.count}] is null; every step needs an x value`, start, end);
      else if (!numeric) this.report(this.need(parent)! + describe(tok, value), start, end);
      return this.steps.pushX(v, start, end);
    }
    if (role === Y) {
      if (!numeric && tok !== T_NULL) this.report(this.need(parent)! + describe(tok, value), start, end);
return this.steps.pushY(v, numeric ? 1 : 0, start, end, text, local);
    }
    if (role === CLAIM) {
      const claim = this.claim!;
      if (!numeric && tok !== T_NULL) this.report(this.need(parent)! + describe(tok, value), start, end);
      const digits = tok === T_NUMBER ? significantDigits(text, local, local + len) : numeric ? 0 : NO_CLAIM;
      return claim.push(v, digits, start, end);
    }
    if (role === CHECK || role === CHECK_LIST) {
      const q = this.checkKey(parent!);
      if (tok === T_STRING) this.checks.add(q.key, q.keyStart + 1, value, start + 1, len - 2);
      else if (tok === T_NUMBER) this.checks.add(q.key, q.keyStart + 1, text.substr(local, len), start, len);
      else this.report(this.need(parent)! + describe(tok, value), start, end);
      return;
    }
    if (role === BPTT) return this.bpttValue(parent!, tok, v, value, start, end);
    if (role === ROOT && parent!.key === 'bptt') this.bpttProp = [parent!.keyStart, end];
    const need = role === -1 || role === ROOT ? this.need(parent) : undefined;
    if (need !== undefined) this.report(need + (parent ? describe(tok, value) : ''), start, end);
  }

  private bpttValue(f: Frame, tok: number, v: number, value: string, start: number, end: number): void {
    const key = f.key;
    if (key === '') return;
    if (isTruncationKey(key)) {
      const problem = tok === T_NUMBER ? truncationProblem(key, v, String(v)) : `${key} must be a whole number ≥ 1 (steps), got ${describe(tok, value)}`;
      if (problem) this.report(problem, start, end);
      else this.truncation[key] = v;
      return;
    }
    if (isNumericKey(key)) {
      if (tok !== T_NUMBER) this.report(this.need(f)! + describe(tok, value), start, end);
      else if (!Number.isFinite(v)) this.report(`${key} must be a finite number`, start, end);
      else setFileValue(this.file, key, v);
    } else {
      const ck = key as ChoiceKey;
      if (tok !== T_STRING) this.report(this.need(f)! + describe(tok, value), start, end);
      else if (!isChoice(ck, value)) this.report(unknownChoiceMessage(ck, value), start, end);
      else setFileValue(this.file, ck, value);
    }
  }

  finish(): ParsedSequence {
    this.readEnd(this.n);
    // after a syntax error, arrays/objects still open as elements end where the text does
    for (let i = 1; i < this.stack.length; i++) this.closeElement(this.stack[i - 1], this.n);
    const { model, modelSource } = resolveModel(this.file, this.defaults);
    const steps = this.steps.finish();
    const T = steps.T;
    if (model.loss === 'bce') this.steps.targetsOutside01((m, s, e) => this.report(m, s, e));
    if (this.rootStart >= 0 && !this.seen.has('x')) {
      this.report('missing "x": expected an array of inputs, e.g. "x": [0.5, 1]', this.rootStart, this.rootStart + 1);
    }
    if (this.xArray && T === 0) this.report('empty sequence: "x" has no elements', ...this.xRange!);
    if (this.yArray && this.xArray && this.steps.yLength !== T) {
      const k = this.steps.yLength;
      this.report(
        `"y" has ${k} element${k === 1 ? '' : 's'} but "x" has ${T}; they must be the same length (use null for steps without a target)`,
        ...this.yRange!,
      );
    }
    for (const c of this.claims.values()) {
      if (!this.xArray || c.length === T) continue;
      const k = c.length;
      this.report(
        `"${c.name}" has ${k} element${k === 1 ? '' : 's'} but "x" has ${T}; they must be the same length (use null for steps without a claim)`,
        c.rangeStart,
        c.rangeEnd,
      );
    }
    const columns: string[] = [];
    if (this.seen.has('x')) columns.push('x');
    if (this.seen.has('y')) columns.push('y');
    return {
      format: 'json',
      model,
      modelSource,
      hasDirective: this.hasDirective,
      ...(this.truncation.truncate !== undefined || this.truncation.horizon !== undefined ? { truncation: { ...this.truncation } } : {}),
      directiveOffset: this.rootStart >= 0 ? this.rootStart + 1 : 0,
      ...steps,
      columns,
      checks: this.checks.finish(this.lines),
      claimColumns: [...this.claims.values()].map((c) => c.finish(T)),
      errors: this.sink.finish(this.n, this.lines),
      ...(this.rootStart >= 0 ? { directiveLayout: this.layout() } : {}),
    };
  }

  /** Where and how a "bptt" property goes into the object so it matches the file's style. */
  private layout(): DirectiveLayout {
    if (this.bpttProp) {
      const end = this.bpttProp[1] < 0 ? this.n : Math.min(this.n, this.bpttProp[1]);
      return { start: this.bpttProp[0], end: Math.max(this.bpttProp[0], end), before: '', after: '' };
    }
    const at = this.rootStart + 1;
    const gap = this.gap;
    if (this.firstKey < 0) return { start: at, end: at, before: '', after: '' };
    if (gap === undefined || this.firstKey - at !== gap.length) return { start: at, end: at, before: '', after: ', ' };
    const nl = Math.max(gap.lastIndexOf('\n'), gap.lastIndexOf('\r'));
    if (nl >= 0) return { start: at, end: at, before: (this.eol || '\n') + gap.substring(nl + 1), after: ',' };
    return gap.length > 0 ? { start: at, end: at, before: gap, after: ',' } : { start: at, end: at, before: '', after: ', ' };
  }
}

/** Parses a whole JSON sequence text. Never throws. */
export function parseJson(text: string, defaults?: CallerDefaults): ParsedSequence {
  const reader = new JsonReader(defaults);
  reader.feed(text, 0);
  return reader.finish();
}
