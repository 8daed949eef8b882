/**
 * A small reverse-mode automatic-differentiation tape, written independently of src/core (nothing
 * from src/core is imported here), used as the reference the BPTT core is checked against.
 *
 * Nodes are indices into flat arrays. Every node records its value and its incoming edges
 * (input node, local partial ∂node/∂input). `backward(root)` sweeps the tape once in reverse
 * creation order and yields ∂root/∂n for every node n that root depends on. Nodes root does not
 * depend on are never visited ("reached" semantics, as PyTorch's autograd only walks the graph of
 * the output), so a quantity that does not feed the loss cannot poison a gradient with 0·∞.
 *
 * Rounding-error magnitudes
 * -------------------------
 * Beside each value the tape carries a first-order bound on its rounding error, in units of the
 * unit roundoff u = 2⁻⁵³ (so the absolute error of a correctly implemented evaluation of the same
 * mathematics is ≲ k·u·mag for a small k):
 *
 *   forward   fe(r) = |r| + Σᵢ |∂r/∂aᵢ|·fe(aᵢ)             (one rounding of r, plus propagated input error)
 *   backward  be(a) = Σ_edges r→a  be(r)·|p| + |ḡ_r|·pe + |ḡ_r·p| (+ |partial sum| per accumulation)
 *
 * where p is the edge's partial and pe its own error magnitude (its rounding plus the effect of
 * the forward error of the values it is computed from). Leaves (parameters, data) are exact: fe = 0.
 * These are the "sum of |terms|" scales of classical error analysis: subtraction a − b gets
 * fe(a) + fe(b) ≥ |a| + |b|, so catastrophic cancellation is visible as mag ≫ |value|.
 *
 * `allow(out, from, mag)` adds an error-only edge: it states that an implementation may compute
 * ∂out/∂from with an extra absolute error of mag·u. It is used for activations whose derivative
 * is conventionally computed from the activation's output (tanh' = 1 − a², σ' = a(1 − a)), a
 * formula that loses all relative accuracy in saturation although the tape's own derivative
 * (sech², or the chain through exp and division) does not.
 */

/** Unit roundoff of IEEE double (half an ulp of 1). */
export const UNIT_ROUNDOFF = 2 ** -53;

export type Node = number;

export interface Partial {
  /** ∂out/∂in */
  p: number;
  /** Rounding-error magnitude of p, in units of u. */
  pe: number;
}

export interface Backward {
  /** ∂root/∂n (0 where root does not depend on n). */
  adj: Float64Array;
  /** Rounding-error magnitude of adj[n], in units of u. */
  err: Float64Array;
  /** 1 where root depends on n. */
  reached: Uint8Array;
}

export class Tape {
  readonly val: number[] = [];
  readonly fe: number[] = [];
  // Edges of node i are eIn/eP/ePE[eStart[i] .. eStart[i+1]); eAllowOnly marks error-only edges.
  private readonly eStart: number[] = [0];
  private readonly eIn: number[] = [];
  private readonly eP: number[] = [];
  private readonly ePE: number[] = [];
  private readonly eAllowOnly: boolean[] = [];

  get size(): number {
    return this.val.length;
  }

  private node(value: number, fe: number, edges: [Node, number, number, boolean?][]): Node {
    for (const [i, p, pe, allowOnly] of edges) {
      this.eIn.push(i);
      this.eP.push(p);
      this.ePE.push(pe);
      this.eAllowOnly.push(allowOnly === true);
    }
    this.val.push(value);
    this.fe.push(fe);
    this.eStart.push(this.eIn.length);
    return this.val.length - 1;
  }

  // ---- leaves ----
  /** An exact input that is not differentiated against (data). */
  constant(x: number): Node {
    return this.node(x, 0, []);
  }
  /** An exact leaf we want ∂/∂ of. */
  param(x: number): Node {
    return this.node(x, 0, []);
  }

