import { describe, expect, it } from 'vitest';
import { publicKeyOf, schnorrSign, sha256, verifyInProcess, type SignatureJob } from '../../core/index.ts';
import { serveVerifier, type VerifierScope } from './verifier.worker.ts';
import type { VerifierResponse, VerifyRequest } from './verifier-messages.ts';
import { verifierWorkerCount, WorkerPoolVerifier, type VerifierWorker } from './worker-pool-verifier.ts';

const secret = sha256(new TextEncoder().encode('pool test key'));
const publicKey = publicKeyOf(secret);
const signed: SignatureJob[] = Array.from({ length: 120 }, (_, i) => {
  const message = sha256(Uint8Array.of(i));
  return { signature: schnorrSign(message, secret, new Uint8Array(32)), message, publicKey };
});
/** n jobs (n ≤ 120), the ones at `bad` with a flipped signature bit. */
function jobs(n: number, bad: readonly number[] = []): SignatureJob[] {
  return signed.slice(0, n).map((job, i) => {
    if (!bad.includes(i)) return job;
    const signature = job.signature.slice();
    signature[i % 64]! ^= 1;
    return { ...job, signature };
  });
}

/**
 * A worker in this thread: the real worker loop on a fake scope, answering after a number of
 * microtasks the test picks per request (so answers come back out of order).
 */
class FakeWorker implements VerifierWorker {
  onmessage: ((event: MessageEvent<VerifierResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  requests = 0;
  private readonly scope: VerifierScope;
  constructor(
    private readonly delay: (request: number) => number,
    private readonly failAt = -1,
  ) {
    this.scope = { postMessage: (message) => this.onmessage?.({ data: message } as MessageEvent<VerifierResponse>), onmessage: null };
    serveVerifier(this.scope);
  }
  postMessage(message: VerifyRequest): void {
    const n = this.requests++;
    void (async () => {
      for (let d = 0; d < this.delay(n); d++) await Promise.resolve();
      if (this.terminated) return;
      if (n === this.failAt) this.onerror?.({ message: 'worker crashed' } as ErrorEvent);
      else this.scope.onmessage?.({ data: message } as MessageEvent<VerifyRequest>);
    })();
  }
  terminate(): void {
    this.terminated = true;
  }
}

function pool(workers: number, make: (index: number) => FakeWorker) {
  const made: FakeWorker[] = [];
  const verifier = new WorkerPoolVerifier({ workers: () => workers, createWorker: () => (made.push(make(made.length)), made[made.length - 1]!) });
  return { verifier, made };
}

describe('WorkerPoolVerifier', () => {
  it('behavior: answers what in-process verification answers, in job order, with answers arriving out of order', async () => {
    const { verifier, made } = pool(3, (w) => new FakeWorker((n) => (w * 7 + n * 3) % 5));
    const batch = jobs(120, [0, 17, 99, 119]);
    expect(await verifier.verify(batch)).toEqual(verifyInProcess(batch));
    expect(made.length).toBe(3);
    expect(made.every((w) => w.requests > 0)).toBe(true);
  });

  it('behavior: two batches at once each get their own answers', async () => {
    const { verifier } = pool(2, () => new FakeWorker((n) => n % 3));
    const a = jobs(80, [5]);
    const b = jobs(60, [59]).reverse();
    const [ra, rb] = await Promise.all([verifier.verify(a), verifier.verify(b)]);
    expect(ra).toEqual(verifyInProcess(a));
    expect(rb).toEqual(verifyInProcess(b));
  });

  it('boundary: a small batch (one tx) is verified in process, without making a worker', async () => {
    const { verifier, made } = pool(4, () => new FakeWorker(() => 0));
    const batch = jobs(15, [3]);
    expect(await verifier.verify(batch)).toEqual(verifyInProcess(batch));
    expect(made.length).toBe(0);
  });

  it('error: where workers cannot be made, everything is verified in process', async () => {
    const verifier = new WorkerPoolVerifier({
      workers: () => 2,
      createWorker: () => {
        throw new Error('Worker is not defined');
      },
    });
    const batch = jobs(40, [39]);
    expect(await verifier.verify(batch)).toEqual(verifyInProcess(batch));
    expect(verifier.usingWorkers).toBe(false);
  });

  it('error: a worker that fails mid-batch: its chunks are verified in process, the answer is complete, workers are dropped', async () => {
    const { verifier, made } = pool(2, (w) => new FakeWorker((n) => n, w === 1 ? 1 : -1));
    const batch = jobs(100, [90]);
    expect(await verifier.verify(batch)).toEqual(verifyInProcess(batch));
    expect(verifier.usingWorkers).toBe(false);
    expect(made.every((w) => w.terminated)).toBe(true);
    expect(await verifier.verify(batch)).toEqual(verifyInProcess(batch));
  });

  it('behavior: jobs of sizes a signature check cannot have fail, as schnorrVerify fails them', async () => {
    const { verifier } = pool(2, () => new FakeWorker(() => 0));
    const batch = jobs(20);
    batch[4] = { ...batch[4]!, signature: batch[4]!.signature.subarray(0, 63) };
    batch[9] = { ...batch[9]!, publicKey: new Uint8Array(33) };
    const expected = verifyInProcess(batch);
    expect(expected.filter((ok) => !ok).length).toBe(2);
    expect(await verifier.verify(batch)).toEqual(expected);
  });
});

describe('verifierWorkerCount', () => {
  it('boundary: every core but the miner’s while it mines, at least one', () => {
    expect(verifierWorkerCount(8, 0)).toBe(8);
    expect(verifierWorkerCount(8, 3)).toBe(5);
    expect(verifierWorkerCount(2, 1)).toBe(1);
    expect(verifierWorkerCount(2, 4)).toBe(1);
    expect(verifierWorkerCount(Number.NaN, 0)).toBe(2);
  });
});
