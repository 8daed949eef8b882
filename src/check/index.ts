/** Check my gradients (issue 9): the user's formulas and numbers against exact BPTT, with the mistake named. */
export { runChecks } from './run';
export { CATALOGUE, CODES } from './catalogue';
export { parseFormula } from './formula/parse';
export { FormulaError } from './formula/ast';
export * from './tolerance';
export * from './types';
export { STEP_QUANTITIES, TOTALS } from './names';
