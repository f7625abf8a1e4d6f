/**
 * @module The ports a full node needs beyond the chain store and the clock.
 */

/** One persisted pending tx. */
export interface PendingTxRecord {
  readonly txid: string;
  readonly bytes: Uint8Array;
  readonly time: number;
  /**
   * Submitted by this node's own user (a payment), not relayed by a peer: kept in preference when
   * the store is full, and kept while its inputs are unknown. Absent in records written before
   * it existed.
   */
  readonly own?: boolean;
}

/**
 * Where pending txs live so that a tx signed offline survives a reload. The node keeps it within
 * {@link PendingLimits}; the store itself does not need to bound anything.
 */
export interface PendingTxStore {
  load(): Promise<PendingTxRecord[]>;
  put(txid: string, bytes: Uint8Array, time: number, own?: boolean): Promise<void>;
  delete(txids: readonly string[]): Promise<void>;
}

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

/** Hashrate and state of a miner. */
export interface MinerStatus {
  readonly running: boolean;
  readonly workers: number;
  /** Hashes per second, all workers together. */
  readonly hashrate: number;
  readonly perWorker: readonly number[];
}

/**
 * A nonce searcher (Web Workers in the browser). It only searches: it never builds templates or
 * touches storage; the node hands it templates and validates what it finds like any block.
 */
export interface MinerPort {
  /** A new header to search (nonce ignored) with its target; older work is abandoned. */
  setTemplate(header: Uint8Array, target: bigint): void;
  start(workers: number): void;
  stop(): void;
  status(): MinerStatus;
  /** A header (with nonce) that meets the target. */
  onFound(handler: (header: Uint8Array) => void): void;
  /** The whole nonce space was searched: the node must roll the extra nonce or time. */
  onExhausted(handler: () => void): void;
}

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
