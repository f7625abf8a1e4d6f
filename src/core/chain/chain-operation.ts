/**
 * @module The state of one chain operation (a block, a batch of blocks, or headers): what its one
 * atomic write will hold, the active chain as it will be once that write lands, the coins it
 * reads and changes, and how to undo its memory changes if the write fails.
 */
import type { Block } from '../primitives/block.ts';
import type { BlockIndexEntry } from './block-index.ts';
import type { TreeChanges } from './block-tree.ts';
import type { BlockOutcome, ChainBlockEvent } from './chain-types.ts';
import { CoinCache, MapCoinView } from '../coins/coin-cache.ts';
import type { SpentCoin } from '../coins/coin.ts';

/** The parts of the tree as they will be once the operation's write lands. */
export class StagedActive {
  private forkHeight: number;
  private readonly path: BlockIndexEntry[] = [];

  constructor(private readonly active: readonly BlockIndexEntry[]) {
    this.forkHeight = active.length - 1;
  }

  get tip(): BlockIndexEntry {
    return this.path.length ? this.path[this.path.length - 1]! : this.active[this.forkHeight]!;
  }

  at(height: number): BlockIndexEntry | undefined {
    if (height <= this.forkHeight) return this.active[height];
    return this.path[height - this.forkHeight - 1];
  }

  contains(entry: BlockIndexEntry): boolean {
    return this.at(entry.height) === entry;
  }

  truncate(height: number): void {
    if (height <= this.forkHeight) {
      this.forkHeight = height;
      this.path.length = 0;
    } else this.path.length = height - this.forkHeight;
  }

  push(entry: BlockIndexEntry): void {
    this.path.push(entry);
  }

  changed(): boolean {
    return this.forkHeight !== this.active.length - 1 || this.path.length > 0;
  }

  /** The new active chain (reusing the old array's prefix). */
  apply(active: BlockIndexEntry[]): void {
    active.length = this.forkHeight + 1;
    // A loop, not push(...path): spreading 100k+ entries overflows the stack, after the write.
    for (const e of this.path) active.push(e);
  }
}

/** The state of one operation: what it will write, and how to undo its memory changes. */
export class Operation implements TreeChanges {
  readonly write = {
    index: new Map<string, BlockIndexEntry>(),
    bodies: new Map<string, Uint8Array>(),
    undo: new Map<string, readonly SpentCoin[]>(),
  };
  readonly blocks = new Map<string, Block>();
  /** What became of orphans released by their parent's arrival, by hash. */
  readonly released = new Map<string, BlockOutcome | BlockIndexEntry>();
  /** Coins as the store has them, fetched on demand (undefined: known absent). */
  readonly storeCoins = new MapCoinView();
  readonly coins = new CoinCache(this.storeCoins);
  readonly rollback: (() => void)[] = [];
  readonly disconnected: ChainBlockEvent[] = [];
  /** Undo data of the blocks disconnected (what their address-index entries are computed from). */
  readonly undoOfDisconnected = new Map<string, readonly SpentCoin[]>();
  readonly connected: ChainBlockEvent[] = [];
  readonly staged: StagedActive;

  constructor(active: readonly BlockIndexEntry[]) {
    this.staged = new StagedActive(active);
  }

  /** Undoes the operation's memory changes, newest first. */
  undoMemoryChanges(): void {
    for (const undo of this.rollback.reverse()) undo();
  }
}
