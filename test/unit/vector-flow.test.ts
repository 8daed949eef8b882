/**
 * src/flow/vector: σ_max of each step's Jacobian against an independent one-sided Jacobi SVD of
 * the dense J_t = W·diag(φ'(s_t)), power iteration against the exact path, Pascanu's constants,
 * horizons against brute-force dense products and the vector tape, and agreement with the scalar
 * flow at n = 1.
 */
import * as assert from 'assert';
import { PHI_NAMES, act, actCode, dact, runBptt, type Model } from '../../src/core';
import { flowSummary } from '../../src/flow';
import { referenceVectorBptt } from '../../src/core/vector/reference';
import type { VectorTrace } from '../../src/core/vector/model';
import { vectorStepValues } from '../../src/core/vector/step';
import {
  MAX_PHI_PRIME, SpectralWork, gram, jacobiansOf, sigmaMaxExact, sigmaMaxPower, stepSigmas, vectorFlow, vectorHorizons, vectorPhiPrimes,
} from '../../src/flow/vector';
import { buildVectorRnn } from './reference/vtape';
import { makeVectorCase, specOf } from './reference/vtape-cases';
import { mulberry32 } from './reference/rng';

const EPS = 2 ** -52;

/** σ_max of the dense rows×cols matrix A (row-major) by one-sided Jacobi (Hestenes): rotate column pairs until orthogonal. */
function jacobiSigmaMax(A: Float64Array, rows: number, cols: number): number {
  const a = A.slice();
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let al = 0, be = 0, ga = 0;
        for (let i = 0; i < rows; i++) {
          al += a[i * cols + p] ** 2;
          be += a[i * cols + q] ** 2;
          ga += a[i * cols + p] * a[i * cols + q];
        }
        if (Math.abs(ga) <= EPS * Math.sqrt(al) * Math.sqrt(be)) continue;
        rotated = true;
        const zeta = (be - al) / (2 * ga);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < rows; i++) {
          const x = a[i * cols + p], y = a[i * cols + q];
          a[i * cols + p] = c * x - s * y;
          a[i * cols + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  let best = 0;
  for (let j = 0; j < cols; j++) {
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += a[i * cols + j] ** 2;
    best = Math.max(best, Math.sqrt(ss));
  }
  return best;
}

/** Dense J = W·diag(d). */
function denseJ(W: Float64Array, d: ArrayLike<number>, n: number): Float64Array {
  const J = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let j = 0; j < n; j++) J[r * n + j] = W[r * n + j] * d[j];
  return J;
}

function randomWd(seed: number, n: number): { W: Float64Array; d: Float64Array } {
  const r = mulberry32(seed);
  const W = Float64Array.from({ length: n * n }, () => (2 * r() - 1) / Math.sqrt(n));
  const kind = seed % 4;
  const d = Float64Array.from({ length: n }, () => {
    const u = r();
    if (kind === 1) return u < 0.3 ? 0 : u; // dead units
    if (kind === 2) return u < 0.5 ? 1e-9 * u : u; // saturated units
    return u;
  });
  if (kind === 3) for (let i = 0; i < W.length; i++) W[i] *= 1e100;
  return { W, d };
}

