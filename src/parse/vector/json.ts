/**
 * JSON vector-model files, streamed token by token like the scalar ones (jsonSyntax.ts):
 *   {"bptt": {"phi", "theta", "loss", "reduction", "layout", "h0"}, "weights": {…} | "path",
 *    "x": [[…m]…T], "y": [[…k]…T] | [class…]}
 * null in "y" is a step without a target; "weights" may also sit in "bptt". Inline weights are
 * read as a JSON weights file is (src/parse/weights), their problems placed in this file.
 */
import type { CallerDefaults } from '../types';
import { quote } from '../errors';
import { LineIndex } from '../lines';
import { NUM, scanNumber } from '../numbers';
import { nulMessage } from '../encoding';
import { Column } from '../steps';
import { plural } from '../csvCells';
import { readJsonWeights } from '../weights/jsonWeights';
import { type Frame, JsonTokenReader, T_NULL, T_NUMBER, T_STRING } from '../jsonSyntax';
import { VectorSteps, finishVector, sourceLoc } from './build';
import { isVectorChoiceKey, resolveVectorSettings, vectorChoiceProblem, vectorKeyProblem } from './settings';
import type { GradsSource, ParsedVectorSequence, VectorSettings, WeightsSource } from './types';

const TOP_KEYS = ['bptt', 'weights', 'x', 'y'];

// what an open array/object holds
const SKIP = 0;
const ROOT = 1;
const BPTT = 2;
const X = 3;
const XROW = 4;
const Y = 5;
const YROW = 6;
const WEIGHTS = 7;
const H0 = 8;

function describe(token: number, value: string): string {
  if (token === T_STRING) return `the string ${quote(value)}`;
  if (token === T_NULL) return 'null';
  if (token === T_NUMBER) return 'a number';
  return token === 8 ? 'true' : 'false';
}

class VectorJsonReader extends JsonTokenReader {
  readonly lines = new LineIndex();
  private readonly steps = new VectorSteps();
  private readonly file: Partial<VectorSettings> = {};
  private readonly seen = new Set<string>();
  private readonly seenBptt = new Set<string>();
  private readonly bad: (string | undefined)[] = [];
  private hasDirective = false;
  private weights: WeightsSource | undefined;
  private grads: GradsSource | undefined;
  private text = '';
  private h0 = new Column(Float64Array);
  private h0Range: [number, number] | undefined;
  private xRange: [number, number] | undefined;
  private yRange: [number, number] | undefined;
  /** xWidth/yWidth: numbers in the first x/y row (-1 before it); flat: the first element was a number, not an array. */
  private xWidth = -1;
  private xFlat = false;
  private yWidth = -1;
  private yFlat = false;
  private readonly yVals = new Column(Float64Array);
  /** Per y element: where its numbers start in yVals (-1: null, no target), its offset, and its count. */
  private readonly yOff = new Column(Int32Array);
  private readonly yStart = new Column(Int32Array);
  private rootStart = -1;
  private n = 0;

  read(text: string): void {
    this.text = text;
    this.n = text.length;
    this.lines.append(text, 0);
    const z = text.indexOf('\0');
    if (z >= 0) return this.onSyntaxError(nulMessage(text, 0, z, this.lines), z, z + 1);
    this.readBlock(text.charCodeAt(0) === 0xfeff ? ' ' + text.substring(1) : text, 0);
    this.readEnd(this.n);
  }

  protected onKey(f: Frame): void {
    const key = f.key;
    if (f.role === ROOT) {
      if (!TOP_KEYS.includes(key)) this.report(`unknown top-level key ${quote(key)}; a vector-model file has: ${TOP_KEYS.join(', ')}`, f.keyStart, f.keyEnd);
      else if (this.seen.has(key)) this.report(`duplicate key ${quote(key)}`, f.keyStart, f.keyEnd);
      else {
        this.seen.add(key);
        if (key === 'bptt') this.hasDirective = true;
        return;
      }
    } else if (f.role === BPTT) {
      const problem = vectorKeyProblem(key);
      if (problem) this.report(problem, f.keyStart, f.keyEnd);
      else if (this.seenBptt.has(key) || (key === 'weights' && this.seen.has('weights'))) this.report(`duplicate key ${quote(key)}`, f.keyStart, f.keyEnd);
      else {
        this.seenBptt.add(key);
        return;
      }
    } else return;
    f.key = '';
  }

