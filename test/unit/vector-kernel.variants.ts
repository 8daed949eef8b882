/** Every variant of the vector kernel, each tested bit for bit against the reference. */
import { runVectorBptt, runVectorBpttJs, runVectorBpttWasm } from '../../src/core/vector/kernel';
import { simdModule } from '../../src/core/vector/kernelWasm';
import type { VectorPass } from '../../src/core/vector/model';

export const KERNELS: [name: string, run: VectorPass][] = [
  ['runVectorBptt', runVectorBptt],
  ['plain JS', runVectorBpttJs],
  ['WebAssembly SIMD', runVectorBpttWasm],
];

/** Node has WebAssembly SIMD: the SIMD variant must not silently be the JS one. */
export const HAS_SIMD = simdModule() !== null;
