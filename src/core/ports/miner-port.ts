/**
 * @module The `MinerPort` port: the nonce searcher the node hands templates to (Web Workers in the
 * browser, worker_threads in Node).
 */

/** Hashrate and state of a miner. */
export interface MinerStatus {
  readonly running: boolean;
  readonly workers: number;
  /** Hashes per second, all workers together. */
  readonly hashrate: number;
  readonly perWorker: readonly number[];
  /**
   * How the searcher hashes, in its own words (e.g. 'wasm-simd' or 'js' for the browser's
   * workers), once it knows; absent before.
   */
  readonly kernel?: string;
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
  /** The miner cannot work (its workers could not be started): the node stops mining and says why. */
  onFailed?(handler: (error: Error) => void): void;
}