  // ---- primitives ----
  add(a: Node, b: Node): Node {
    const r = this.val[a] + this.val[b];
    return this.node(r, Math.abs(r) + this.fe[a] + this.fe[b], [[a, 1, 0], [b, 1, 0]]);
  }
  sub(a: Node, b: Node): Node {
    const r = this.val[a] - this.val[b];
    return this.node(r, Math.abs(r) + this.fe[a] + this.fe[b], [[a, 1, 0], [b, -1, 0]]);
  }
  mul(a: Node, b: Node): Node {
    const va = this.val[a], vb = this.val[b];
    const r = va * vb;
    const fe = Math.abs(r) + Math.abs(vb) * this.fe[a] + Math.abs(va) * this.fe[b];
    return this.node(r, fe, [[a, vb, this.fe[b]], [b, va, this.fe[a]]]);
  }
  div(a: Node, b: Node): Node {
    const va = this.val[a], vb = this.val[b];
    const r = va / vb;
    const ia = 1 / vb; // ∂r/∂a
    const ib = -va / (vb * vb); // ∂r/∂b
    const fe = Math.abs(r) + Math.abs(ia) * this.fe[a] + Math.abs(ib) * this.fe[b];
    const peA = Math.abs(ia) + this.fe[b] / (vb * vb);
    const peB = 2 * Math.abs(ib) + this.fe[a] / (vb * vb) + (2 * Math.abs(va) * this.fe[b]) / Math.abs(vb * vb * vb);
    return this.node(r, fe, [[a, ia, peA], [b, ib, peB]]);
  }
  neg(a: Node): Node {
    return this.node(-this.val[a], this.fe[a], [[a, -1, 0]]);
  }
  /** A copy (an edge with partial 1); keeps distinct nodes for distinct named quantities. */
  copy(a: Node): Node {
    return this.node(this.val[a], this.fe[a], [[a, 1, 0]]);
  }
  exp(a: Node): Node {
    const r = Math.exp(this.val[a]);
    const fe = Math.abs(r) * (1 + this.fe[a]);
    return this.node(r, fe, [[a, r, fe]]);
  }
  log(a: Node): Node {
    const va = this.val[a];
    const r = Math.log(va);
    const p = 1 / va;
    return this.node(r, Math.abs(r) + Math.abs(p) * this.fe[a], [[a, p, Math.abs(p) + this.fe[a] * p * p]]);
  }
  log1p(a: Node): Node {
    const va = this.val[a];
    const r = Math.log1p(va);
    const p = 1 / (1 + va);
    return this.node(r, Math.abs(r) + Math.abs(p) * this.fe[a], [[a, p, 2 * Math.abs(p) + this.fe[a] * p * p]]);
  }
  /** tanh (Math.tanh) with derivative sech²(a) = 1/cosh²(a), accurate also in saturation. */
  tanh(a: Node): Node {
    const va = this.val[a];
    const r = Math.tanh(va);
    const ch = Math.cosh(va);
    const p = 1 / (ch * ch); // cosh overflows to ∞ for |a| > 710: p = 0, the correct limit
    const d2 = 2 * Math.abs(r) * p; // |tanh''|
    return this.node(r, Math.abs(r) + p * this.fe[a], [[a, p, 3 * p + d2 * this.fe[a]]]);
  }
  /** |a|, with d|a|/da = sign(a) and the convention sign(0) = 0. */
  abs(a: Node): Node {
    const va = this.val[a];
    return this.node(Math.abs(va), this.fe[a], [[a, Math.sign(va), 0]]);
  }
  /** `cond ? a : b` — the gradient goes to the chosen branch only (torch.where). */
  where(cond: boolean, a: Node, b: Node): Node {
    const c = cond ? a : b;
    return this.node(this.val[c], this.fe[c], [[c, 1, 0]]);
  }
  /** The constant `value`, recorded as a function of `a` with the given (exact) slope. */
  flat(a: Node, value: number, slope: number): Node {
    return this.node(value, 0, [[a, slope, 0]]);
  }
  /** NaN, with partial NaN: a function evaluated at NaN (IEEE: NaN in, NaN out). */
  poison(a: Node): Node {
    return this.node(NaN, NaN, [[a, NaN, NaN]]);
  }
  /** The value of `a` with no edge back to it: `tensor.detach()`. No gradient flows through. */
  detach(a: Node): Node {
    return this.node(this.val[a], this.fe[a], []);
  }
  /** A copy of `out` that also declares ∂out/∂from may carry an extra absolute error mag·u. */
  allow(out: Node, from: Node, mag: number): Node {
    return this.node(this.val[out], this.fe[out], [[out, 1, 0], [from, 0, mag, true]]);
  }

  // ---- reverse sweeps ----
  /** One reverse sweep from root: ∂root/∂n for every node n. */
  backward(root: Node): Backward {
    return this.sweepRange(root, 0, this.size);
  }

  /** ∂out/∂inp (inp created before out), from a reverse sweep restricted to nodes inp..out. */
  partial(out: Node, inp: Node): Partial {
    const b = this.sweepRange(out, inp, out - inp + 1);
    return { p: b.adj[0], pe: b.err[0] };
  }

