/**
 * @module The chain: a block tree with most-work fork choice, connect/disconnect with undo data,
 * reorgs of any depth, and events for connected and disconnected blocks.
 *
 * Accepting a block reads as a checklist that ends in an outcome (after nimiq's FullChain):
 * known · orphan (parent unknown) · rejected · side-chain · connected.
 *
 * Every operation (one block, a batch of blocks, a header) runs alone, in order, and ends in one
 * atomic {@link ChainStore.write}. Memory changes are rolled back if that write fails, so memory
 * and store never disagree. A reorg is computed in full (all disconnects and connects validated
 * against an in-memory coin cache) before anything is written: a crash leaves the old tip or the
 * new one. Fork choice: most cumulative work; a tie keeps the tip that was there first.
 */
import { checkBlockContext, checkHeaderContext, type BlockContext } from '../consensus/check-block-context.ts';
import { checkBlockSanity, checkHeaderSanity } from '../consensus/check-block-sanity.ts';
import { connectBlock, disconnectBlock } from '../consensus/connect-block.ts';
import { medianTime, requiredBits, type DifficultyPoint } from '../consensus/difficulty.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { validTarget, workFromBits } from '../consensus/pow.ts';
import { reject, type Rejection } from '../consensus/rejection.ts';
import { hashToHex } from '../encoding/hex.ts';
import type { Clock } from '../ports.ts';
import { blockSize, decodeBlock, encodeBlock, type Block } from '../primitives/block.ts';
import { txid, type Transaction } from '../primitives/transaction.ts';
import { headerHash, type BlockHeader } from '../primitives/header.ts';
import { Emitter, type Unsubscribe } from '../util/emitter.ts';
import { betterTip, recentTimes, toStored, type BlockIndexEntry } from './block-index.ts';
import { CoinCache, MapCoinView } from './coin-cache.ts';
import { outpointKey, type Coin, type OutpointKey, type SpentCoin } from './coin.ts';
import type { ChainStore, ChainWrite, StoredBlockIndex } from './chain-store.ts';
import { verifyCoinSet, type CoinSetCheck } from './verify-coin-set.ts';
import { DEFAULT_ORPHAN_LIMITS, OrphanPool, type OrphanLimits } from './orphan-pool.ts';

/** What became of one block handed to the chain. */
export type BlockOutcome =
  | { readonly status: 'connected'; readonly hash: string; readonly height: number }
  | { readonly status: 'side-chain'; readonly hash: string; readonly height: number }
  | { readonly status: 'orphan'; readonly hash: string; readonly missingParent: string }
  | { readonly status: 'known'; readonly hash: string }
  | { readonly status: 'rejected'; readonly hash: string; readonly rejection: Rejection };

export type HeaderOutcome =
  | { readonly status: 'accepted'; readonly hash: string; readonly height: number }
  | { readonly status: 'known'; readonly hash: string }
  | { readonly status: 'orphan'; readonly hash: string; readonly missingParent: string }
  | { readonly status: 'rejected'; readonly hash: string; readonly rejection: Rejection };

export interface ChainTip {
  readonly hash: string;
  readonly height: number;
  readonly chainWork: bigint;
  readonly header: BlockHeader;
}

/** One leaf of the block tree, as bitcoind's `getchaintips` reports it. */
export interface ChainTipInfo {
  readonly hash: string;
  readonly height: number;
  /** Blocks from the tip down to the active chain (0 for the active tip). */
  readonly branchLength: number;
  /**
   * active: the tip of the active chain · valid-fork: a branch whose blocks all have bodies and
   * none broke a rule (not necessarily connected yet) · headers-only: a body on the branch is
   * missing · invalid: the tip or an ancestor broke a consensus rule.
   */
  readonly status: 'active' | 'valid-fork' | 'headers-only' | 'invalid';
}

export interface ChainBlockEvent {
  readonly block: Block;
  readonly hash: string;
  readonly height: number;
}

export interface TipChangedEvent {
  readonly tip: ChainTip;
  /** Blocks taken off the active chain, tip first. */
  readonly disconnected: readonly ChainBlockEvent[];
  /** Blocks put on it, lowest first. */
  readonly connected: readonly ChainBlockEvent[];
}

