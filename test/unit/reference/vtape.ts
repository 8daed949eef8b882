/**
 * The vector RNN on the reverse-mode tape (tape.ts): every component is a scalar tape node, so
 * ∂L/∂(anything) comes from the same generic reverse sweep that checks the scalar model. Nothing
 * from src/core is imported here.
 *
 * For t = 1..T, with h ∈ ℝⁿ, x ∈ ℝᵐ, ŷ ∈ ℝᵏ:
 *   s_t,r = Σ_j W_rj·h_{t−1},j + Σ_j V_rj·x_t,j + b_r      h_t,r = φ(s_t,r)
 *   z_t,q = Σ_j U_qj·h_t,j + c_q                           ŷ_t,q = θ(z_t,q)
 *   ℓ_t = Σ_q ℓ(ŷ_t,q, y_t,q)   or, for cross_entropy,   ℓ_t = log Σ_q e^{ŷ_t,q} − ŷ_t,y
 *   L = Σ ℓ_t over the steps with a target, divided by (N·k) for `mean` (N for cross_entropy).
 */
import { Tape, activationOn, lossOn, type ActName, type LossKind, type Node, type Ref } from './tape';

export type VLossKind = LossKind | 'cross_entropy';

export interface VSpec {
  n: number;
  m: number;
  k: number;
  /** Row-major: W n×n, V n×m, U k×n. */
  W: ArrayLike<number>;
  V: ArrayLike<number>;
  b: ArrayLike<number>;
  U: ArrayLike<number>;
  c: ArrayLike<number>;
  h0: ArrayLike<number>;
  phi: ActName;
  theta: Exclude<ActName, 'leaky_relu' | 'softsign'>;
  loss: VLossKind;
  reduction: 'sum' | 'mean';
}

export const VPARAM_KEYS = ['W', 'V', 'b', 'U', 'c', 'h0'] as const;
export type VParamKey = (typeof VPARAM_KEYS)[number];

export interface VData {
  T: number;
  /** T×m */
  x: ArrayLike<number>;
  /** T×k, or T×1 class indices for cross_entropy */
  y: ArrayLike<number>;
  hasY: ArrayLike<number>;
}

export interface VGraph {
  tape: Tape;
  params: Record<VParamKey, Node[]>;
  /** Per step (0-based), one node per component. */
  s: Node[][];
  h: Node[][];
  z: Node[][];
  yhat: Node[][];
  ell: (Node | null)[];
  L: Node;
  nTargets: number;
}

/** ℓ = log Σ_q e^{z_q} − z_y, with the max taken out (detached: it cancels in the derivative). */
function crossEntropyOn(t: Tape, z: Node[], cls: number): Node {
  const k = z.length;
  if (!(Number.isInteger(cls) && cls >= 0 && cls < k)) {
    // Not a class: the loss is not a number, and neither is its gradient with respect to any logit.
    let bad = t.poison(z[0]);
    for (let q = 1; q < k; q++) bad = t.add(bad, t.poison(z[q]));
    return bad;
  }
  let zMax = t.val[z[0]];
  for (let q = 1; q < k; q++) zMax = Math.max(zMax, t.val[z[q]]);
  const mx = t.constant(zMax);
  let sumExp = t.exp(t.sub(z[0], mx));
  for (let q = 1; q < k; q++) sumExp = t.add(sumExp, t.exp(t.sub(z[q], mx)));
  return t.sub(t.add(mx, t.log(sumExp)), z[cls]);
}

/** Σ_j a[j]·b[j] as tape nodes, added left to right. */
function dot(t: Tape, a: Node[], b: Node[]): Node {
  let acc = t.mul(a[0], b[0]);
  for (let j = 1; j < a.length; j++) acc = t.add(acc, t.mul(a[j], b[j]));
  return acc;
}

