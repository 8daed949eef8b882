/**
 * Tensor names to our parameters W V b U c h0, with no renaming by the user:
 * - ours: W V b U c h0;
 * - PyTorch nn.RNN + nn.Linear state dicts, under any module prefix ("rnn.", "model.rnn."):
 *   weight_hh_l0 → W, weight_ih_l0 → V, bias_ih_l0 + bias_hh_l0 → b (either may be absent),
 *   a head <prefix>.weight / <prefix>.bias → U / c;
 * - NumPy assignments (cs231n): Wh → W, Wx → V, b, h0, and a head Wy/by, W_out/b_out or W_vocab/b_vocab → U/c.
 * For gradient files the same names carry a "d", "dL_d" or "grad_" prefix (dW, dWh, dL_dW) or a
 * ".grad"/"_grad" suffix (rnn.weight_hh_l0.grad), or PyTorch's parameter names unchanged; PyTorch's
 * two bias gradients are each ∂L/∂b.
 */
import type { VectorParamName } from '../../core/vector/model';
import type { TensorEntry, WeightsProblem } from './types';
import { shapeText } from './tensor';

/** Our names, then the NumPy aliases, for each parameter. */
export const PARAM_ALIASES: Record<VectorParamName, readonly string[]> = {
  W: ['W', 'Wh'],
  V: ['V', 'Wx'],
  b: ['b'],
  U: ['U', 'Wy', 'W_out', 'W_vocab'],
  c: ['c', 'by', 'b_out', 'b_vocab'],
  h0: ['h0'],
};

/** How each parameter is spelled in messages: ours, PyTorch's, NumPy's. */
export const PARAM_SPELLINGS: Record<VectorParamName, string> = {
  W: "'W', PyTorch's 'weight_hh_l0' or NumPy's 'Wh'",
  V: "'V', PyTorch's 'weight_ih_l0' or NumPy's 'Wx'",
  b: "'b', PyTorch's 'bias_ih_l0' + 'bias_hh_l0'",
  U: "'U', a PyTorch head's '<name>.weight', or NumPy's 'Wy', 'W_out' or 'W_vocab'",
  c: "'c', a PyTorch head's '<name>.bias', or NumPy's 'by', 'b_out' or 'b_vocab'",
  h0: "'h0'",
};