describe('flow/vector: σ_max of J_t = W·diag(φ\')', () => {
  it('exact: agrees with a one-sided Jacobi SVD of the dense J to a few n·ε, n from 1 to 64', () => {
    let worst = 0;
    for (const n of [1, 2, 3, 5, 8, 16, 17, 31, 40, 64]) {
      for (let rep = 0; rep < 8; rep++) {
        const { W, d } = randomWd(1000 * n + rep, n);
        const got = sigmaMaxExact(gram(W, n), d, n, new SpectralWork(n));
        const want = jacobiSigmaMax(denseJ(W, d, n), n, n);
        const rel = want === 0 ? Math.abs(got) : Math.abs(got - want) / want;
        worst = Math.max(worst, rel / n);
        assert.ok(rel <= 8 * n * EPS, `n=${n} rep=${rep}: ${got} vs ${want} (rel ${rel})`);
      }
    }
    console.log(`      [vector-flow] exact σ_max vs Jacobi SVD: worst relative error / n = ${(worst / EPS).toFixed(2)} ε`);
  });

  it('exact: 0 for a zero J, NaN for a non-finite φ\' or W, ‖J‖ ≤ ‖J‖_F', () => {
    const n = 4;
    const { W } = randomWd(7, n);
    const work = new SpectralWork(n);
    assert.strictEqual(sigmaMaxExact(gram(W, n), new Float64Array(n), n, work), 0);
    assert.ok(Number.isNaN(sigmaMaxExact(gram(W, n), Float64Array.of(1, NaN, 1, 1), n, work)));
    assert.ok(Number.isNaN(sigmaMaxExact(gram(W, n), Float64Array.of(1, Infinity, 1, 1), n, work)));
    const d = Float64Array.of(0.5, 0.2, 1, 0.9);
    const fro = Math.sqrt(denseJ(W, d, n).reduce((a, x) => a + x * x, 0));
    const s = sigmaMaxExact(gram(W, n), d, n, work);
    assert.ok(s > 0 && s <= fro && s >= fro / Math.sqrt(n));
  });

  it('power iteration: never above the exact σ_max, within 1e-6 of it on random J (n = 8..96, warm-started)', () => {
    let worst = 0;
    for (const n of [8, 16, 40, 64, 96]) {
      const work = new SpectralWork(n);
      for (let rep = 0; rep < 10; rep++) {
        const { W, d } = randomWd(77 * n + rep, n);
        const G = gram(W, n);
        const p = sigmaMaxPower(G, d, n, work);
        const e = n <= 64 ? sigmaMaxExact(G, d, n, new SpectralWork(n)) : jacobiSigmaMax(denseJ(W, d, n), n, n);
        const rel = (e - p) / e;
        worst = Math.max(worst, Math.abs(rel));
        assert.ok(rel >= -16 * n * EPS && rel <= 1e-6, `n=${n} rep=${rep}: power ${p} exact ${e}`);
      }
    }
    console.log(`      [vector-flow] power iteration vs exact: worst relative error ${worst.toExponential(2)}`);
  });

  it('stepSigmas on a trace: each σ_max is the dense J_t\'s (exact and power paths), and Pascanu\'s bound holds', () => {
    for (const phi of PHI_NAMES) {
      const c = makeVectorCase(0xf10e + phi.length, { n: 6, m: 2, k: 2, T: 40, phi, theta: 'identity', loss: 'squared', reduction: 'sum', gain: 1.5 });
      const tr = referenceVectorBptt(c.model, c.data);
      const d = vectorPhiPrimes(tr);
      const exact = stepSigmas(c.model.W, d, 6);
      const power = stepSigmas(c.model.W, d, 6, 0);
      assert.strictEqual(exact.method, 'exact');
      assert.strictEqual(power.method, 'power');
      const flow = vectorFlow(tr);
      for (let i = 0; i < 40; i++) {
        const want = jacobiSigmaMax(denseJ(c.model.W, d.subarray(i * 6, i * 6 + 6), 6), 6, 6);
        assert.ok(Math.abs(exact.sigma[i] - want) <= 64 * EPS * want + 1e-300, `${phi} t=${i + 1}`);
        assert.ok(Math.abs(power.sigma[i] - want) <= 1e-6 * want, `${phi} t=${i + 1} power`);
        assert.ok(flow.factors[i] <= flow.pascanu.bound * (1 + 1e-12), `${phi} t=${i + 1}: σ_max ≤ ‖W‖·sup φ'`);
      }
      assert.ok(Math.abs(flow.normW - jacobiSigmaMax(c.model.W, 6, 6)) <= 64 * EPS * flow.normW);
    }
  });
});

