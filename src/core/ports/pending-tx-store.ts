/**
 * @module The `PendingTxStore` port: where pending txs live so that a tx signed offline survives
 * a reload. How much it may hold is the node's policy (node/pending-tx-store.ts).
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
