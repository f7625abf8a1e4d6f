/**
 * @module The ports through which the core reaches the world. Adapters outside core implement
 * them (IndexedDB, Web Workers, WebRTC, the system clock); tests use in-memory ones.
 */
export type { ChainStore, ChainWrite, StoredBlockIndex } from './chain/chain-store.ts';

/** Time, in unix seconds. The core never reads a clock of its own. */
export interface Clock {
  now(): number;
}
