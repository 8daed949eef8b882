import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { runChecks } from '../../src/check';
import { runBptt } from '../../src/core';
import { compute, type ComputeOptions, type Computed } from '../../src/extension/compute';
import type { WorkerResponse } from '../../src/extension/workerProtocol';
import { parseSequence } from '../../src/parse';

const ROOT = path.resolve(__dirname, '../../..');
const OPTIONS: ComputeOptions = {
  defaults: {},
  problems: { gradientWarnings: true, vanishingThreshold: 1e-6, explodingThreshold: 1e6 },
  check: { rtol: 1e-8, atol: 0 },
};
const sample = (name: string): string => readFileSync(path.join(ROOT, 'samples', name), 'utf8');

/** The report the CLI would compute, independently of compute(). */
function reference(text: string) {
  const parsed = parseSequence(text, 'csv');
  return runChecks(parsed, runBptt(parsed.model, parsed));
}

function inWorker(text: string): Promise<Computed> {
  const worker = new Worker(path.join(ROOT, 'dist', 'worker.js'));
  return new Promise<Computed>((resolve, reject) => {
    worker.on('message', (msg: WorkerResponse) => {
      void worker.terminate();
      if (msg.type === 'didCompute') resolve(msg.result);
      else reject(new Error(msg.type));
    });
    worker.on('error', reject);
    worker.postMessage({ type: 'compute', id: 1, format: 'csv', options: OPTIONS, input: { slices: [new TextEncoder().encode(text)] } });
  });
}

describe('compute: checks computed with the analysis', () => {
  it('has no checks when the file has no claims', () => {
    assert.strictEqual(compute(sample('textbook.csv'), 'csv', OPTIONS).checks, undefined);
  });

  it('checks the derivation sample: the seed slip is diagnosed, the other claims hold', () => {
    const text = sample('check-derivation.csv');
    const c = compute(text, 'csv', OPTIONS);
    assert.ok(c.checks);
    const ref = reference(text);
    assert.deepStrictEqual(c.checks.claims.map((x) => [x.quantity, x.ok]), ref.claims.map((x) => [x.quantity, x.ok]));
    const dh = c.checks.claims.find((x) => x.quantity === 'dL_dh')!;
    assert.strictEqual(dh.ok, false);
    assert.strictEqual(dh.diagnosis[0].code, 'phi_prime_for_theta_prime');
    assert.ok(dh.fix);
  });

  it('the worker path gives the same report as the inline one', async () => {
    const text = sample('check-pasted.csv');
    const inline = compute(text, 'csv', OPTIONS).checks!;
    const remote = (await inWorker(text)).checks!;
    assert.ok(remote);
    assert.deepStrictEqual(remote.claims.map((x) => [x.quantity, x.source, x.ok, x.firstMismatch?.t, x.diagnosis.map((d) => d.code)]),
      inline.claims.map((x) => [x.quantity, x.source, x.ok, x.firstMismatch?.t, x.diagnosis.map((d) => d.code)]));
    assert.ok(remote.claims.some((x) => !x.ok && x.user instanceof Float64Array));
  });

  it('a looser rtol setting makes rounded claims pass', () => {
    const text = '# bptt: w=0.5\n# check: dL_dw = 1\nx,y\n1,0.3\n0.5,0.2\n';
    const strict = compute(text, 'csv', OPTIONS).checks!;
    assert.strictEqual(strict.ok, false);
    const exact = strict.claims[0].exactTotal!;
    const loose = compute(text, 'csv', { ...OPTIONS, check: { rtol: 2 * Math.abs(1 - exact) / Math.abs(exact) + 1e-3 } }).checks!;
    assert.strictEqual(loose.ok, true);
  });
});