const GRAD_PREFIXES = ['dL_d', 'grad_', 'd'];
const GRAD_SUFFIXES = ['.grad', '_grad'];
/** PyTorch's recurrent parameters: weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0 (LSTM projections). */
const TORCH_RNN = /^(.*?)(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$/;
const HEAD = /^(.+)\.(weight|bias)$/;

export interface MapOptions {
  /** Names are of gradients (dW, rnn.weight_hh_l0.grad): strip the prefix/suffix; take one bias gradient for b. */
  gradients?: boolean;
}

export interface ParamMap {
  /** Each parameter found, as stored (matrices not yet transposed for layout=row). */
  params: Partial<Record<VectorParamName, TensorEntry>>;
  /** Tensors that name no parameter (per-step gradients dL_dh, an embedding, …): the caller decides. */
  other: TensorEntry[];
  problems: WeightsProblem[];
}

/** A gradient name without its "d"/"grad_" prefix or ".grad" suffix, or null if it has neither. */
function stripGradient(name: string): string | null {
  for (const s of GRAD_SUFFIXES) if (name.endsWith(s)) return name.slice(0, -s.length);
  const dot = name.lastIndexOf('.') + 1;
  const last = name.slice(dot);
  for (const p of GRAD_PREFIXES) if (last.startsWith(p) && last.length > p.length) return name.slice(0, dot) + last.slice(p.length);
  return null;
}

function aliasOf(name: string): VectorParamName | null {
  for (const p of Object.keys(PARAM_ALIASES) as VectorParamName[]) if (PARAM_ALIASES[p].includes(name)) return p;
  return null;
}

/** The parameters named by `tensors`, and the problems that the names alone show (several layers, an LSTM, two heads, …). */
export function mapParamNames(tensors: readonly TensorEntry[], options: MapOptions = {}): ParamMap {
  const problems: WeightsProblem[] = [];
  const found: Partial<Record<VectorParamName, TensorEntry[]>> = {};
  const add = (p: VectorParamName, t: TensorEntry): void => {
    (found[p] ??= []).push(t);
  };
  const torch: Record<string, TensorEntry> = {};
  const heads: Record<string, { weight?: TensorEntry; bias?: TensorEntry }> = {};
  const other: TensorEntry[] = [];
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) problems.push({ message: `two tensors are named "${t.name}"; expected each name once`, tensor: t.name });
    seen.add(t.name);
    // a gradient keeps its parameter's PyTorch name when saved as {name: p.grad for name, p in named_parameters()}
    const name = options.gradients ? (stripGradient(t.name) ?? (TORCH_RNN.test(t.name) || HEAD.test(t.name) ? t.name : null)) : t.name;
    if (name === null) {
      other.push(t);
      continue;
    }
    const rnn = TORCH_RNN.exec(name);
    if (rnn) {
      const [, prefix, kind, which, layer, reverse] = rnn;
      if (reverse) problems.push({ message: `"${t.name}" is from a bidirectional RNN; BPTT Lens expects one direction (bidirectional=False)`, tensor: t.name });
      else if (layer !== '0') problems.push({ message: `"${t.name}" is layer ${layer} of a multi-layer RNN; BPTT Lens expects one layer (num_layers=1): only "${prefix}${kind}_${which}_l0"`, tensor: t.name });
      else if (which === 'hr') problems.push({ message: `"${t.name}" is an LSTM's projection; BPTT Lens reads a plain nn.RNN (tanh or relu)`, tensor: t.name });
      else if (torch[`${prefix}|${kind}_${which}`]) problems.push({ message: `"${t.name}" and "${torch[`${prefix}|${kind}_${which}`].name}" both name the RNN's ${kind}_${which}; expected one`, tensor: t.name });
      else torch[`${prefix}|${kind}_${which}`] = t;
      continue;
    }
    const last = name.slice(name.lastIndexOf('.') + 1);
    const alias = aliasOf(name) ?? aliasOf(last);
    if (alias) {
      add(alias, t);
      continue;
    }
    const head = HEAD.exec(name);
    if (head) (heads[head[1]] ??= {})[head[2] as 'weight' | 'bias'] = t;
    else other.push(t);
  }

  // PyTorch's RNN: one module prefix, its bias the sum of the two (or, for gradients, either one)
  const prefixes = [...new Set(Object.keys(torch).map((k) => k.slice(0, k.indexOf('|'))))];
  if (prefixes.length > 1) problems.push({ message: `RNN parameters under ${prefixes.length} prefixes (${prefixes.map((p) => `"${p}"`).join(', ')}); expected one nn.RNN` });
  const prefix = prefixes[0] ?? '';
  const whh = torch[`${prefix}|weight_hh`];
  const wih = torch[`${prefix}|weight_ih`];
  const bih = torch[`${prefix}|bias_ih`];
  const bhh = torch[`${prefix}|bias_hh`];
  if (whh && whh.shape.length === 2) {
    const [rows, cols] = whh.shape;
    const cell = rows === 4 * cols && cols > 0 ? 'an LSTM' : rows === 3 * cols && cols > 0 ? 'a GRU' : null;
    if (cell) problems.push({ message: `"${whh.name}" has shape ${shapeText(whh.shape)}: ${rows / cols}n × n is ${cell}'s; BPTT Lens expects nn.RNN's n × n`, tensor: whh.name });
  }
  if (whh) add('W', whh);
  if (wih) add('V', wih);
  if (bih && bhh && !options.gradients) {
    if (bih.data.length !== bhh.data.length) {
      problems.push({ message: `"${bih.name}" has shape ${shapeText(bih.shape)} and "${bhh.name}" ${shapeText(bhh.shape)}; expected the same (n,)`, tensor: bhh.name });
    } else {
      const sum = new Float64Array(bih.data.length);
      for (let i = 0; i < sum.length; i++) sum[i] = bih.data[i] + bhh.data[i];
      add('b', { name: `${bih.name} + ${bhh.name}`, shape: bih.shape, dtype: bih.dtype, data: sum });
    }
  } else if (bih ?? bhh) add('b', (bih ?? bhh) as TensorEntry);

  // the head: one <prefix>.weight (and its .bias); with several, the ones whose columns match W
  let headNames = Object.keys(heads).filter((h) => heads[h].weight);
  const n = whh?.shape.length === 2 ? whh.shape[1] : -1;
  if (headNames.length > 1) headNames = headNames.filter((h) => heads[h].weight?.shape.length === 2 && heads[h].weight?.shape[1] === n);
  if (headNames.length > 1) {
    problems.push({ message: `several heads fit (${headNames.map((h) => `"${h}.weight"`).join(', ')}); expected one nn.Linear(n, k) after the RNN` });
  }
  for (const h of Object.keys(heads)) {
    const { weight, bias } = heads[h];
    if (headNames.length === 1 && h === headNames[0]) {
      add('U', weight as TensorEntry);
      if (bias) add('c', bias);
    } else {
      if (weight) other.push(weight);
      if (bias) other.push(bias);
    }
  }

  const params: Partial<Record<VectorParamName, TensorEntry>> = {};
  for (const p of Object.keys(found) as VectorParamName[]) {
    const list = found[p] as TensorEntry[];
    if (list.length > 1) problems.push({ message: `${list.map((t) => `"${t.name}"`).join(' and ')} all name ${p}; expected one`, tensor: list[1].name });
    params[p] = list[0];
  }
  return { params, other, problems };
}
