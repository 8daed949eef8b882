export * from './gradcheck';
export { lossOnly, lossFromStates, prepare, type Problem } from './lossOnly';
