export * from './model';
export * from './bptt';
export * from './serialize';
export { Act, act, dact, actCode, sigmoid, softplus, LEAKY_SLOPE } from './activations';
export { Loss, loss, dloss, lossCode, HUBER_DELTA } from './losses';
export * from './derived';
export * from './warnings';
