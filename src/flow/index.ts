/**
 * Where the gradient goes (issue 10): per-step Jacobian factors and their running products,
 * horizons of the loss terms, the gradient split by lag, the connectivity map, and truncated BPTT.
 * Pure TypeScript over a core Trace: no vscode, no DOM. The long computations (lagSums,
 * truncateSweep) take a progress callback so a worker can report and cancel.
 */
import type { Trace } from '../core';
import { ScalarJacobians, attributeFactors, phiPrimes, type FactorAttribution, type FactorProducts } from './jacobian';
import type { Horizons } from './horizons';
import { factorsAndHorizons } from './horizonsKernel';
import { localTerms, lossSeeds, previousStates, type LagInputs } from './lag';
import type { SweepInputs } from './truncate';

export * from './jacobian';
export * from './horizons';
export * from './horizonsKernel';
export * from './lag';
export * from './connectivity';
export * from './truncate';

/** Everything per step that the analyses read, computed once from a trace in O(T). */
export interface FlowInputs extends LagInputs, SweepInputs {
  phiPrime: Float64Array;
  jacobians: ScalarJacobians;
}

export function flowInputs(trace: Trace): FlowInputs {
  const phiPrime = phiPrimes(trace);
  const w = trace.model.w;
  // f_t = w·φ'(s_t)
  const factor = new Float64Array(trace.T);
  for (let i = 0; i < trace.T; i++) factor[i] = w * phiPrime[i];
  const local = localTerms(trace);
  return {
    factor,
    phiPrime,
    local,
    seed: lossSeeds(local, phiPrime),
    hPrev: previousStates(trace),
    x: trace.x,
    hasY: trace.hasY,
    jacobians: new ScalarJacobians(factor),
  };
}

/** The O(T) summary: factors, running-product prefix sums, horizons and attribution. */
export interface FlowSummary {
  factor: Float64Array;
  products: FactorProducts;
  horizons: Horizons;
  attribution: FactorAttribution;
}

export function flowSummary(trace: Trace, inp: FlowInputs = flowInputs(trace), horizonRatio = 1e-3): FlowSummary {
  // One pass (horizonsKernel.ts); its factors equal inp.factor bit for bit.
  const { factor, products, horizons } = factorsAndHorizons(trace, horizonRatio);
  return { factor, products, horizons, attribution: attributeFactors(trace, inp.factor) };
}
