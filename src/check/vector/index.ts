/** Check my gradients on the vector RNN (issue 11): the user's gradient tensors against exact BPTT, with the mistake named. */
export { runVectorChecks } from './run';
export { VECTOR_CATALOGUE, VECTOR_CODES } from './catalogue';
export { KNOWN_NAMES, VECTOR_QUANTITIES, claimedQuantities, type VectorQuantity } from './names';
export * from './types';