  private weightsKey(f: Frame): boolean {
    return (f.role === ROOT || f.role === BPTT) && f.key === 'weights';
  }

  /** What a value under parent must be (for a message ending in what it was), or undefined when anything goes. */
  private need(parent: Frame | undefined): string | undefined {
    if (!parent) return 'expected a JSON object such as {"weights": "model.safetensors", "x": [[0.5, 1]], "y": [[0]]}';
    const t = parent.count;
    switch (parent.role) {
      case ROOT:
      case BPTT:
        if (parent.key === '') return undefined;
        if (parent.key === 'bptt') return '"bptt" must be an object such as {"phi": "tanh"}, got ';
        if (parent.key === 'weights') return '"weights" must be a file name (a string) or an object of arrays such as {"W": [[0.5]]}, got ';
        if (parent.key === 'x') return '"x" must be an array of steps, each an array of numbers, got ';
        if (parent.key === 'y') return '"y" must be an array of targets (arrays of numbers, class indices, or null), got ';
        if (parent.key === 'h0') return 'h0 must be a number or an array of numbers, got ';
        if (parent.key === 'grads') return '"grads" must be the name of your gradients file (a string), got ';
        return `${parent.key} must be a string naming one of the choices, got `;
      case X:
        return `x[${t}] must be an array of numbers, got `;
      case XROW:
        return `x[${this.steps.rowStart.length - 1}][${t}] must be a number, got `;
      case Y:
        return `y[${t}] must be an array of numbers, a class index or null, got `;
      case YROW:
        return `y[${this.yOff.length - 1}][${t}] must be a number, got `;
      case WEIGHTS:
        return undefined; // read whole when it closes (closeWeights)
      case H0:
        return `h0[${t}] must be a number, got `;
    }
    return undefined;
  }

  protected override numeric(role: number): boolean {
    return role === XROW || role === YROW || role === H0 || role === X;
  }

  protected onOpen(parent: Frame | undefined, array: boolean, start: number): number {
    let role = SKIP;
    const pr = parent ? parent.role : -1;
    if (!parent) {
      if (!array) {
        this.rootStart = start;
        role = ROOT;
      }
    } else if ((pr === ROOT || pr === BPTT) && this.weightsKey(parent)) {
      if (!array) {
        role = WEIGHTS;
        this.weights = { kind: 'inline', tensors: [], start, end: -1 };
      }
    } else if (pr === ROOT) {
      const k = parent.key;
      if (k === 'bptt' && !array) role = BPTT;
      else if (k === 'x' && array) role = X;
      else if (k === 'y' && array) role = Y;
    } else if (pr === BPTT && parent.key === 'h0' && array) {
      role = H0;
      this.file.h0 = undefined;
      this.h0Range = [start, -1];
    } else if (pr === X && array) {
      if (parent.count > 0 && this.xFlat) this.report(`x[${parent.count}] is an array, but x[0] is a number; write every step as an array of numbers`, start, start + 1);
      role = XROW;
      this.startStep(start);
    } else if (pr === Y && array) {
      if (this.yFlat) this.report(`y[${parent.count}] is an array, but the first targets are numbers; write every target the same way`, start, start + 1);
      role = YROW;
      this.yOff.push(this.yVals.length);
      this.yStart.push(start);
    }
    if (pr === X && role === SKIP) this.startStep(start);
    if (pr === Y && role === SKIP) {
      this.yOff.push(-1);
      this.yStart.push(start);
    }
    const need = role === SKIP ? this.need(parent) : undefined;
    this.bad[this.stack.length] = need === undefined ? undefined : need + (parent ? (array ? 'an array' : 'an object') : '');
    return role;
  }

  private startStep(start: number): void {
    this.steps.rowStart.push(start);
    this.steps.rowEnd.push(start + 1);
  }

