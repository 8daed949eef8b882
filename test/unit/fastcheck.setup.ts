/**
 * Property tests run from a fixed seed, so a CI run is reproducible; FC_SEED=<n> explores others
 * (`FC_SEED=$RANDOM npm run test:unit`). A failure prints the seed and the shrunk counterexample.
 */
import * as fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20261125);
fc.configureGlobal({ seed });
