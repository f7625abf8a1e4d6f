/**
 * @module The node's pending-tx persistence beside its port (ports/pending-tx-store.ts): how much
 * the store may hold, and an in-memory store for tests and headless use.
 */
import type { PendingTxRecord, PendingTxStore } from '../ports/pending-tx-store.ts';

/** How much the pending-tx store may hold. */
export interface PendingLimits {
  readonly maxTxs: number;
  /** Summed tx sizes, in bytes. */
  readonly maxBytes: number;
}

/**
 * What peers can make this node write: at most 1000 txs and 1 MB (a fifth of the mempool's 5 MB;
 * the rest of the pool is relayed again by peers after a reload, as Bitcoin Core's mempool.dat is
 * a convenience, not a promise). The user's own txs are evicted last.
 */
export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxTxs: 1000, maxBytes: 1_000_000 };

/** An in-memory {@link PendingTxStore} for tests and headless use. */
export class MemoryPendingTxStore implements PendingTxStore {
  readonly txs = new Map<string, PendingTxRecord>();
  async load() {
    return [...this.txs.values()];
  }
  async put(txid: string, bytes: Uint8Array, time: number, own = false) {
    this.txs.set(txid, { txid, bytes, time, own });
  }
  async delete(txids: readonly string[]) {
    for (const id of txids) this.txs.delete(id);
  }
}