  /**
   * Reverse sweep over nodes lowest..root, seeded with ∂root/∂root = 1. Arrays are indexed from
   * `lowest` (entry k is node lowest + k) so a short restricted sweep costs only its range.
   */
  private sweepRange(root: Node, lowest: Node, n: number): Backward {
    const adj = new Float64Array(n);
    const err = new Float64Array(n);
    const reached = new Uint8Array(n);
    adj[root - lowest] = 1;
    reached[root - lowest] = 1;
    for (let i = root; i >= lowest; i--) {
      const k = i - lowest;
      if (reached[k] === 0) continue;
      const g = adj[k], ge = err[k];
      for (let e = this.eStart[i]; e < this.eStart[i + 1]; e++) {
        const j = this.eIn[e] - lowest;
        if (j < 0) continue;
        const p = this.eP[e], pe = this.ePE[e];
        if (this.eAllowOnly[e]) {
          err[j] += Math.abs(g) * pe; // error only: the value of the gradient is untouched
          continue;
        }
        const contrib = g * p;
        // Propagated error of g, error of the partial, and the rounding of g·p (none when p = ±1)
        // and of the accumulation into adj[j] (none for its first contribution).
        let er = ge * Math.abs(p) + Math.abs(g) * pe;
        if (p !== 1 && p !== -1) er += Math.abs(contrib);
        if (reached[j] === 1) {
          adj[j] += contrib;
          er += Math.abs(adj[j]);
        } else {
          adj[j] = contrib;
          reached[j] = 1;
        }
        err[j] += er;
      }
    }
    return { adj, err, reached };
  }
}

// ---------------------------------------------------------------------------------------------
// Activations and losses, as compositions of the primitives, written from their definitions.
// ---------------------------------------------------------------------------------------------

export type ActName = 'tanh' | 'sigmoid' | 'relu' | 'leaky_relu' | 'identity' | 'softsign' | 'softplus';
export type LossKind = 'squared' | 'mse' | 'abs' | 'bce' | 'huber';

export const LEAKY = 0.01;
export const DELTA = 1;

/** σ(z) = 1/(1 + e^−z) for z ≥ 0, e^z/(1 + e^z) for z < 0 (exp only of non-positive numbers). */
export function sigmoidOn(t: Tape, z: Node): Node {
  const zv = t.val[z];
  let out: Node;
  if (zv >= 0) {
    out = t.div(t.constant(1), t.add(t.constant(1), t.exp(t.neg(z))));
  } else {
    const e = t.exp(z);
    out = t.div(e, t.add(t.constant(1), e));
  }
  const a = t.val[out];
  // σ' may be computed as a(1 − a): |terms| = |a|(1 + |a|), plus the error of a itself.
  return t.allow(out, z, Math.abs(a) * (1 + Math.abs(a)) + Math.abs(1 - 2 * a) * t.fe[out]);
}

/** tanh via Math.tanh, allowing tanh' = 1 − a² (|terms| 1 + a², plus the error of a). */
export function tanhOn(t: Tape, z: Node): Node {
  const out = t.tanh(z);
  const a = t.val[out];
  return t.allow(out, z, 1 + a * a + 2 * Math.abs(a) * t.fe[out]);
}

/** softplus(z) = log(1 + e^z) = z + log1p(e^−z) for z > 0, log1p(e^z) otherwise. */
export function softplusOn(t: Tape, z: Node): Node {
  const zv = t.val[z];
  if (zv > 0) return t.add(z, t.log1p(t.exp(t.neg(z))));
  return t.log1p(t.exp(z));
}

/** softsign(z) = z/(1 + |z|); at ±∞ its limit ±1 (slope 0). */
export function softsignOn(t: Tape, z: Node): Node {
  const zv = t.val[z];
  if (zv === Infinity || zv === -Infinity) return t.flat(z, Math.sign(zv), 0);
  return t.div(z, t.add(t.constant(1), t.abs(z)));
}

/** relu(z) = z for z > 0, else 0 (slope 0 at 0, as PyTorch); NaN stays NaN. */
export function reluOn(t: Tape, z: Node): Node {
  const zv = t.val[z];
  if (Number.isNaN(zv)) return t.poison(z);
  return t.where(zv > 0, z, t.flat(z, 0, 0));
}

/** leaky_relu(z) = z for z > 0, else 0.01·z (slope 0.01 at 0, as PyTorch). */
export function leakyReluOn(t: Tape, z: Node): Node {
  const zv = t.val[z];
  if (Number.isNaN(zv)) return t.poison(z);
  return t.where(zv > 0, z, t.mul(t.constant(LEAKY), z));
}