  protected onClose(f: Frame, end: number, parent: Frame | undefined): void {
    const bad = this.bad[this.stack.length];
    if (bad !== undefined) this.report(bad, f.start, end);
    const t = parent ? parent.count : 0;
    if (f.role === XROW) {
      this.steps.rowEnd.a[this.steps.rowEnd.length - 1] = end;
      if (this.xWidth < 0) this.xWidth = f.count;
      else if (f.count !== this.xWidth) this.report(`x[${t}] has ${plural(f.count, 'number')} but x[0] has ${this.xWidth}; every step needs the same number of inputs`, f.start, end);
      this.padRow(this.steps.x, f.count, this.xWidth);
    } else if (f.role === YROW) {
      if (this.yWidth < 0) this.yWidth = f.count;
      else if (f.count !== this.yWidth) this.report(`y[${t}] has ${plural(f.count, 'number')} but the first target has ${this.yWidth}; every target needs the same number of values`, f.start, end);
    } else if (f.role === X) this.xRange = [f.start, end];
    else if (f.role === Y) this.yRange = [f.start, end];
    else if (f.role === H0) this.h0Range = [f.start, end];
    else if (f.role === WEIGHTS) this.closeWeights(f.start, end);
    if (parent && parent.role === X && f.role !== XROW) this.steps.rowEnd.a[this.steps.rowEnd.length - 1] = end;
  }

  /** A ragged row still takes exactly width slots, so the steps after it stay in place. */
  private padRow(x: Column<Float64Array>, count: number, width: number): void {
    if (count < width) for (let i = count; i < width; i++) x.push(NaN);
    else if (count > width) x.length -= count - width;
  }

  /** The inline weights object text[start, end), read as a JSON weights file is; its problems at their place here. */
  private closeWeights(start: number, end: number): void {
    if (this.weights?.kind !== 'inline' || this.syntaxError) return;
    this.weights.end = end;
    const r = readJsonWeights(this.text.substring(start, end));
    if (r.ok) this.weights.tensors = r.tensors;
    else for (const p of r.problems) this.report(`weights: ${p.message}`, start + (p.offset ?? 0), start + (p.offset ?? 0) + 1);
  }

  protected override onPlainNumber(f: Frame, v: number, _text: string, _local: number, len: number, start: number): void {
    this.number(f, v, start, start + len);
  }

  /** A number in an array of numbers. */
  private number(f: Frame, v: number, start: number, end: number): void {
    switch (f.role) {
      case XROW:
        return this.steps.x.push(v);
      case X:
        if (f.count === 0) {
          this.xFlat = true;
          this.xWidth = 1;
        } else if (!this.xFlat) this.report(`x[${f.count}] is a number, but x[0] is an array; write every step as an array of numbers`, start, end);
        this.startStep(start);
        this.steps.rowEnd.a[this.steps.rowEnd.length - 1] = end;
        return this.steps.x.push(v);
      case YROW:
        return this.yVals.push(v);
      case H0:
        return this.h0.push(v);
    }
  }

  protected onScalar(parent: Frame | undefined, tok: number, text: string, local: number, len: number, start: number, value: string): void {
    const end = start + len;
    let v = NaN;
    if (tok === T_NUMBER && scanNumber(text, local, local + len)) v = NUM[0];
    const role = parent ? parent.role : -1;
    if (tok === T_NUMBER && (role === XROW || role === X || role === YROW || role === H0)) return this.number(parent!, v, start, end);
    if (role === Y) {
      this.yStart.push(start);
      if (tok !== T_NUMBER) {
        if (tok !== T_NULL) this.report(this.need(parent)! + describe(tok, value), start, end);
        return this.yOff.push(-1);
      }
      if (this.yWidth < 0) {
        this.yFlat = true;
        this.yWidth = 1;
      } else if (!this.yFlat) this.report(`y[${parent!.count}] is a number, but the first targets are arrays; write every target the same way`, start, end);
      this.yOff.push(this.yVals.length);
      return this.yVals.push(v);
    }
    if ((role === ROOT || role === BPTT) && parent!.key === 'weights' && tok === T_STRING) {
      this.weights = { kind: 'file', path: value, start: start + 1, end: end - 1 };
      return;
    }
    if (role === BPTT && parent!.key === 'grads' && tok === T_STRING) {
      this.grads = { path: value, start: start + 1, end: end - 1 };
      return;
    }
    if (role === BPTT && parent!.key === 'h0' && tok === T_NUMBER) {
      this.file.h0 = Float64Array.of(v);
      this.h0Range = [start, end];
      return;
    }
    if (role === BPTT && isVectorChoiceKey(parent!.key) && tok === T_STRING) {
      const bad = vectorChoiceProblem(parent!.key, value);
      if (bad) this.report(bad, start, end);
      else (this.file as Record<string, string>)[parent!.key] = value;
      return;
    }
    if (role === X) this.startStep(start);
    if (role === X || role === XROW) this.steps.x.push(NaN);
    const need = this.need(parent);
    if (need !== undefined) this.report(need + (parent ? describe(tok, value) : ''), start, end);
  }

