export * from './gradcheck';
export { lossOnly, prepare, type Problem } from './lossOnly';
