/**
 * @module Signatures already verified (Bitcoin Core's signature cache): a tx checked when it
 * entered the mempool is not checked again when its block arrives, which is most of the cost of
 * validating a block whose txs were relayed first.
 *
 * Only successful verifications are added, so a hit means exactly this (signature, message, key)
 * verified before; BIP340 verification is a pure function of the three, so a hit answers as a new
 * verification would. The key is sha256(signature ‖ message ‖ key): the message is the sighash,
 * which commits to the network, the tx and every coin spent, so nothing else needs keying. No
 * salt: finding two triples with one key would be a sha256 collision. The cache is bounded by
 * count, the oldest entry leaving first, so its memory is bounded (about 150 bytes an entry).
 */
import { sha256 } from './hash.ts';
import { PUBLIC_KEY_SIZE, SIGNATURE_SIZE, type SignatureJob } from './keys.ts';

const MESSAGE_SIZE = 32;

/** Enough for a full mempool (5 MB of one-input txs is about 34,000 signatures) and a few blocks. */
export const DEFAULT_SIGNATURE_CACHE_SIZE = 50_000;

export class VerifiedSignatureCache {
  private readonly entries = new Set<string>();

  constructor(readonly maxEntries: number = DEFAULT_SIGNATURE_CACHE_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError(`cache size must be a whole number, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** True when this exact triple verified before (and is still remembered). */
  has(job: SignatureJob): boolean {
    return canonical(job) && this.entries.has(cacheKey(job));
  }

  /** Remembers a triple that verified; the oldest entry leaves when the cache is full. */
  add(job: SignatureJob): void {
    if (this.maxEntries === 0 || !canonical(job)) return;
    const key = cacheKey(job);
    if (this.entries.has(key)) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.values().next().value!);
    this.entries.add(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Fixed sizes only, so the concatenation is unambiguous (the tx codec admits no other sizes). */
function canonical(job: SignatureJob): boolean {
  return job.signature.length === SIGNATURE_SIZE && job.message.length === MESSAGE_SIZE && job.publicKey.length === PUBLIC_KEY_SIZE;
}

/**
 * Keys made before, per job object: a job is made once per tx and kept with it
 * (check-transaction.ts signatureJobs), and asked for at the pool's check and again at its
 * block's, so the key's sha256 is computed once. Jobs are never mutated (readonly).
 */
const keyMemo = new WeakMap<SignatureJob, string>();

/** sha256(signature ‖ message ‖ key) as a 32-character one-byte string (half the size of hex). */
function cacheKey(job: SignatureJob): string {
  let key = keyMemo.get(job);
  if (key === undefined) {
    key = computeKey(job);
    keyMemo.set(job, key);
  }
  return key;
}

function computeKey(job: SignatureJob): string {
  const bytes = new Uint8Array(SIGNATURE_SIZE + MESSAGE_SIZE + PUBLIC_KEY_SIZE);
  bytes.set(job.signature);
  bytes.set(job.message, SIGNATURE_SIZE);
  bytes.set(job.publicKey, SIGNATURE_SIZE + MESSAGE_SIZE);
  return String.fromCharCode(...sha256(bytes));
}