export function buildVectorRnn(spec: VSpec, data: VData): VGraph {
  const { n, m, k } = spec;
  const t = new Tape();
  const leaves = (a: ArrayLike<number>): Node[] => Array.from(a, (v) => t.param(v));
  const params = { W: leaves(spec.W), V: leaves(spec.V), b: leaves(spec.b), U: leaves(spec.U), c: leaves(spec.c), h0: leaves(spec.h0) };
  const rowW = (r: number) => params.W.slice(r * n, (r + 1) * n);
  const rowV = (r: number) => params.V.slice(r * m, (r + 1) * m);
  const rowU = (q: number) => params.U.slice(q * n, (q + 1) * n);
  const yw = spec.loss === 'cross_entropy' ? 1 : k;
  const s: Node[][] = [], h: Node[][] = [], z: Node[][] = [], yhat: Node[][] = [], ell: (Node | null)[] = [];
  let hPrev = params.h0;
  let sum: Node | null = null;
  let nTargets = 0;
  for (let i = 0; i < data.T; i++) {
    const xt = Array.from({ length: m }, (_, j) => t.constant(data.x[i * m + j]));
    const st: Node[] = [], ht: Node[] = [], zt: Node[] = [], yt: Node[] = [];
    for (let r = 0; r < n; r++) {
      st.push(t.add(t.add(dot(t, rowW(r), hPrev), dot(t, rowV(r), xt)), params.b[r]));
      ht.push(activationOn(t, spec.phi, st[r]));
    }
    for (let q = 0; q < k; q++) {
      zt.push(t.add(dot(t, rowU(q), ht), params.c[q]));
      yt.push(activationOn(t, spec.theta, zt[q]));
    }
    let lt: Node | null = null;
    if (data.hasY[i] !== 0) {
      if (spec.loss === 'cross_entropy') {
        lt = crossEntropyOn(t, yt, data.y[i * yw]);
      } else {
        lt = lossOn(t, spec.loss, yt[0], data.y[i * yw]);
        for (let q = 1; q < k; q++) lt = t.add(lt, lossOn(t, spec.loss, yt[q], data.y[i * yw + q]));
      }
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
  const elements = spec.loss === 'cross_entropy' ? nTargets : nTargets * k;
  if (sum === null) L = t.constant(0);
  else if (spec.reduction === 'mean') L = t.div(sum, t.constant(elements));
  else L = t.copy(sum);
  return { tape: t, params, s, h, z, yhat, ell, L, nTargets };
}

export interface VRefStep {
  s: Ref[];
  h: Ref[];
  hPrev: Ref[];
  z: Ref[];
  yhat: Ref[];
  loss: Ref | null;
  dL_dyhat: Ref[];
  /** ∂ŷ_t,q/∂z_t,q and ∂h_t,r/∂s_t,r on the tape. */
  thetaPrime: Ref[];
  phiPrime: Ref[];
  /** Total ∂L/∂h_t (through ŷ_t and s_{t+1}), and the two parts Uᵀ·∂L/∂z_t and Wᵀ·∂L/∂s_{t+1}. */
  dL_dh: Ref[];
  dL_dh_local: Ref[];
  dL_dh_recurrent: Ref[];
  dL_ds: Ref[];
}

export interface VReference {
  graph: VGraph;
  loss: Ref;
  grads: Record<VParamKey, Ref[]>;
  steps: VRefStep[];
}

/** L alone (no sweep), for finite differences. */
export function vectorLoss(spec: VSpec, data: VData): { loss: number; mag: number } {
  const g = buildVectorRnn(spec, data);
  return { loss: g.tape.val[g.L], mag: g.tape.fe[g.L] };
}

/**
 * Forward, one reverse sweep from L, and the split of ∂L/∂h_t: the local part is Σ_q ∂L/∂z_q·∂z_q/∂h_r
 * and the recurrent part Σ_j ∂L/∂s_{t+1,j}·∂s_{t+1,j}/∂h_r, the partials read off the tape.
 */
export function vectorReference(spec: VSpec, data: VData, withSteps = true): VReference {
  const g = buildVectorRnn(spec, data);
  const tp = g.tape;
  const bw = tp.backward(g.L);
  const fwd = (x: Node): Ref => ({ v: tp.val[x], mag: tp.fe[x] });
  const adj = (x: Node): Ref => ({ v: bw.adj[x], mag: bw.err[x] });
  const grads = {} as Record<VParamKey, Ref[]>;
  for (const key of VPARAM_KEYS) grads[key] = g.params[key].map(adj);
  const steps: VRefStep[] = [];
  const T = withSteps ? data.T : 0;
  // Σ_j adj(out_j)·∂out_j/∂in, with the first-order error of each product and of the sum.
  const chain = (outs: Node[], inp: Node): Ref => {
    let v = 0, mag = 0;
    for (const o of outs) {
      const a = adj(o);
      const p = tp.partial(o, inp);
      const term = a.v * p.p;
      v += term;
      mag += a.mag * Math.abs(p.p) + Math.abs(a.v) * p.pe + Math.abs(term) + Math.abs(v);
    }
    return { v, mag };
  };
  for (let i = 0; i < T; i++) {
    const lt = g.ell[i];
    steps.push({
      s: g.s[i].map(fwd),
      h: g.h[i].map(fwd),
      hPrev: (i > 0 ? g.h[i - 1] : g.params.h0).map(fwd),
      z: g.z[i].map(fwd),
      yhat: g.yhat[i].map(fwd),
      loss: lt === null ? null : fwd(lt),
      dL_dyhat: g.yhat[i].map(adj),
      thetaPrime: g.z[i].map((zq, q) => {
        const p = tp.partial(g.yhat[i][q], zq);
        return { v: p.p, mag: p.pe };
      }),
      phiPrime: g.s[i].map((sr, r) => {
        const p = tp.partial(g.h[i][r], sr);
        return { v: p.p, mag: p.pe };
      }),
      dL_dh: g.h[i].map(adj),
      dL_dh_local: g.h[i].map((hr) => chain(g.z[i], hr)),
      dL_dh_recurrent: g.h[i].map((hr) => (i + 1 < data.T ? chain(g.s[i + 1], hr) : { v: 0, mag: 0 })),
      dL_ds: g.s[i].map(adj),
    });
  }
  return { graph: g, loss: fwd(g.L), grads, steps };
}