  finish(defaults?: CallerDefaults): ParsedVectorSequence {
    const steps = this.steps;
    const T = steps.rowStart.length;
    const lines = this.lines;
    for (let i = 0; i < T; i++) steps.line.push(lines.lineAt(steps.rowStart.a[i]));
    const xWidth = Math.max(1, this.xWidth);
    const yWidth = Math.max(1, this.yWidth);
    if (this.rootStart >= 0 && !this.seen.has('x')) this.report('missing "x": expected an array of steps, e.g. "x": [[0.5, 1], [0, 2]]', this.rootStart, this.rootStart + 1);
    if (this.xRange && T === 0) this.report('empty sequence: "x" has no elements', ...this.xRange);
    if (this.yRange && this.xRange && this.yOff.length !== T) {
      const k = this.yOff.length;
      this.report(`"y" has ${k} element${k === 1 ? '' : 's'} but "x" has ${T}; they must be the same length (use null for steps without a target)`, ...this.yRange);
    }
    if (this.h0Range && this.h0Range[1] > 0 && this.file.h0 === undefined) this.file.h0 = this.h0.fit(this.h0.length, 0);
    // y as T rows of yWidth values, NaN and hasY = 0 where a step has no target
    for (let i = 0; i < T; i++) {
      const off = i < this.yOff.length ? this.yOff.a[i] : -1;
      steps.hasY.push(off >= 0 ? 1 : 0);
      for (let q = 0; q < yWidth; q++) steps.y.push(off >= 0 && off + q < this.yVals.length ? this.yVals.a[off + q] : NaN);
      const at = off >= 0 ? this.yStart.a[i] : -1;
      const ln = at >= 0 ? lines.lineAt(at) : -1;
      steps.yLine.push(ln);
      steps.yCol.push(at >= 0 ? at - lines.starts[ln] : -1);
    }
    const settings = resolveVectorSettings(this.file, defaults);
    if (settings.loss === 'cross_entropy') this.classIndices(T, yWidth);
    const columns = TOP_KEYS.filter((k) => this.seen.has(k));
    const w = this.weights;
    return finishVector(steps, {
      format: 'json', settings, weights: w ? { ...w, at: sourceLoc(lines, w.start, w.end < 0 ? this.n : w.end) } : null,
      xWidth, yWidth, columns, hasDirective: this.hasDirective, errors: this.sink.finish(this.n, lines),
      ...(this.xRange ? { xAt: sourceLoc(lines, ...this.xRange) } : {}),
      ...(this.yRange ? { yAt: sourceLoc(lines, ...this.yRange) } : {}),
      ...(this.grads ? { grads: { ...this.grads, at: sourceLoc(lines, this.grads.start, this.grads.end) } } : {}),
      ...(this.h0Range ? { h0At: sourceLoc(lines, this.h0Range[0], Math.max(this.h0Range[0], this.h0Range[1])) } : {}),
    });
  }

  /** cross_entropy reads one class index a step. */
  private classIndices(T: number, yWidth: number): void {
    if (yWidth !== 1 && this.yRange) return this.report('loss=cross_entropy takes one class index a step: write "y": [2, 0, null, …]', ...this.yRange);
    for (let i = 0; i < Math.min(T, this.yOff.length); i++) {
      const off = this.yOff.a[i];
      const v = off >= 0 ? this.yVals.a[off] : 0;
      if (!(Number.isInteger(v) && v >= 0)) this.report(`y[${i}] = ${v} is not a class index (0, 1, 2, …)`, this.yStart.a[i], this.yStart.a[i] + 1);
    }
  }
}

/** Parses a vector-model JSON text. Never throws (the caller guards it). */
export function parseVectorJson(text: string, defaults?: CallerDefaults): ParsedVectorSequence {
  const reader = new VectorJsonReader();
  reader.read(text);
  return reader.finish(defaults);
}