export function activationOn(t: Tape, f: ActName, z: Node): Node {
  switch (f) {
    case 'tanh': return tanhOn(t, z);
    case 'sigmoid': return sigmoidOn(t, z);
    case 'relu': return reluOn(t, z);
    case 'leaky_relu': return leakyReluOn(t, z);
    case 'identity': return t.copy(z);
    case 'softsign': return softsignOn(t, z);
    case 'softplus': return softplusOn(t, z);
  }
}

/** ℓ(ŷ, y) on the tape; y is data (a constant). */
export function lossOn(t: Tape, l: LossKind, yhat: Node, y: number): Node {
  const yc = t.constant(y);
  switch (l) {
    case 'squared': {
      const d = t.sub(yhat, yc);
      return t.mul(t.constant(0.5), t.mul(d, d));
    }
    case 'mse': {
      const d = t.sub(yhat, yc);
      return t.mul(d, d);
    }
    case 'abs':
      return t.abs(t.sub(yhat, yc));
    case 'bce': {
      // −[y·log ŷ + (1 − y)·log(1 − ŷ)], a term with weight exactly 0 left out (0·log 0 is 0).
      const terms: Node[] = [];
      if (y !== 0) terms.push(t.mul(yc, t.log(yhat)));
      if (y !== 1) terms.push(t.mul(t.constant(1 - y), t.log(t.sub(t.constant(1), yhat))));
      let s = terms[0];
      for (let i = 1; i < terms.length; i++) s = t.add(s, terms[i]);
      return t.neg(s);
    }
    case 'huber': {
      // torch.nn.HuberLoss: ½d² for |d| ≤ δ (its `<` and our `≤` agree at |d| = δ, where ℓ is C¹), δ(|d| − ½δ) beyond.
      const d = t.sub(yhat, yc);
      const a = t.abs(d);
      const av = t.val[a];
      if (Number.isNaN(av)) return t.poison(a);
      const quad = t.mul(t.constant(0.5), t.mul(d, d));
      const lin = t.mul(t.constant(DELTA), t.sub(a, t.constant(0.5 * DELTA)));
      return t.where(av <= DELTA, quad, lin);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The scalar RNN on the tape.
// ---------------------------------------------------------------------------------------------

export interface RnnSpec {
  w: number;
  v: number;
  b: number;
  u: number;
  c: number;
  h0: number;
  phi: ActName;
  theta: Exclude<ActName, 'leaky_relu' | 'softsign'>;
  loss: LossKind;
  reduction: 'sum' | 'mean';
}

export const PARAM_KEYS = ['w', 'v', 'b', 'u', 'c', 'h0'] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];

export interface RnnGraph {
  tape: Tape;
  params: Record<ParamKey, Node>;
  /** Per step (0-based index t−1). */
  s: Node[];
  h: Node[];
  z: Node[];
  yhat: Node[];
  ell: (Node | null)[];
  L: Node;
  nTargets: number;
}

/**
 * Builds, for t = 1..T:  s_t = w·h_{t−1} + v·x_t + b,  h_t = φ(s_t),  ŷ_t = θ(u·h_t + c),
 * and L = Σ ℓ(ŷ_t, y_t) over steps with a target (divided by their number for `mean`; L = 0 if none).
 */
export function buildRnn(spec: RnnSpec, x: ArrayLike<number>, y: ArrayLike<number>, hasY: ArrayLike<number>): RnnGraph {
  const t = new Tape();
  const params = {
    w: t.param(spec.w),
    v: t.param(spec.v),
    b: t.param(spec.b),
    u: t.param(spec.u),
    c: t.param(spec.c),
    h0: t.param(spec.h0),
  };
  const T = x.length;
  const s: Node[] = [], h: Node[] = [], z: Node[] = [], yhat: Node[] = [], ell: (Node | null)[] = [];
  let hPrev = params.h0;
  let sum: Node | null = null;
  let nTargets = 0;
  for (let i = 0; i < T; i++) {
    const st = t.add(t.add(t.mul(params.w, hPrev), t.mul(params.v, t.constant(x[i]))), params.b);
    const ht = activationOn(t, spec.phi, st);
    const zt = t.add(t.mul(params.u, ht), params.c);
    const yt = activationOn(t, spec.theta, zt);
    let lt: Node | null = null;
    if (hasY[i] !== 0) {
      lt = lossOn(t, spec.loss, yt, y[i]);
      sum = sum === null ? lt : t.add(sum, lt);
      nTargets++;
    }
    s.push(st);
    h.push(ht);
    z.push(zt);
    yhat.push(yt);
    ell.push(lt);
    hPrev = ht;
  }
  let L: Node;
  if (sum === null) L = t.constant(0);
  else if (spec.reduction === 'mean') L = t.div(sum, t.constant(nTargets));
  else L = t.copy(sum);
  return { tape: t, params, s, h, z, yhat, ell, L, nTargets };
}

/** A reference value with its rounding-error magnitude (units of u). */
export interface Ref {
  v: number;
  mag: number;
}

export interface RefStep {
  s: Ref;
  h: Ref;
  hPrev: Ref;
  yhat: Ref;
  /** null where the step has no target. */
  loss: Ref | null;
  dL_dyhat: Ref;
  /** ∂ŷ_t/∂z_t on the tape. */
  thetaPrime: Ref;
  /** ∂h_t/∂s_t on the tape. */
  phiPrime: Ref;
  /** Total ∂L/∂h_t: through ŷ_t and through s_{t+1}. */
  dL_dh: Ref;
  /** ∂L/∂ŷ_t · ∂ŷ_t/∂h_t */
  dL_dh_local: Ref;
  /** ∂L/∂s_{t+1} · ∂s_{t+1}/∂h_t (0 at t = T) */
  dL_dh_recurrent: Ref;
  dL_ds: Ref;
}

export interface Reference {
  graph: RnnGraph;
  loss: Ref;
  grads: Record<ParamKey, Ref>;
  steps: RefStep[];
}

/** Forward values only (no sweep): for finite differences and kink detection. */
export function forwardRnn(spec: RnnSpec, x: ArrayLike<number>, y: ArrayLike<number>, hasY: ArrayLike<number>) {
  const g = buildRnn(spec, x, y, hasY);
  const val = g.tape.val;
  return {
    loss: val[g.L],
    lossMag: g.tape.fe[g.L],
    s: g.s.map((n) => val[n]),
    h: g.h.map((n) => val[n]),
    z: g.z.map((n) => val[n]),
    yhat: g.yhat.map((n) => val[n]),
  };
}

/** The reference: forward, one backward sweep from L, and the per-step split of ∂L/∂h_t. */
export function rnnReference(spec: RnnSpec, x: ArrayLike<number>, y: ArrayLike<number>, hasY: ArrayLike<number>): Reference {
  const g = buildRnn(spec, x, y, hasY);
  const tp = g.tape;
  const bw = tp.backward(g.L);
  const fwd = (n: Node): Ref => ({ v: tp.val[n], mag: tp.fe[n] });
  const adj = (n: Node): Ref => ({ v: bw.adj[n], mag: bw.err[n] });
  const grads = {} as Record<ParamKey, Ref>;
  for (const k of PARAM_KEYS) grads[k] = adj(g.params[k]);

  const T = g.s.length;
  const steps: RefStep[] = [];
  for (let i = 0; i < T; i++) {
    const dYhat = adj(g.yhat[i]);
    const dyh = tp.partial(g.yhat[i], g.h[i]); // θ'(z_t)·u, through the tape
    const localV = dYhat.v * dyh.p;
    const local: Ref = { v: localV, mag: dYhat.mag * Math.abs(dyh.p) + Math.abs(dYhat.v) * dyh.pe + Math.abs(localV) };
    let recurrent: Ref = { v: 0, mag: 0 };
    if (i + 1 < T) {
      const dS = adj(g.s[i + 1]);
      const dsh = tp.partial(g.s[i + 1], g.h[i]); // w, through the tape
      const rv = dS.v * dsh.p;
      recurrent = { v: rv, mag: dS.mag * Math.abs(dsh.p) + Math.abs(dS.v) * dsh.pe + Math.abs(rv) };
    }
    const tp_ = tp.partial(g.yhat[i], g.z[i]);
    const pp = tp.partial(g.h[i], g.s[i]);
    const lt = g.ell[i];
    steps.push({
      s: fwd(g.s[i]),
      h: fwd(g.h[i]),
      hPrev: fwd(i > 0 ? g.h[i - 1] : g.params.h0),
      yhat: fwd(g.yhat[i]),
      loss: lt === null ? null : fwd(lt),
      dL_dyhat: dYhat,
      thetaPrime: { v: tp_.p, mag: tp_.pe },
      phiPrime: { v: pp.p, mag: pp.pe },
      dL_dh: adj(g.h[i]),
      dL_dh_local: local,
      dL_dh_recurrent: recurrent,
      dL_ds: adj(g.s[i]),
    });
  }
  return { graph: g, loss: fwd(g.L), grads, steps };
}
