/**
 * The verifier pool on worker_threads (the headless node's): random blocks with bad signatures
 * and other failures at random positions get, through the two-phase path on real threads, the
 * verdict of the sequential connectBlock.
 */
import { describe, expect, it } from 'vitest';
import { connectBlock, connectBlockChecked, SignatureChecks } from '../../core/index.ts';
import { SignatureCases } from '../../core/testing/signature-cases.ts';
import { createNodeVerifierWorker } from './node-verifier-worker.ts';
import { WorkerPoolVerifier } from './worker-pool-verifier.ts';

describe('worker_threads signature verifier', () => {
  it('behavior: blocks validated on a pool of two threads get the sequential verdict', async () => {
    const pool = new WorkerPoolVerifier({ workers: () => 2, createWorker: createNodeVerifierWorker, inProcessBelow: 1 });
    const cases = new SignatureCases();
    try {
      const outcomes: string[] = [];
      for (const seed of [1, 2, 3, 4, 5, 6, 'valid'] as const) {
        const c = seed === 'valid' ? cases.valid() : cases.make(seed, 0.2);
        const expected = connectBlock(c.block, c.height, cases.coins(), cases.params);
        const actual = await connectBlockChecked(c.block, c.height, cases.coins(), cases.params, new SignatureChecks((jobs) => pool.verify(jobs)));
        expect(actual, `seed ${seed}: ${c.spoiled.join('; ')}`).toEqual(expected);
        outcomes.push(actual.ok ? 'ok' : actual.code);
      }
      expect(pool.usingWorkers).toBe(true);
      expect(pool.workers).toBe(2);
      expect(outcomes).toContain('ok');
      expect(outcomes.some((o) => o !== 'ok')).toBe(true);
    } finally {
      pool.dispose();
    }
  }, 120_000);

  it('error: a thread refuses a malformed batch with an error answer, not a crash', async () => {
    const worker = createNodeVerifierWorker();
    try {
      const answer = new Promise((resolve) => (worker.onmessage = (event) => resolve(event.data)));
      const jobs = new Uint8Array(100);
      worker.postMessage({ type: 'verify', id: 7, jobs }, [jobs.buffer]);
      expect(await answer).toEqual({ type: 'error', id: 7, message: 'a batch is a multiple of 128 bytes, got 100' });
    } finally {
      worker.terminate();
    }
  }, 60_000);
});
