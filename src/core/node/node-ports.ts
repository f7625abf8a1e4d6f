/**
 * @module The ports a full node needs beyond the chain store and the clock.
 */

/** Where pending txs live so that a tx signed offline survives a reload. */
export interface PendingTxStore {
  load(): Promise<{ readonly txid: string; readonly bytes: Uint8Array; readonly time: number }[]>;
  put(txid: string, bytes: Uint8Array, time: number): Promise<void>;
  delete(txids: readonly string[]): Promise<void>;
}

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
  readonly txs = new Map<string, { txid: string; bytes: Uint8Array; time: number }>();
  async load() {
    return [...this.txs.values()];
  }
  async put(txid: string, bytes: Uint8Array, time: number) {
    this.txs.set(txid, { txid, bytes, time });
  }
  async delete(txids: readonly string[]) {
    for (const id of txids) this.txs.delete(id);
  }
}
