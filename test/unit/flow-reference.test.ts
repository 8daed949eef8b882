/**
 * src/flow against the reverse-mode tape (test/unit/reference/tape.ts), built here with UNTIED
 * weights: every step t gets leaves w_t, v_t, b_t of the same value, so one sweep from ℓ_τ gives
 * ∂ℓ_τ/∂w_t = ∂ℓ_τ/∂s_t·h_{t−1} for every t, i.e. each (τ, lag) term, without any of the
 * algebra src/flow uses (running products of w·φ'). Truncate=k is the same graph with the state
 * detached (`tape.detach`) after every k-th step, swept once from L.
 *
 * Tolerance: |a − b| ≤ 1e-9·max(|a|, |b|) + (4·(T + 2)·u)·Σ|terms| + 16·u·(tape's error magnitude):
 * a term's running product is rounded once per step in both implementations, in different orders.
 */
import * as assert from 'assert';
import { PHI_NAMES, runBptt, type Model, type SequenceData } from '../../src/core';
import {
  FactorProducts, computeHorizons, connectivity, flowInputs, flowSummary, gradientByLag, horizonBiasSweep,
  lagShare, runHorizon, runTruncated, truncateSweep, truncatedStepValues, windowAround, LAG_PARAMS,
} from '../../src/flow';
import { Tape, UNIT_ROUNDOFF as U, activationOn, lossOn, type Node, type RnnSpec } from './reference/tape';
import { mulberry32 } from './reference/rng';

interface Untied {
  tape: Tape;
  w: Node[]; v: Node[]; b: Node[]; s: Node[]; h: Node[];
  u: Node; c: Node; h0: Node;
  ell: (Node | null)[];
  L: Node;
  scale: number;
}

/** s_t = w_t·h_{t−1} + v_t·x_t + b_t with w_t = w (etc.); h detached after every k-th step when k > 0. */
function buildUntied(m: Model, d: SequenceData, detachEvery = 0): Untied {
  const tape = new Tape();
  const spec = m as unknown as RnnSpec;
  const u = tape.param(m.u), c = tape.param(m.c), h0 = tape.param(m.h0);
  const w: Node[] = [], v: Node[] = [], b: Node[] = [], s: Node[] = [], h: Node[] = [], ell: (Node | null)[] = [];
  let hPrev = h0;
  let sum: Node | null = null;
  let n = 0;
  for (let i = 0; i < d.x.length; i++) {
    const wi = tape.param(m.w), vi = tape.param(m.v), bi = tape.param(m.b);
    const st = tape.add(tape.add(tape.mul(wi, hPrev), tape.mul(vi, tape.constant(d.x[i]))), bi);
    const ht = activationOn(tape, spec.phi, st);
    const yt = activationOn(tape, spec.theta, tape.add(tape.mul(u, ht), c));
    let lt: Node | null = null;
    if (d.hasY[i] !== 0) {
      lt = lossOn(tape, spec.loss, yt, d.y[i]);
      sum = sum === null ? lt : tape.add(sum, lt);
      n++;
    }
    w.push(wi); v.push(vi); b.push(bi); s.push(st); h.push(ht); ell.push(lt);
    hPrev = detachEvery > 0 && (i + 1) % detachEvery === 0 ? tape.detach(ht) : ht;
  }
  const scale = m.reduction === 'mean' ? (n > 0 ? 1 / n : 0) : 1;
  let L: Node = sum === null ? tape.constant(0) : sum;
  if (sum !== null && m.reduction === 'mean') L = tape.div(sum, tape.constant(n));
  return { tape, w, v, b, s, h, u, c, h0, ell, L, scale };
}

/** One sweep per loss term: adj[τ] = ∂ℓ_τ/∂(every node), err[τ] its error magnitude. */
function perTerm(g: Untied): ({ adj: Float64Array; err: Float64Array } | null)[] {
  return g.ell.map((lt) => (lt === null ? null : g.tape.backward(lt)));
}

function close(ctx: string, got: number, want: number, absTerms: number, mag: number, T: number): void {
  if (!Number.isFinite(got) || !Number.isFinite(want)) {
    if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) assert.fail(`${ctx}: ${got} vs tape ${want}`);
    return;
  }
  const tol = 1e-9 * Math.max(Math.abs(got), Math.abs(want)) + 4 * (T + 2) * U * absTerms + 16 * U * mag;
  if (!(Math.abs(got - want) <= tol)) assert.fail(`${ctx}: ${got} vs tape ${want} (|diff| ${Math.abs(got - want)}, tol ${tol})`);
}