describe('flow/vector: Pascanu\'s constants sup φ\'', () => {
  it('each activation: no φ\'(z) on a fine grid exceeds it, and it is approached', () => {
    const grid: number[] = [];
    for (let z = -60; z <= 60; z += 0.001) grid.push(z);
    grid.push(0, 1e-300, -1e-300, 700, -700);
    for (const phi of PHI_NAMES) {
      const f = actCode(phi);
      let sup = 0;
      for (const z of grid) sup = Math.max(sup, dact(f, z, act(f, z)));
      assert.ok(sup <= MAX_PHI_PRIME[phi], `${phi}: φ' reaches ${sup} > ${MAX_PHI_PRIME[phi]}`);
      assert.ok(sup >= MAX_PHI_PRIME[phi] * (1 - 1e-9), `${phi}: sup on the grid ${sup}, stated ${MAX_PHI_PRIME[phi]}`);
    }
  });

  it('guaranteed vanishing (‖W‖₂·sup φ\' < 1): every pulled-back gradient shrinks at every step', () => {
    const c = makeVectorCase(0xa11, { n: 8, m: 2, k: 2, T: 60, phi: 'sigmoid', theta: 'identity', loss: 'squared', reduction: 'sum', gain: 2, mode: 'last' });
    const tr = referenceVectorBptt(c.model, c.data);
    const flow = vectorFlow(tr);
    assert.ok(flow.normW > 1 && flow.pascanu.bound < 1 && flow.pascanu.guaranteedVanishing, JSON.stringify(flow.pascanu));
    const n = 8;
    for (let i = 58; i >= 0; i--) {
      const a = Math.hypot(...tr.dL_ds.subarray(i * n, i * n + n)), b = Math.hypot(...tr.dL_ds.subarray((i + 1) * n, (i + 2) * n));
      assert.ok(a <= flow.pascanu.bound * b * (1 + 1e-12), `t=${i + 1}`);
    }
    const tanh = vectorFlow(referenceVectorBptt({ ...c.model, phi: 'tanh' }, c.data));
    assert.ok(!tanh.pascanu.guaranteedVanishing && tanh.pascanu.maxPhiPrime === 1);
  });
});

/** Horizons by definition from dense products: ∂ℓ_τ/∂s_t = (J_{τ−1}⋯J_t)ᵀ·∂ℓ_τ/∂s_τ, the product rebuilt per t. */
function bruteHorizons(tr: VectorTrace, ratio: number): number[] {
  const { n, W } = tr.model;
  const d = vectorPhiPrimes(tr);
  const g = buildVectorRnn(specOf(tr.model), tr);
  const out: number[] = [];
  for (let i = 0; i < tr.T; i++) {
    const ell = g.ell[i];
    if (ell === null) continue;
    // Seed from the tape: ∂ℓ_τ/∂s_τ.
    const bw = g.tape.backward(ell);
    const seed = g.s[i].map((x) => bw.adj[x]);
    const n0 = Math.hypot(...seed);
    let h = 0;
    for (let t = i - 1; t >= 0 && n0 > 0; t--) {
      // P = J_{i−1}·…·J_t (dense, left to right), then Pᵀ·seed.
      let P = denseJ(W, d.subarray((i - 1) * n, i * n), n);
      for (let j = i - 2; j >= t; j--) {
        const J = denseJ(W, d.subarray(j * n, (j + 1) * n), n);
        const Q = new Float64Array(n * n);
        for (let r = 0; r < n; r++) for (let cc = 0; cc < n; cc++) for (let q = 0; q < n; q++) Q[r * n + cc] += P[r * n + q] * J[q * n + cc];
        P = Q;
      }
      const v = Array.from({ length: n }, (_, cc) => seed.reduce((acc, sv, r) => acc + P[r * n + cc] * sv, 0));
      const tapeRatio = Math.hypot(...g.s[t].map((x) => bw.adj[x])) / n0;
      const denseRatio = Math.hypot(...v) / n0;
      assert.ok(Math.abs(tapeRatio - denseRatio) <= 1e-9 * Math.max(tapeRatio, 1e-300), `τ=${i + 1} t=${t + 1}: tape ${tapeRatio} dense ${denseRatio}`);
      if (!(denseRatio >= ratio)) break;
      h++;
    }
    out.push(n0 > 0 ? h : 0);
  }
  return out;
}

