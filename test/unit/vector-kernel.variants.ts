/** Every variant of the vector kernel, each tested bit for bit against the reference. */
import { runVectorBptt, runVectorBpttJs } from '../../src/core/vector/kernel';
import type { VectorPass } from '../../src/core/vector/model';

export const KERNELS: [name: string, run: VectorPass][] = [
  ['runVectorBptt', runVectorBptt],
  ['plain JS', runVectorBpttJs],
];
