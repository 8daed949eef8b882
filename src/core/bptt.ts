/**
 * Backpropagation through time for the scalar RNN: the entry point.
 *
 *   s_t = w·h_{t-1} + v·x_t + b      h_t = φ(s_t)      ŷ_t = θ(u·h_t + c)      L = reduce_t ℓ(ŷ_t, y_t)
 *
 * reference.ts is the pass written as the equations read; kernel.ts is the same pass tuned for
 * V8, bit for bit equal to it; `runBptt` is the kernel. trace.ts has what both return.
 */
export { runBptt } from './kernel';
export { referenceBptt } from './reference';
export * from './trace';
