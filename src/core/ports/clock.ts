/**
 * @module The `Clock` port. The ports (one file each in this folder) are how the core reaches the
 * world: adapters outside core implement them (IndexedDB, LevelDB, Web Workers, the system
 * clock); tests use in-memory ones.
 */

/** Time, in unix seconds. The core never reads a clock of its own. */
export interface Clock {
  now(): number;
}