export interface ChainEvents extends Record<string, unknown> {
  'block-connected': ChainBlockEvent;
  'block-disconnected': ChainBlockEvent;
  /** After every operation that moved the tip, once its write is durable. */
  'tip-changed': TipChangedEvent;
}

export interface ChainOptions {
  readonly params: NetworkParams;
  readonly store: ChainStore;
  readonly clock: Clock;
  readonly orphanLimits?: OrphanLimits;
  /** How many permanently invalid hashes outside the tree are remembered. */
  readonly maxRememberedInvalid?: number;
}

/** The parts of the tree as they will be once the operation's write lands. */
class StagedActive {
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
class Operation {
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
  readonly connected: ChainBlockEvent[] = [];
  readonly staged: StagedActive;

  constructor(active: readonly BlockIndexEntry[]) {
    this.staged = new StagedActive(active);
  }
}

export class Chain {
  private readonly params: NetworkParams;
  private readonly store: ChainStore;
  private readonly clock: Clock;
  private readonly index = new Map<string, BlockIndexEntry>();
  private readonly active: BlockIndexEntry[] = [];
  /** Blocks with data all the way down, not invalid: the ones that could become the tip. */
  private readonly candidates = new Set<BlockIndexEntry>();
  private readonly orphans: OrphanPool;
  private readonly rememberedInvalid = new Map<string, Rejection>();
  private readonly maxRememberedInvalid: number;
  private readonly events = new Emitter<ChainEvents>();
  private nextSequence = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly powLimit: bigint;

  private constructor(options: ChainOptions) {
    this.params = options.params;
    this.store = options.store;
    this.clock = options.clock;
    this.orphans = new OrphanPool(options.orphanLimits ?? DEFAULT_ORPHAN_LIMITS);
    this.maxRememberedInvalid = options.maxRememberedInvalid ?? 10_000;
    this.powLimit = validTarget(options.params.powLimitBits)!;
  }

  /** Opens the chain a store holds (writing the genesis block into an empty store). No replay. */
  static async open(options: ChainOptions): Promise<Chain> {
    const chain = new Chain(options);
    await chain.load();
    return chain;
  }

  private async load(): Promise<void> {
    const { index, tip } = await this.store.load();
    if (index.length === 0) {
      const genesis = this.params.genesis;
      const entry = this.addEntry(genesis.header, this.params.genesisHash, undefined, 0);
      entry.hasData = true;
      entry.dataChain = true;
      this.active.push(entry);
      await this.store.write({
        index: [toStored(entry)],
        bodies: [{ hash: entry.hash, bytes: encodeBlock(genesis) }],
        undo: [],
        coinsAdded: [],
        coinsSpent: [],
        txsDisconnected: [],
        txsConnected: [],
        tip: entry.hash,
      });
      return;
    }
    const sorted = [...index].sort((a, b) => a.height - b.height || a.sequence - b.sequence);
    if (sorted[0]!.height !== 0 || sorted[0]!.hash !== this.params.genesisHash) {
      throw new Error(`the store holds another network's chain (genesis ${sorted[0]!.hash}, expected ${this.params.genesisHash})`);
    }
    for (const stored of sorted) this.restoreEntry(stored);
    const tipEntry = tip === undefined ? undefined : this.index.get(tip);
    if (!tipEntry) throw new Error(`the store's tip ${tip} is not in its block index`);
    for (let e: BlockIndexEntry | undefined = tipEntry; e; e = e.parent) this.active[e.height] = e;
    for (const entry of this.index.values()) {
      if (entry.dataChain && !entry.invalid && entry.chainWork > tipEntry.chainWork) this.candidates.add(entry);
    }
  }