describe('flow/vector: horizons', function () {
  this.timeout(60000);
  it('exact horizons = brute-force dense products = the tape\'s own ∂ℓ_τ/∂s_t, and the σ_max bound is never shorter', () => {
    let nonTrivial = 0;
    for (const [j, phi] of (['tanh', 'relu', 'sigmoid', 'softsign', 'identity'] as const).entries()) {
      for (const ratio of [1e-1, 1e-3]) {
        const c = makeVectorCase(0x40e + j, { n: 3, m: 2, k: 2, T: 35, phi, theta: 'identity', loss: 'squared', reduction: 'mean', gain: phi === 'sigmoid' ? 4 : 1.1, mode: 'random' });
        const tr = referenceVectorBptt(c.model, c.data);
        const flow = vectorFlow(tr, { ratio });
        const want = bruteHorizons(tr, ratio);
        assert.deepStrictEqual(flow.horizons.perTarget.map((p) => p.horizon), want, `${c.label} ratio=${ratio}`);
        assert.ok(flow.horizonBound.max >= flow.horizons.max && flow.horizonBound.median >= flow.horizons.median);
        if (want.some((h) => h > 2)) nonTrivial++;
        const sorted = [...want].sort((a, b) => a - b);
        assert.strictEqual(flow.horizons.median, sorted.length ? sorted[(sorted.length - 1) >> 1] : 0);
        assert.strictEqual(flow.horizons.max, sorted.length ? sorted[sorted.length - 1] : 0);
      }
    }
    assert.ok(nonTrivial >= 5, `${nonTrivial} cases with a horizon > 2`);
  });

  it('maxLag caps a horizon and counts it; a target that sends nothing back is silent with horizon 0', () => {
    const c = makeVectorCase(0xcab, { n: 4, m: 2, k: 2, T: 80, phi: 'identity', theta: 'identity', loss: 'squared', reduction: 'sum', gain: 1.3, mode: 'all' });
    const tr = referenceVectorBptt(c.model, c.data);
    const hz = vectorHorizons(tr, jacobiansOf(tr), 1e-3, 10);
    assert.ok(hz.capped > 0 && hz.max === 10);
    const dead = makeVectorCase(0xdead, { n: 4, m: 2, k: 2, T: 10, phi: 'relu', theta: 'identity', loss: 'squared', reduction: 'sum', mode: 'all' });
    dead.model.U.fill(0);
    const hd = vectorHorizons(referenceVectorBptt(dead.model, dead.data), jacobiansOf(referenceVectorBptt(dead.model, dead.data)));
    assert.strictEqual(hd.silent, 10);
    assert.ok(hd.perTarget.every((h) => h === 0));
  });

  it('a work budget that runs out leaves an evenly spread sample of the targets, each horizon still exact', () => {
    const c = makeVectorCase(0xb0d, { n: 4, m: 2, k: 2, T: 400, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'sum', gain: 1.5, mode: 'all' });
    const tr = referenceVectorBptt(c.model, c.data);
    const full = vectorHorizons(tr, jacobiansOf(tr));
    assert.strictEqual(full.evaluated, 400);
    const part = vectorHorizons(tr, jacobiansOf(tr), 1e-3, 1000, 2000);
    assert.ok(part.evaluated > 10 && part.evaluated < 100 && part.nTargets === 400, `${part.evaluated}`);
    part.targets.forEach((t, e) => assert.strictEqual(part.perTarget[e], full.perTarget[t - 1], `τ=${t}`));
    // Spread: the sample reaches both ends and every quarter of the sequence.
    for (let quarter = 0; quarter < 4; quarter++) assert.ok(part.targets.some((t) => t > quarter * 100 && t <= (quarter + 1) * 100), `quarter ${quarter + 1}`);
  });

  it('n = 1: factors are |w·φ\'(s_t)| bit for bit, and the horizons (exact and bound) are the scalar flow\'s', () => {
    for (const [j, phi] of PHI_NAMES.entries()) {
      const c = makeVectorCase(0x1d0 + j, { n: 1, m: 1, k: 1, T: 300, phi, theta: 'identity', loss: 'squared', reduction: 'sum', gain: 1.2, mode: 'random' });
      const M = c.model;
      const model: Model = { w: M.W[0], v: M.V[0], b: M.b[0], u: M.U[0], c: M.c[0], h0: M.h0[0], phi, theta: 'identity', loss: 'squared', reduction: 'sum' };
      const scalar = flowSummary(runBptt(model, c.data));
      const flow = vectorFlow(referenceVectorBptt(M, c.data));
      flow.factors.forEach((f, i) => assert.ok(Object.is(f, Math.abs(scalar.factor[i])), `${phi} t=${i + 1}: ${f} vs ${scalar.factor[i]}`));
      const silent = new Set(flow.horizons.perTarget.filter((p, q) => p.horizon === 0 && flow.horizons.silent > 0 && q >= 0).map((p) => p.t));
      flow.horizons.perTarget.forEach((p, q) => {
        if (flow.horizons.silent > 0 && silent.has(p.t)) return;
        assert.strictEqual(p.t, scalar.horizons.targets[q]);
        assert.strictEqual(p.horizon, scalar.horizons.perTarget[q], `${phi} τ=${p.t}`);
      });
      if (flow.horizons.silent === 0) assert.strictEqual(flow.horizons.median, scalar.horizons.median);
      assert.strictEqual(flow.horizonBound.median, scalar.horizons.median);
      assert.strictEqual(flow.horizonBound.max, scalar.horizons.max);
    }
  });
});

