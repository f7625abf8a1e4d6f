/**
 * @module Verifying a batch of signature checks somewhere else (a pool of workers, through the
 * `SignatureVerifier` port) behind the verified-signature cache, and answering which check failed
 * first, which is all the two-phase validation paths (connect-block.ts, the mempool) need to give
 * the rejection the sequential path gives.
 */
import { schnorrVerify, type SignatureJob } from '../crypto/keys.ts';
import { VerifiedSignatureCache } from '../crypto/verified-signature-cache.ts';

/** Verifies every job, one answer per job in order (the `SignatureVerifier` port's `verify`). */
export type VerifyBatch = (jobs: readonly SignatureJob[]) => Promise<readonly boolean[]>;

/** Every job verified here, one after the other. */
export function verifyInProcess(jobs: readonly SignatureJob[]): boolean[] {
  return jobs.map((job) => schnorrVerify(job.signature, job.message, job.publicKey));
}

export class SignatureChecks {
  /**
   * `verify` defaults to {@link verifyInProcess}; one instance (so one cache) is shared by the
   * chain and the mempool, so a tx verified on entering the pool is not verified in its block.
   */
  constructor(
    private readonly verify: VerifyBatch = (jobs) => Promise.resolve(verifyInProcess(jobs)),
    readonly cache: VerifiedSignatureCache = new VerifiedSignatureCache(),
  ) {}

  /** Jobs put aside by {@link prefetch}, verified together at the next {@link flush}. */
  private waiting: SignatureJob[] = [];

  /**
   * Puts jobs aside to be verified with others at the next {@link flush}: a burst of txs waiting
   * for their turn in the mempool becomes one batch (one per core) instead of one small batch
   * per tx. It decides nothing: the verdict still comes from {@link firstFailure}, which then
   * finds the successes in the cache.
   */
  prefetch(jobs: readonly SignatureJob[]): void {
    for (const job of jobs) this.waiting.push(job);
  }

  /** Verifies every job put aside, all at once, remembering those that verify. */
  async flush(): Promise<void> {
    if (this.waiting.length === 0) return;
    const jobs = this.waiting;
    this.waiting = [];
    await this.firstFailure(jobs);
  }

  /**
   * The index of the first job (in the order given) whose signature does not verify, or -1 when
   * all do. Jobs the cache knows are not verified again; jobs that verify are added to it.
   */
  async firstFailure(jobs: readonly SignatureJob[]): Promise<number> {
    const pending: number[] = [];
    for (let i = 0; i < jobs.length; i++) if (!this.cache.has(jobs[i]!)) pending.push(i);
    if (pending.length === 0) return -1;
    const results = await this.verify(pending.map((i) => jobs[i]!));
    if (results.length !== pending.length) throw new Error(`signature verifier answered ${results.length} of ${pending.length} jobs`);
    let first = -1;
    pending.forEach((i, k) => {
      if (results[k] === true) this.cache.add(jobs[i]!);
      else if (first < 0) first = i;
    });
    return first;
  }
}