  private restoreEntry(stored: StoredBlockIndex): void {
    const parent = stored.height === 0 ? undefined : this.index.get(hashToHex(stored.header.prevHash));
    if (stored.height !== 0 && !parent) throw new Error(`stored block ${stored.hash} has no stored parent`);
    const entry: BlockIndexEntry = {
      hash: stored.hash,
      header: stored.header,
      height: stored.height,
      chainWork: stored.chainWork,
      parent,
      children: [],
      sequence: stored.sequence,
      anchor: undefined,
      hasData: stored.hasData,
      dataChain: stored.hasData && (parent ? parent.dataChain : true),
      invalid: stored.invalid,
    };
    // A store written before descendants were marked along with their ancestor still has them
    // valid: they descend from an invalid block all the same.
    if (!entry.invalid && parent?.invalid) entry.invalid = { code: 'bad-prevblk', message: `descends from invalid block ${parent.hash}` };
    this.link(entry);
    this.nextSequence = Math.max(this.nextSequence, stored.sequence + 1);
  }

  private addEntry(header: BlockHeader, hash: string, parent: BlockIndexEntry | undefined, height: number): BlockIndexEntry {
    const entry: BlockIndexEntry = {
      hash,
      header,
      height,
      chainWork: (parent?.chainWork ?? 0n) + workFromBits(header.bits),
      parent,
      children: [],
      sequence: this.nextSequence++,
      anchor: undefined,
      hasData: false,
      dataChain: false,
      invalid: undefined,
    };
    this.link(entry);
    return entry;
  }

  /** Files a new entry in the tree. */
  private link(entry: BlockIndexEntry): void {
    entry.anchor = entry.parent?.anchor ?? (entry.height === 1 ? entry : undefined);
    entry.parent?.children.push(entry);
    this.index.set(entry.hash, entry);
  }

  // ---- Queries -------------------------------------------------------------------------------

  get tip(): ChainTip {
    const e = this.active[this.active.length - 1]!;
    return { hash: e.hash, height: e.height, chainWork: e.chainWork, header: e.header };
  }

  get height(): number {
    return this.active.length - 1;
  }

  /** The block tree entry of a hash, on any branch. */
  entry(hash: string): Readonly<BlockIndexEntry> | undefined {
    return this.index.get(hash);
  }

  /**
   * Why a block is known to be invalid for good (its tree entry is marked, or it was refused
   * before it had one), or undefined. Sync asks it before requesting a header or body a peer
   * announced: an announcement of an invalid block is answered by scoring, not by a request.
   */
  invalidity(hash: string): Rejection | undefined {
    const e = this.index.get(hash);
    if (e) return e.invalid && reject(e.invalid.code, e.invalid.message);
    return this.rememberedInvalid.get(hash);
  }

  /** The active chain's entry at a height. */
  entryAt(height: number): Readonly<BlockIndexEntry> | undefined {
    return this.active[height];
  }

  /** True when the hash is on the active chain. */
  isActive(hash: string): boolean {
    const e = this.index.get(hash);
    return e !== undefined && this.active[e.height] === e;
  }

  /** A stored block body, decoded. */
  async getBlock(hash: string): Promise<Block | undefined> {
    const bytes = await this.store.getBlock(hash);
    return bytes && decodeBlock(bytes, this.params.limits);
  }

  /** A stored block body in its canonical encoding (what peers are sent). */
  getBlockBytes(hash: string): Promise<Uint8Array | undefined> {
    return this.store.getBlock(hash);
  }

  /** Coins of the current tip's coin set (what the mempool validates against). */
  getCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>> {
    return this.store.getCoins(keys);
  }

  /**
   * Checks the stored coin set against one rebuilt from the active chain's blocks (like
   * bitcoind's verifychain): after a crash or a storage failure, blocks, coins and tip must agree.
   */
  verifyCoins(): Promise<CoinSetCheck> {
    return this.exclusive(() => verifyCoinSet(this, this.store, this.params));
  }

  /** A tx of the active chain, with its block, from the tx index. */
  async findTx(id: string): Promise<{ tx: Transaction; blockHash: string; height: number } | undefined> {
    const blockHash = await this.store.getTxBlock(id);
    const entry = blockHash === undefined ? undefined : this.index.get(blockHash);
    if (!entry || this.active[entry.height] !== entry) return undefined;
    const block = await this.getBlock(entry.hash);
    const tx = block?.txs.find((t) => txid(t) === id);
    return tx && { tx, blockHash: entry.hash, height: entry.height };
  }