const THETAS = ['identity', 'tanh', 'sigmoid', 'softplus', 'relu'] as const;
const LOSSES = ['squared', 'mse', 'abs', 'huber'] as const;

function makeCase(seed: number, phi: Model['phi'], T: number): { m: Model; d: SequenceData } {
  const r = mulberry32(seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * r();
  const sgn = () => (r() < 0.5 ? -1 : 1);
  const bounded = phi === 'tanh' || phi === 'sigmoid' || phi === 'softsign';
  const theta = THETAS[Math.floor(r() * THETAS.length)];
  const useBce = theta === 'sigmoid' && r() < 0.5;
  const m: Model = {
    w: sgn() * (bounded ? uni(0.3, 3) : uni(0.3, 1.1)), v: uni(-2, 2), b: uni(-1, 1), u: uni(-2, 2), c: uni(-1, 1), h0: uni(-1, 1),
    phi, theta, loss: useBce ? 'bce' : LOSSES[Math.floor(r() * LOSSES.length)], reduction: r() < 0.5 ? 'sum' : 'mean',
  };
  const x = new Float64Array(T), y = new Float64Array(T), hasY = new Uint8Array(T);
  const mode = r();
  for (let i = 0; i < T; i++) {
    x[i] = uni(-2, 2);
    y[i] = useBce ? r() : uni(-2, 2);
    hasY[i] = mode < 0.3 ? 1 : mode < 0.8 ? (r() < 0.5 ? 1 : 0) : mode < 0.9 ? (r() < 0.05 ? 1 : 0) : 0;
  }
  return { m, d: { x, y, hasY } };
}

describe('flow vs the untied-weight tape', function () {
  this.timeout(120000);
  PHI_NAMES.forEach((phi, pi) => {
    for (let rep = 0; rep < 3; rep++) {
      const seed = 0xf10e0000 + 16 * pi + rep;
      const T = [200, 1 + Math.floor(mulberry32(seed)() * 60), 1][rep];
      const { m, d } = makeCase(seed, phi, T);
      const ctx = `seed=0x${seed.toString(16)} φ=${phi} θ=${m.theta} ${m.loss}/${m.reduction} T=${T}`;
      it(ctx, () => {
        const trace = runBptt(m, d);
        const inp = flowInputs(trace);
        const g = buildUntied(m, d);
        const terms = perTerm(g);
        const tp = g.tape;

        // Factors: ∂s_{t+1}/∂s_t from the tape.
        for (let i = 0; i + 1 < T; i++) {
          const p = tp.partial(g.s[i + 1], g.s[i]);
          close(`${ctx} factor t=${i + 1}`, inp.factor[i], p.p, Math.abs(p.p), p.pe, 1);
        }

        // G(d) for every lag, from the per-term sweeps: Σ_τ scale·∂ℓ_τ/∂w_{τ−d}, and h0 at d = τ − 1.
        const lag = gradientByLag(trace, inp);
        assert.ok(lag && lag.allLags && lag.K === Math.max(T - 1, 0));
        const leaf = { w: g.w, v: g.v, b: g.b };
        for (let dd = 0; dd < T; dd++) {
          for (const p of ['w', 'v', 'b'] as const) {
            let want = 0, abs = 0, mag = 0;
            for (let tau = dd; tau < T; tau++) {
              const tt = terms[tau];
              if (!tt) continue;
              const z = g.scale * tt.adj[leaf[p][tau - dd]];
              want += z; abs += Math.abs(z); mag += g.scale * tt.err[leaf[p][tau - dd]] + Math.abs(want);
            }
            close(`${ctx} G_${p}(${dd})`, lag.G[p][dd], want, abs, mag, T);
          }
          const tt = terms[dd];
          const want = tt ? g.scale * tt.adj[g.h0] : 0;
          close(`${ctx} G_h0(${dd})`, lag.G.h0[dd], want, Math.abs(want), tt ? g.scale * tt.err[g.h0] : 0, T);
        }
        // Σ_d G(d) is the gradient, to rounding.
        for (const p of LAG_PARAMS) {
          let sum = 0, abs = 0;
          for (const x of lag.G[p]) { sum += x; abs += Math.abs(x); }
          close(`${ctx} Σ G_${p}`, sum, trace.grads[p], abs, 0, T);
          assert.strictEqual(lag.beyondK[p], 0);
        }

        // horizon=k against the per-term sweeps restricted to t ≥ τ − k + 1; the one-pass bias sweep agrees.
        const sweeps = Object.fromEntries(LAG_PARAMS.map((p) => [p, horizonBiasSweep(lag.G[p], lag.beyondK[p])]));
        for (const k of [1, 2, T - 1, T, T + 5].filter((k) => k >= 1)) {
          const hr = runHorizon(trace, inp, k);
          assert.ok(hr);
          for (let t = 0; t < T; t++) {
            let want = 0, abs = 0;
            for (let tau = t; tau < T && tau - t < k; tau++) {
              const tt = terms[tau];
              if (tt) { const z = g.scale * tt.adj[g.s[t]]; want += z; abs += Math.abs(z); }
            }
            close(`${ctx} horizon=${k} per step t=${t + 1}`, hr.perStep[t], want, abs, 0, T);
          }
          for (const p of ['w', 'v', 'b'] as const) {
            let want = 0, abs = 0;
            for (let tau = 0; tau < T; tau++) {
              const tt = terms[tau];
              if (!tt) continue;
              for (let t = Math.max(0, tau - k + 1); t <= tau; t++) { const z = g.scale * tt.adj[leaf[p][t]]; want += z; abs += Math.abs(z); }
            }
            close(`${ctx} horizon=${k} ∂L/∂${p}`, hr.grads[p], want, abs, 0, T);
            if (k <= T) close(`${ctx} horizon=${k} bias sweep ${p}`, sweeps[p][k - 1], want - trace.grads[p], abs, 0, T);
          }
          assert.strictEqual(hr.grads.u, trace.grads.u);
        }

        // Connectivity window: |∂ℓ_τ/∂s_t| from the sweeps.
        const win = connectivity(inp.jacobians, inp.seed, d.hasY, 1, T, 1, T);
        for (let tau = 0; tau < T; tau++) {
          for (let t = 0; t < T; t++) {
            const tt = terms[tau];
            const want = tt && t <= tau ? Math.abs(g.scale * tt.adj[g.s[t]]) : 0;
            close(`${ctx} map τ=${tau + 1} t=${t + 1}`, win.values[tau * T + t], want, want, 0, T);
          }
        }
      });

      it(`truncate=k: ${ctx}`, () => {
        const full = runBptt(m, d);
        const K = [1, 2, T - 1, T, T + 5].filter((k) => k >= 1);
        const inp = flowInputs(full);
        const sweep = truncateSweep(inp, m.w, T + 5);
        assert.ok(sweep);
        for (const k of K) {
          const tr = runTruncated(m, d, k);
          const g = buildUntied(m, d, k);
          const bw = g.tape.backward(g.L);
          const at = `${ctx} truncate=${k}`;
          close(`${at} L`, tr.loss, g.tape.val[g.L], Math.abs(g.tape.val[g.L]), g.tape.fe[g.L], T);
          for (const p of ['w', 'v', 'b'] as const) {
            let want = 0, abs = 0, mag = 0;
            for (const n of { w: g.w, v: g.v, b: g.b }[p]) { want += bw.adj[n]; abs += Math.abs(bw.adj[n]); mag += bw.err[n]; }
            close(`${at} ∂L/∂${p}`, tr.grads[p], want, abs, mag, T);
            close(`${at} sweep ∂L/∂${p}`, sweep[p][k - 1], want, abs, mag, T);
          }
          for (const p of ['u', 'c', 'h0'] as const) close(`${at} ∂L/∂${p}`, tr.grads[p], bw.adj[g[p]], Math.abs(bw.adj[g[p]]), bw.err[g[p]], T);
          close(`${at} sweep ∂L/∂h0`, sweep.h0[k - 1], bw.adj[g.h0], Math.abs(bw.adj[g.h0]), bw.err[g.h0], T);
          for (let i = 0; i < T; i++) {
            const sv = truncatedStepValues(tr, i);
            close(`${at} ∂L/∂s t=${i + 1}`, sv.dL_ds, bw.adj[g.s[i]], Math.abs(bw.adj[g.s[i]]), bw.err[g.s[i]], T);
            close(`${at} ∂L/∂h t=${i + 1}`, sv.dL_dh, bw.adj[g.h[i]], Math.abs(bw.adj[g.h[i]]), bw.err[g.h[i]], T);
            if ((i + 1) % k === 0) assert.strictEqual(sv.dL_dh_recurrent, 0, `${at}: recurrent term at a chunk's last step`);
            assert.ok(Object.is(sv.dL_dh, sv.dL_dh_local + sv.dL_dh_recurrent));
          }
          if (k >= T) for (const p of LAG_PARAMS) assert.strictEqual(tr.grads[p], full.grads[p], `${at}: k ≥ T is the full gradient, bit for bit`);
        }
      });
    }
  });
});

describe('flow: horizons, products, shares, non-finite input', () => {
  it('horizons equal a brute-force backward scan of the running product, for many ratios and models', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const phi = PHI_NAMES[seed % PHI_NAMES.length];
      const { m, d } = makeCase(0xa0 + seed, phi, 300);
      m.w = [0.5, 1, 1.5, 3][seed % 4] * Math.sign(m.w);
      const trace = runBptt(m, d);
      const inp = flowInputs(trace);
      const products = new FactorProducts(inp.factor);
      for (const ratio of [1e-3, 0.5, 1e-12]) {
        const hz = computeHorizons(products, d.hasY, ratio);
        let k = 0;
        for (let tau = 0; tau < 300; tau++) {
          if (d.hasY[tau] === 0) continue;
          let p = 1, hzn = tau, reached = 1;
          for (let t = tau - 1; t >= 0; t--) {
            p *= inp.factor[t];
            if (!(Math.abs(p) >= ratio) || inp.factor[t] === 0) { hzn = tau - t - 1; reached = 0; break; }
          }
          assert.strictEqual(hz.targets[k], tau + 1);
          assert.strictEqual(hz.perTarget[k], hzn, `seed ${seed} ratio ${ratio} τ=${tau + 1}`);
          assert.strictEqual(hz.reachesStart[k], reached);
          k++;
        }
        assert.strictEqual(k, hz.perTarget.length);
        const sorted = Array.from(hz.perTarget).sort((a, b) => a - b);
        assert.strictEqual(hz.median, sorted.length ? sorted[(sorted.length - 1) >> 1] : 0);
        assert.strictEqual(hz.max, sorted.length ? sorted[sorted.length - 1] : 0);
      }
      // Running products from the prefix sums against direct multiplication.
      for (let a = 0; a < 300; a += 37) {
        let p = 1;
        for (let b = a; b <= 300; b++) {
          const q = products.product(a, b);
          assert.ok(p === q || Math.abs(p - q) <= 1e-12 * Math.abs(p) || (Math.abs(p) < 1e-290 && Math.abs(q) < 1e-290), `product(${a}, ${b}) = ${q}, direct ${p}`);
          if (b < 300) p *= inp.factor[b];
        }
      }
    }
  });

  it('lag shares and the "> K" bin: K below T − 1 keeps Σ_{d≤K} G + beyondK = the gradient', () => {
    const { m, d } = makeCase(0xbeef, 'tanh', 400);
    d.hasY.fill(1);
    m.w = 0.8;
    const trace = runBptt(m, d);
    const inp = flowInputs(trace);
    const all = gradientByLag(trace, inp)!;
    const cut = gradientByLag(trace, inp, 10)!;
    assert.strictEqual(cut.K, 10);
    assert.ok(!cut.allLags);
    for (const p of LAG_PARAMS) {
      for (let dd = 0; dd <= 10; dd++) assert.strictEqual(cut.G[p][dd], all.G[p][dd]);
      let tail = 0;
      for (let dd = 11; dd < 400; dd++) tail += all.G[p][dd];
      assert.ok(Math.abs(cut.beyondK[p] - tail) <= 1e-9 * Math.abs(trace.grads[p]) + 1e-15, `${p}: beyondK ${cut.beyondK[p]} vs ${tail}`);
    }
    const sh = lagShare(all.G.w, 0, 0.9);
    assert.ok(sh.lagAt !== null && sh.share[sh.lagAt] >= 0.9 && (sh.lagAt === 0 || sh.share[sh.lagAt - 1] < 0.9));
    assert.ok(Math.abs(sh.share[399] - 1) < 1e-12);
  });

  it('NaN input: nothing throws; values before the NaN stay finite, the truncated pass matches the tape', () => {
    const { m, d } = makeCase(0x5a5a, 'tanh', 40);
    d.hasY.fill(1);
    d.hasY.fill(0, 24, 30); // chunk 21..30 (k = 10) has its last target at t = 24 …
    d.x[27] = NaN; //         … and a NaN at t = 28, which no loss of that chunk reaches
    const trace = runBptt(m, d);
    const inp = flowInputs(trace);
    const sum = flowSummary(trace, inp);
    assert.ok(Number.isFinite(sum.horizons.median));
    for (let k = 0; k < 24; k++) assert.ok(sum.horizons.perTarget[k] <= k);
    assert.ok(Number.isNaN(inp.factor[27]));
    const lag = gradientByLag(trace, inp)!;
    assert.ok(Number.isNaN(lag.G.w[0]));
    const hr = runHorizon(trace, inp, 3)!;
    assert.ok(Number.isNaN(hr.perStep[30]));
    const tr = runTruncated(m, d, 10);
    assert.strictEqual(tr.firstNonFinite, 28);
    // Chunks 1..3 (t ≤ 30) never carry the NaN back: autograd-style, their gradients are finite.
    for (let i = 0; i < 30; i++) assert.ok(Number.isFinite(tr.dL_ds[i]), `t=${i + 1}`);
    const g = buildUntied(m, d, 10);
    const bw = g.tape.backward(g.L);
    for (let i = 0; i < 40; i++) close(`NaN truncate t=${i + 1}`, tr.dL_ds[i], bw.adj[g.s[i]], Math.abs(bw.adj[g.s[i]]), 0, 40);
    const win = connectivity(inp.jacobians, inp.seed, d.hasY, 1, 40, 1, 40);
    assert.strictEqual(win.rows, 40);
  });

  it('NaN after the last target: the lag sums (sparse path) are finite and match the per-term tape', () => {
    const { m, d } = makeCase(0x5a5b, 'softsign', 60);
    d.hasY.fill(1, 0, 40);
    d.hasY.fill(0, 40);
    d.x[50] = NaN;
    const trace = runBptt(m, d);
    const inp = flowInputs(trace);
    const lag = gradientByLag(trace, inp)!;
    const g = buildUntied(m, d);
    const terms = perTerm(g);
    for (let dd = 0; dd < 60; dd++) {
      let want = 0, abs = 0;
      for (let tau = dd; tau < 60; tau++) {
        const tt = terms[tau];
        if (tt) { const z = g.scale * tt.adj[g.w[tau - dd]]; want += z; abs += Math.abs(z); }
      }
      close(`G_w(${dd})`, lag.G.w[dd], want, abs, 0, 60);
    }
    const hr = runHorizon(trace, inp, 5)!;
    assert.ok(Number.isFinite(hr.grads.w));
  });

  it('steps without targets: no target at all gives zero lags, zero horizons, and the plain gradient', () => {
    const { m, d } = makeCase(0x77, 'sigmoid', 30);
    d.hasY.fill(0);
    const trace = runBptt(m, d);
    const inp = flowInputs(trace);
    const lag = gradientByLag(trace, inp)!;
    for (const p of LAG_PARAMS) assert.ok(lag.G[p].every((v) => v === 0));
    assert.strictEqual(flowSummary(trace, inp).horizons.perTarget.length, 0);
    const tr = runTruncated(m, d, 4);
    assert.ok(tr.dL_ds.every((v) => v === 0));
  });
  it('progress callbacks report every block and cancel with false; windows clamp to 1..T and 512 steps', () => {
    const { m, d } = makeCase(0x9a9a, 'tanh', 3000);
    d.hasY.fill(1);
    const trace = runBptt(m, d);
    const inp = flowInputs(trace);
    const seen: number[] = [];
    const lag = gradientByLag(trace, inp, 50, (done, total) => { seen.push(done); assert.strictEqual(total, 3000); });
    assert.ok(lag && seen.length >= 2 && seen[seen.length - 1] === 3000);
    assert.strictEqual(gradientByLag(trace, inp, 50, () => false), null);
    assert.strictEqual(truncateSweep(inp, m.w, 10, (k) => k < 3), null);
    const w = windowAround(3000, 2990);
    assert.deepStrictEqual(w, { from: 2489, to: 3000 });
    assert.deepStrictEqual(windowAround(100, 1), { from: 1, to: 100 });
    const win = connectivity(inp.jacobians, inp.seed, d.hasY, 1, 3000, 1, 3000);
    assert.strictEqual(win.cols, 512);
    assert.strictEqual(win.rows, 512);
    // Row τ = 300, column t = 290: |seed_τ·Π_{j=t}^{τ−1} f_j| by direct multiplication.
    let p = inp.seed[299];
    for (let j = 298; j >= 289; j--) p *= inp.factor[j];
    assert.strictEqual(win.values[299 * 512 + 289], Math.abs(p));
    assert.strictEqual(win.values[289 * 512 + 299], 0); // t > τ
  });
});