describe('flow/vector: vectorFlow', function () {
  this.timeout(60000);
  it('the chain\'s vjp is the dense Jᵀ·g', () => {
    const c = makeVectorCase(0x71, { n: 5, m: 2, k: 2, T: 6, phi: 'softplus', theta: 'identity', loss: 'squared', reduction: 'sum', mode: 'all' });
    const tr = referenceVectorBptt(c.model, c.data);
    const jac = jacobiansOf(tr);
    const d = vectorPhiPrimes(tr);
    const g = Float64Array.of(0.3, -1, 2, 0.5, -0.25), out = new Float64Array(5);
    jac.vjp(3, g, out);
    const J = denseJ(c.model.W, d.subarray(15, 20), 5);
    for (let cc = 0; cc < 5; cc++) {
      const want = g.reduce((a, gv, r) => a + J[r * 5 + cc] * gv, 0);
      assert.ok(Math.abs(out[cc] - want) <= 1e-15 * 8);
    }
    // Jᵀ·∂L/∂s_{t+1} is the recurrent part of ∂L/∂h_t times φ'(s_t), to the bit.
    const v = vectorStepValues(tr, 2);
    jac.vjp(2, v.dL_ds_next, out);
    for (let r = 0; r < 5; r++) assert.ok(Object.is(out[r], d[10 + r] * v.dL_dh_recurrent[r]), `unit ${r}`);
    assert.strictEqual(jac.T, 6);
    assert.strictEqual(jac.dim, 5);
  });

  it('JSON-ready; the attribution lists the smallest and largest σ_max in order; NaN σ_max is null in JSON', () => {
    const c = makeVectorCase(0x15, { n: 5, m: 2, k: 3, T: 50, phi: 'tanh', theta: 'identity', loss: 'cross_entropy', reduction: 'mean', gain: 2, inputScale: 3 });
    const flow = vectorFlow(referenceVectorBptt(c.model, c.data), { top: 5 });
    const back = JSON.parse(JSON.stringify(flow));
    assert.deepStrictEqual(back.factors, flow.factors);
    const sorted = flow.factors.map((s, i) => ({ t: i + 1, sigma: s })).sort((a, b) => a.sigma - b.sigma);
    assert.deepStrictEqual(flow.attribution.smallest, sorted.slice(0, 5));
    assert.deepStrictEqual(flow.attribution.largest, sorted.slice(-5).reverse());
    assert.strictEqual(flow.attribution.shrinking + flow.attribution.growing, flow.factors.filter((s) => s !== 1).length);
    assert.ok(flow.attribution.saturatedUnits > 0 && /saturated/.test(flow.attribution.text), flow.attribution.text);
    c.data.x[7] = NaN;
    const bad = vectorFlow(referenceVectorBptt(c.model, c.data));
    const json = JSON.parse(JSON.stringify(bad));
    assert.strictEqual(json.factors[3], null);
    assert.ok(bad.attribution.smallest.every((s) => !Number.isNaN(s.sigma)));
  });

  it('T = 0 and no target at all: empty factors and horizons, no throw', () => {
    for (const [T, mode] of [[0, 'all'], [12, 'none']] as const) {
      const c = makeVectorCase(0xe0, { n: 3, m: 2, k: 2, T, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'mean', mode });
      const flow = vectorFlow(referenceVectorBptt(c.model, c.data));
      assert.strictEqual(flow.factors.length, T);
      assert.deepStrictEqual([flow.horizons.nTargets, flow.horizons.median, flow.horizons.max, flow.horizons.perTarget.length], [0, 0, 0, 0]);
      assert.deepStrictEqual(flow.horizonBound, { median: 0, max: 0 });
      assert.ok(flow.normW > 0 && Number.isFinite(flow.pascanu.bound));
    }
  });

  it('performance: σ_max per step at n = 16, T = 10⁴ well under a second (and the whole vectorFlow)', () => {
    const c = makeVectorCase(0x9e4f, { n: 16, m: 4, k: 1, T: 10000, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'mean', gain: 1, mode: 'random' });
    const tr = referenceVectorBptt(c.model, c.data);
    const d = vectorPhiPrimes(tr);
    stepSigmas(c.model.W, d.subarray(0, 16 * 100), 16); // warm up
    // CPU time of this process (the machine may be shared: wall-clock time would measure the others).
    const cpuMs = (f: () => void) => {
      const c0 = process.cpuUsage();
      f();
      const c1 = process.cpuUsage(c0);
      return (c1.user + c1.system) / 1000;
    };
    const exactMs = cpuMs(() => stepSigmas(c.model.W, d, 16));
    const powerMs = cpuMs(() => stepSigmas(c.model.W, d, 16, 0));
    let flow = vectorFlow(tr, { maxLag: 1 });
    const flowMs = cpuMs(() => (flow = vectorFlow(tr)));
    console.log(`      [vector-flow] n=16 T=10⁴ (CPU time): σ_max exact ${exactMs.toFixed(0)} ms, power ${powerMs.toFixed(0)} ms; vectorFlow ${flowMs.toFixed(0)} ms (median horizon ${flow.horizons.median})`);
    assert.ok(exactMs < 1000, `${exactMs} ms`);
    // Long horizons (tanh, ‖W‖ ~ 3): the work budget keeps vectorFlow bounded.
    const e = makeVectorCase(0x9e50, { n: 16, m: 4, k: 1, T: 20000, phi: 'tanh', theta: 'identity', loss: 'squared', reduction: 'mean', gain: 3, mode: 'all' });
    const etr = referenceVectorBptt(e.model, e.data);
    let eflow = flow;
    const explodingMs = cpuMs(() => (eflow = vectorFlow(etr)));
    console.log(`      [vector-flow] long horizons n=16 T=2·10⁴: vectorFlow ${explodingMs.toFixed(0)} ms, ${eflow.horizons.evaluated} of ${eflow.horizons.nTargets} targets, median horizon ${eflow.horizons.median}`);
    assert.ok(eflow.horizons.median > 30 && eflow.horizons.evaluated <= eflow.horizons.nTargets);
    assert.ok(explodingMs < 3000, `${explodingMs} ms`);
  });
});