  /**
   * The coins a block spent when it was connected (its undo data), in spending order; undefined
   * for a block never connected (and for genesis). Coins created and spent within the block are
   * not among them: their outputs are in the block itself.
   */
  spentCoins(hash: string): Promise<readonly SpentCoin[] | undefined> {
    return this.store.getUndo(hash);
  }

  /**
   * Every leaf of the block tree, and the active tip (which may have headers-only or invalid
   * children), highest first (bitcoind's `getchaintips`). Walks the in-memory index: no store
   * reads; O(blocks known).
   */
  tips(): ChainTipInfo[] {
    const tip = this.active[this.active.length - 1]!;
    const tips: ChainTipInfo[] = [];
    for (const e of this.index.values()) {
      if (e === tip) {
        tips.push({ hash: e.hash, height: e.height, branchLength: 0, status: 'active' });
        continue;
      }
      if (e.children.length > 0) continue;
      let fork: BlockIndexEntry = e;
      while (this.active[fork.height] !== fork) fork = fork.parent!;
      const status = e.invalid ? 'invalid' : e.dataChain ? 'valid-fork' : 'headers-only';
      tips.push({ hash: e.hash, height: e.height, branchLength: e.height - fork.height, status });
    }
    return tips.sort((a, b) => b.height - a.height || a.branchLength - b.branchLength);
  }

  /** Confirmed coins a key may spend, as of the tip. */
  coinsOf(publicKey: Uint8Array): Promise<(Coin & { readonly key: OutpointKey })[]> {
    return this.store.coinsOf(publicKey);
  }

  /** Everything a block template on the tip needs. */
  nextBlockContext(now: number = this.clock.now()): BlockContext & { prevHash: Uint8Array } {
    const tip = this.active[this.active.length - 1]!;
    return { ...this.contextFor(tip, now), prevHash: headerHash(tip.header) };
  }

  /** Median time of the last `medianTimeSpan` blocks up to the tip. */
  medianTimePast(): number {
    return medianTime(recentTimes(this.active[this.active.length - 1]!, this.params.medianTimeSpan));
  }

  /** Hashes of the orphans' missing parents: what sync should ask peers for. */
  missingParents(): string[] {
    return this.orphans.missingParents();
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  /**
   * A block locator (Bitcoin's) from `fromHash` (default: the tip): that block, the 10 below it,
   * then exponentially sparser blocks down to genesis. A peer answers with headers after the
   * first hash it knows.
   */
  locator(fromHash?: string): string[] {
    let e: BlockIndexEntry | undefined = fromHash === undefined ? this.active[this.active.length - 1] : this.index.get(fromHash);
    const hashes: string[] = [];
    let step = 1;
    while (e && e.height > 0) {
      hashes.push(e.hash);
      if (hashes.length >= 10) step *= 2;
      const target = Math.max(0, e.height - step);
      // On the active chain jump straight there; on a branch walk the parents.
      if (this.active[e.height] === e) e = this.active[target];
      else while (e && e.height > target) e = e.parent;
    }
    hashes.push(this.active[0]!.hash);
    return hashes;
  }

  /** The valid header with the most work (its body may still be missing): where sync heads. */
  bestHeader(): Readonly<BlockIndexEntry> {
    let best = this.active[this.active.length - 1]!;
    for (const e of this.index.values()) {
      if (!e.invalid && betterTip(e, best)) best = e;
    }
    return best;
  }

  /**
   * Blocks whose bodies sync should fetch, lowest first: those missing on the way to the best
   * header, when it has more work than the tip. At most `max`.
   */
  blocksToDownload(max: number): Readonly<BlockIndexEntry>[] {
    const best = this.bestHeader();
    if (best.chainWork <= this.tip.chainWork) return [];
    const missing: BlockIndexEntry[] = [];
    for (let e: BlockIndexEntry | undefined = best as BlockIndexEntry; e && !e.dataChain; e = e.parent) if (!e.hasData) missing.push(e);
    return missing.reverse().slice(0, max);
  }

  /** Active-chain headers after the first locator hash on the active chain (a getheaders answer). */
  headersAfter(locator: readonly string[], stopHash: string | undefined, max: number): BlockHeader[] {
    let start = 0;
    for (const hash of locator) {
      const e = this.index.get(hash);
      if (e && this.active[e.height] === e) {
        start = e.height + 1;
        break;
      }
    }
    const headers: BlockHeader[] = [];
    for (let h = start; h <= this.height && headers.length < max; h++) {
      const e = this.active[h]!;
      headers.push(e.header);
      if (e.hash === stopHash) break;
    }
    return headers;
  }

  on<K extends keyof ChainEvents>(event: K, handler: (payload: ChainEvents[K]) => void): Unsubscribe {
    return this.events.on(event, handler);
  }

  // ---- Operations ----------------------------------------------------------------------------

  /** Validates a block and connects it (with a reorg if it makes a branch the best). */
  async processBlock(block: Block): Promise<BlockOutcome> {
    const [outcome] = await this.processBlocks([block]);
    return outcome!;
  }

  /**
   * Validates several blocks and connects what they make best, in one store write (initial
   * sync connects a batch of blocks at once). Outcomes are in input order.
   */
  processBlocks(blocks: readonly Block[]): Promise<BlockOutcome[]> {
    return this.exclusive(async () => {
      const op = new Operation(this.active);
      let accepted: (BlockOutcome | BlockIndexEntry)[];
      try {
        accepted = blocks.map((block) => this.acceptBlock(block, op));
        await this.activateBestChain(op);
      } catch (error) {
        // A store read that fails mid-activation: memory must not keep entries the store lacks.
        this.rollback(op);
        throw error;
      }
      await this.commit(op);
      return accepted.map((a) => {
        // An orphan whose parent came later in the batch reports what became of it.
        const settled = 'status' in a && a.status === 'orphan' ? (op.released.get(a.hash) ?? a) : a;
        return 'status' in settled ? settled : this.finalOutcome(settled);
      });
    });
  }

  /**
   * Headers-first sync: validates a header against its parent and adds it to the tree without
   * its body. A header never makes a block the tip; its body must follow.
   */
  processHeader(header: BlockHeader): Promise<HeaderOutcome> {
    return this.processHeaders([header]).then((outcomes) => outcomes[0]!);
  }

  /**
   * Several headers (a `headers` message) in one operation and one store write; each may build
   * on the ones before it. Outcomes are in input order.
   */
  processHeaders(headers: readonly BlockHeader[]): Promise<HeaderOutcome[]> {
    return this.exclusive(async () => {
      const op = new Operation(this.active);
      const outcomes = headers.map((header) => this.acceptHeader(header, op));
      await this.commit(op);
      return outcomes;
    });
  }

  private acceptHeader(header: BlockHeader, op: Operation): HeaderOutcome {
    const hashBytes = headerHash(header);
    const hash = hashToHex(hashBytes);
    const known = this.index.get(hash);
    if (known) {
      if (known.invalid) return { status: 'rejected', hash, rejection: reject(known.invalid.code, known.invalid.message) };
      return { status: 'known', hash };
    }
    const remembered = this.rememberedInvalid.get(hash);
    if (remembered) return { status: 'rejected', hash, rejection: remembered };
    const parentHash = hashToHex(header.prevHash);
    const parent = this.index.get(parentHash);
    if (!parent) {
      const invalidParent = this.invalidOutsideTree(header, hashBytes, parentHash);
      if (invalidParent) return this.rejected(hash, invalidParent);
      return { status: 'orphan', hash, missingParent: parentHash };
    }
    const rejection = this.checkHeader(header, hashBytes, parent);
    if (rejection) return this.rejected(hash, rejection);
    const entry = this.addEntry(header, hash, parent, parent.height + 1);
    op.rollback.push(() => this.removeEntry(entry));
    op.write.index.set(hash, entry);
    return { status: 'accepted', hash, height: entry.height };
  }

  /** Runs operations one at a time, in call order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkHeader(header: BlockHeader, hashBytes: Uint8Array, parent: BlockIndexEntry): Rejection | undefined {
    if (parent.invalid) return reject('bad-prevblk', `parent ${parent.hash} is invalid`);
    return checkHeaderSanity(header, hashBytes) ?? checkHeaderContext(header, this.contextFor(parent, this.clock.now()), this.params);
  }

  /**
   * bad-prevblk for a header whose parent is not in the tree but is remembered as invalid (a
   * descendant of a block refused before it had an entry), so it is refused at once instead of
   * waiting as an orphan. Only a header with valid proof of work is judged so: headers that cost
   * nothing must not push real invalid hashes out of the bounded memory.
   */
  private invalidOutsideTree(header: BlockHeader, hashBytes: Uint8Array, parentHash: string): Rejection | undefined {
    if (!this.rememberedInvalid.has(parentHash) || checkHeaderSanity(header, hashBytes)) return undefined;
    return reject('bad-prevblk', `parent ${parentHash} is invalid`);
  }

  private contextFor(parent: BlockIndexEntry, now: number): BlockContext {
    const point = (e: BlockIndexEntry): DifficultyPoint => ({ height: e.height, time: e.header.time, bits: e.header.bits });
    return {
      height: parent.height + 1,
      expectedBits: requiredBits(point(parent), parent.anchor && point(parent.anchor), this.params),
      medianTimePast: medianTime(recentTimes(parent, this.params.medianTimeSpan)),
      now,
    };
  }

  private rejected(hash: string, rejection: Rejection): { status: 'rejected'; hash: string; rejection: Rejection } {
    if (rejection.permanent) {
      if (this.rememberedInvalid.size >= this.maxRememberedInvalid) {
        this.rememberedInvalid.delete(this.rememberedInvalid.keys().next().value!);
      }
      this.rememberedInvalid.set(hash, rejection);
    }
    return { status: 'rejected', hash, rejection };
  }

  /**
   * Stages 1 and 2 for one block, then files it in the tree with its body. Returns an outcome
   * when the block is settled here (known, orphan, rejected); its tree entry when activation
   * will tell whether it connected.
   */
  private acceptBlock(block: Block, op: Operation): BlockOutcome | BlockIndexEntry {
    const hashBytes = headerHash(block.header);
    const hash = hashToHex(hashBytes);
    const existing = this.index.get(hash);
    if (existing?.invalid) return { status: 'rejected', hash, rejection: reject(existing.invalid.code, existing.invalid.message) };
    if (existing?.hasData) return { status: 'known', hash };
    const remembered = this.rememberedInvalid.get(hash);
    if (remembered) return { status: 'rejected', hash, rejection: remembered };
    const parentHash = hashToHex(block.header.prevHash);
    if (this.orphans.has(hash)) return { status: 'orphan', hash, missingParent: parentHash };
    const parent = this.index.get(parentHash);
    if (!parent) {
      // Only a block with valid proof of work, at least as hard as the network's easiest, may
      // take a place in the pool.
      const rejection = checkHeaderSanity(block.header, hashBytes);
      if (rejection) return this.rejected(hash, rejection);
      if (validTarget(block.header.bits)! > this.powLimit) {
        return { status: 'rejected', hash, rejection: reject('bad-diffbits', 'target is easier than the network allows') };
      }
      const invalidParent = this.invalidOutsideTree(block.header, hashBytes, parentHash);
      if (invalidParent) return this.rejected(hash, invalidParent);
      this.orphans.add(block, hash, parentHash, blockSize(block), this.clock.now());
      return { status: 'orphan', hash, missingParent: parentHash };
    }
    if (parent.invalid) return this.rejected(hash, reject('bad-prevblk', `parent ${parent.hash} is invalid`));
    const rejection =
      checkBlockSanity(block, this.params, hashBytes) ?? checkBlockContext(block, this.contextFor(parent, this.clock.now()), this.params);
    if (rejection) {
      // A body that breaks a rule for good (its merkle root matched, so the header commits to
      // it) condemns the header already in the tree: mark it and its descendants invalid in the
      // store, so nothing of the branch is wanted again, after a restart too (Bitcoin Core's
      // BLOCK_FAILED_VALID / BLOCK_FAILED_CHILD). A block never seen as a header is only
      // remembered: it costs no store space.
      if (existing && rejection.permanent) {
        this.markInvalid(existing, rejection, op);
        return { status: 'rejected', hash, rejection };
      }
      return this.rejected(hash, rejection);
    }

    const entry = existing ?? this.addEntry(block.header, hash, parent, parent.height + 1);
    if (!existing) op.rollback.push(() => this.removeEntry(entry));
    entry.hasData = true;
    op.rollback.push(() => (entry.hasData = false));
    op.write.index.set(hash, entry);
    op.write.bodies.set(hash, encodeBlock(block));
    op.blocks.set(hash, block);
    if (parent.dataChain) this.markDataChain(entry, op);

    // The block may be the parent orphans were waiting for.
    for (const child of this.orphans.takeChildren(hash)) {
      // Back to the pool if the write fails, or the child would be lost.
      op.rollback.push(() => this.orphans.add(child.block, child.hash, hash, blockSize(child.block), this.clock.now()));
      op.released.set(child.hash, this.acceptBlock(child.block, op));
    }
    return entry;
  }

  private removeEntry(entry: BlockIndexEntry): void {
    this.index.delete(entry.hash);
    const siblings = entry.parent?.children;
    if (siblings) siblings.splice(siblings.indexOf(entry), 1);
    this.candidates.delete(entry);
  }

  /** The entry and its descendants with bodies can now be connected. */
  private markDataChain(start: BlockIndexEntry, op: Operation): void {
    const stack = [start];
    while (stack.length) {
      const e = stack.pop()!;
      if (!e.hasData || e.dataChain) continue;
      e.dataChain = true;
      op.rollback.push(() => (e.dataChain = false));
      if (!e.invalid) {
        this.candidates.add(e);
        op.rollback.push(() => this.candidates.delete(e));
      }
      stack.push(...e.children);
    }
  }

  /** Marks a block invalid and every descendant invalid through it (test-plan A.10). */
  private markInvalid(entry: BlockIndexEntry, rejection: Rejection, op: Operation): void {
    const stack: [BlockIndexEntry, Pick<Rejection, 'code' | 'message'>][] = [[entry, rejection]];
    while (stack.length) {
      const [e, why] = stack.pop()!;
      if (e.invalid) continue;
      e.invalid = why;
      const wasCandidate = this.candidates.delete(e);
      op.rollback.push(() => {
        e.invalid = undefined;
        if (wasCandidate) this.candidates.add(e);
      });
      op.write.index.set(e.hash, e);
      for (const child of e.children) stack.push([child, { code: 'bad-prevblk', message: `descends from invalid block ${entry.hash}` }]);
    }
  }

  private bestCandidate(): BlockIndexEntry | undefined {
    let best: BlockIndexEntry | undefined;
    for (const c of this.candidates) {
      if (!best || betterTip(c, best)) best = c;
    }
    return best;
  }

  private async blockOf(entry: BlockIndexEntry, op: Operation): Promise<Block> {
    const staged = op.blocks.get(entry.hash);
    if (staged) return staged;
    const block = await this.getBlock(entry.hash);
    if (!block) throw new Error(`block ${entry.hash} is marked as stored but its body is missing`);
    op.blocks.set(entry.hash, block);
    return block;
  }

  private async undoOf(entry: BlockIndexEntry, op: Operation): Promise<readonly SpentCoin[]> {
    const undo = op.write.undo.get(entry.hash) ?? (await this.store.getUndo(entry.hash));
    if (!undo) throw new Error(`undo data of active block ${entry.hash} is missing`);
    return undo;
  }

  /** Fetches from the store the coins a block spends that the operation has not seen yet. */
  private async loadCoins(block: Block, op: Operation): Promise<void> {
    const wanted: OutpointKey[] = [];
    for (const tx of block.txs) {
      for (const input of tx.inputs) {
        const key = outpointKey(input.prevTxid, input.vout);
        if (!op.storeCoins.coins.has(key)) wanted.push(key);
      }
    }
    if (wanted.length === 0) return;
    const found = await this.store.getCoins(wanted);
    for (const key of wanted) op.storeCoins.coins.set(key, found.get(key));
  }

  /**
   * Moves the staged tip to the best valid candidate (Bitcoin's ActivateBestChain). A branch
   * whose block fails to connect is marked invalid; its valid prefix is kept only if it has more
   * work than the tip; then the next best candidate is tried.
   */
  private async activateBestChain(op: Operation): Promise<void> {
    for (;;) {
      const staged = op.staged;
      const best = this.bestCandidate();
      if (!best || best.chainWork <= staged.tip.chainWork) return;

      const path: BlockIndexEntry[] = [];
      let fork: BlockIndexEntry = best;
      while (!staged.contains(fork)) {
        path.push(fork);
        fork = fork.parent!;
      }
      path.reverse();

      const round = new CoinCache(op.coins);
      const disconnected: ChainBlockEvent[] = [];
      for (let h = staged.tip.height; h > fork.height; h--) {
        const entry = staged.at(h)!;
        const block = await this.blockOf(entry, op);
        disconnectBlock(block, await this.undoOf(entry, op), round);
        disconnected.push({ block, hash: entry.hash, height: h });
      }

      const connected: ChainBlockEvent[] = [];
      const undo: [string, readonly SpentCoin[]][] = [];
      let failed = false;
      for (const entry of path) {
        const block = await this.blockOf(entry, op);
        await this.loadCoins(block, op);
        const result = connectBlock(block, entry.height, round, this.params);
        if (!result.ok) {
          this.markInvalid(entry, result, op);
          failed = true;
          break;
        }
        undo.push([entry.hash, result.value.spent]);
        connected.push({ block, hash: entry.hash, height: entry.height });
      }
      const reached = connected.length ? this.index.get(connected[connected.length - 1]!.hash)! : fork;
      if (failed && reached.chainWork <= staged.tip.chainWork) continue;

      round.mergeInto(op.coins);
      for (const [hash, spent] of undo) op.write.undo.set(hash, spent);
      staged.truncate(fork.height);
      for (const c of connected) staged.push(this.index.get(c.hash)!);
      for (const d of disconnected) op.disconnected.push(d);
      for (const c of connected) op.connected.push(c);
    }
  }

  /** Writes the operation atomically, then makes memory match and tells subscribers. */
  private async commit(op: Operation): Promise<void> {
    const tipChanged = op.staged.changed();
    const change: ChainWrite = {
      index: [...op.write.index.values()].map(toStored),
      bodies: [...op.write.bodies].map(([hash, bytes]) => ({ hash, bytes })),
      undo: [...op.write.undo].map(([hash, spent]) => ({ hash, spent })),
      coinsAdded: [...op.coins.added],
      coinsSpent: [...op.coins.spent],
      txsDisconnected: op.disconnected.flatMap((d) => d.block.txs.map(txid)),
      txsConnected: op.connected.flatMap((c) => c.block.txs.map((tx): [string, string] => [txid(tx), c.hash])),
      ...(tipChanged ? { tip: op.staged.tip.hash } : {}),
    };
    const empty = !change.index.length && !change.bodies.length && !tipChanged;
    if (!empty) {
      try {
        await this.store.write(change);
      } catch (error) {
        this.rollback(op);
        throw error;
      }
    }
    op.staged.apply(this.active);
    // A block with no more work than the tip can never win: ties keep the tip.
    const tipWork = this.active[this.active.length - 1]!.chainWork;
    for (const c of this.candidates) if (c.chainWork <= tipWork) this.candidates.delete(c);
    if (!tipChanged) return;
    for (const d of op.disconnected) this.events.emit('block-disconnected', d);
    for (const c of op.connected) this.events.emit('block-connected', c);
    this.events.emit('tip-changed', { tip: this.tip, disconnected: op.disconnected, connected: op.connected });
  }

  /** Undoes an operation's memory changes, newest first. */
  private rollback(op: Operation): void {
    for (const undo of op.rollback.reverse()) undo();
  }

  private finalOutcome(entry: BlockIndexEntry): BlockOutcome {
    if (entry.invalid) return { status: 'rejected', hash: entry.hash, rejection: reject(entry.invalid.code, entry.invalid.message) };
    if (this.active[entry.height] === entry) return { status: 'connected', hash: entry.hash, height: entry.height };
    return { status: 'side-chain', hash: entry.hash, height: entry.height };
  }
}

