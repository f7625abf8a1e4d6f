/**
 * @module The chain: the atomic operation over the block tree. Each operation (one block, a batch
 * of blocks, a header batch) runs alone, in order: acceptance (accept-block.ts) files what it was
 * handed, activation (activate-best-chain.ts) moves the staged tip to the most-work valid
 * candidate with connects, disconnects and reorgs computed in memory, and the operation ends in
 * one atomic {@link ChainStore.write}. Memory changes are rolled back if that write fails, so
 * memory and store never disagree: a crash leaves the old tip or the new one. Events fire after
 * the write. The tree itself and its queries live in block-tree.ts; `Chain` answers them for
 * callers, with the reads that go to the store.
 */
import type { BlockContext } from '../consensus/check-block-context.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { reject, type Rejection } from '../consensus/rejection.ts';
import { SignatureChecks } from '../consensus/signature-checks.ts';
import type { Clock } from '../ports/clock.ts';
import { decodeBlock, encodeBlock, type Block } from '../primitives/block.ts';
import { txid, type Transaction } from '../primitives/transaction.ts';
import { headerHash, type BlockHeader } from '../primitives/header.ts';
import { Emitter, type Unsubscribe } from '../util/emitter.ts';
import { BlockAcceptor } from './accept-block.ts';
import { activateBestChain, type ActivationSource } from './activate-best-chain.ts';
import { toStored, type BlockIndexEntry } from './block-index.ts';
import { BlockTree } from './block-tree.ts';
import { Operation } from './chain-operation.ts';
import type { AddressPage, AddressTx, ChainStore, ChainWrite } from '../ports/chain-store.ts';
import { addressEntries } from './address-index.ts';
import type { BlockOutcome, ChainEvents, ChainTip, ChainTipInfo, HeaderOutcome } from './chain-types.ts';
import type { Coin, OutpointKey, SpentCoin } from '../coins/coin.ts';
import { verifyCoinSet, type CoinSetCheck } from './verify-coin-set.ts';
import { DEFAULT_ORPHAN_LIMITS, OrphanPool, type OrphanLimits } from './orphan-pool.ts';

export type { BlockOutcome, ChainBlockEvent, ChainEvents, ChainTip, ChainTipInfo, HeaderOutcome, TipChangedEvent } from './chain-types.ts';

export interface ChainOptions {
  readonly params: NetworkParams;
  readonly store: ChainStore;
  readonly clock: Clock;
  readonly orphanLimits?: OrphanLimits;
  /** How many permanently invalid hashes outside the tree are remembered. */
  readonly maxRememberedInvalid?: number;
  /** Verifies blocks' signatures (default: in process, with a cache of its own). */
  readonly signatures?: SignatureChecks;
}
export class Chain {
  private readonly params: NetworkParams;
  private readonly store: ChainStore;
  private readonly clock: Clock;
  private readonly tree: BlockTree;
  private readonly orphans: OrphanPool;
  private readonly acceptor: BlockAcceptor;
  private readonly activation: ActivationSource;
  private readonly events = new Emitter<ChainEvents>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(options: ChainOptions) {
    this.params = options.params;
    this.store = options.store;
    this.clock = options.clock;
    this.tree = new BlockTree(options.params, options.maxRememberedInvalid ?? 10_000);
    this.orphans = new OrphanPool(options.orphanLimits ?? DEFAULT_ORPHAN_LIMITS);
    this.acceptor = new BlockAcceptor(this.tree, this.orphans, options.params, options.clock);
    this.activation = {
      tree: this.tree,
      params: this.params,
      store: this.store,
      signatures: options.signatures ?? new SignatureChecks(),
      getBlock: (hash) => this.getBlock(hash),
    };
  }

  /** Opens the chain a store holds (writing the genesis block into an empty store). No replay. */
  static async open(options: ChainOptions): Promise<Chain> {
    const chain = new Chain(options);
    await chain.load();
    return chain;
  }

  private async load(): Promise<void> {
    const { index, tip } = await this.store.load();
    if (index.length > 0) {
      this.tree.restore(index, tip);
      return;
    }
    const entry = this.tree.startWithGenesis();
    await this.store.write({
      index: [toStored(entry)],
      bodies: [{ hash: entry.hash, bytes: encodeBlock(this.params.genesis) }],
      undo: [],
      coinsAdded: [],
      coinsSpent: [],
      txsDisconnected: [],
      txsConnected: [],
      addressesDisconnected: [],
      addressesConnected: addressEntries(this.params.genesis, 0, []),
      tip: entry.hash,
    });
  }

  // ---- Queries of the tree (block-tree.ts) ---------------------------------------------------

  get tip(): ChainTip {
    return this.tree.tip;
  }

  get height(): number {
    return this.tree.height;
  }

  /** The block tree entry of a hash, on any branch. */
  entry(hash: string): Readonly<BlockIndexEntry> | undefined {
    return this.tree.get(hash);
  }

  /**
   * Why a block is known to be invalid for good (its tree entry is marked, or it was refused
   * before it had one), or undefined. Sync asks it before requesting a header or body a peer
   * announced: an announcement of an invalid block is answered by scoring, not by a request.
   */
  invalidity(hash: string): Rejection | undefined {
    return this.tree.invalidity(hash);
  }

  /** The active chain's entry at a height. */
  entryAt(height: number): Readonly<BlockIndexEntry> | undefined {
    return this.tree.active[height];
  }

  /** True when the hash is on the active chain. */
  isActive(hash: string): boolean {
    return this.tree.isActiveEntry(this.tree.get(hash));
  }

  /** Every leaf of the block tree and the active tip, highest first (bitcoind's `getchaintips`). */
  tips(): ChainTipInfo[] {
    return this.tree.tips();
  }

  /** Everything a block template on the tip needs. */
  nextBlockContext(now: number = this.clock.now()): BlockContext & { prevHash: Uint8Array } {
    const tip = this.tree.tipEntry;
    return { ...this.tree.contextFor(tip, now), prevHash: headerHash(tip.header) };
  }

  /** Median time of the last `medianTimeSpan` blocks up to the tip. */
  medianTimePast(): number {
    return this.tree.medianTimePast();
  }

  /** Hashes of the orphans' missing parents: what sync should ask peers for. */
  missingParents(): string[] {
    return this.orphans.missingParents();
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  /** A block locator (Bitcoin's) from `fromHash` (default: the tip). */
  locator(fromHash?: string): string[] {
    return this.tree.locator(fromHash);
  }

  /** The valid header with the most work (its body may still be missing): where sync heads. */
  bestHeader(): Readonly<BlockIndexEntry> {
    return this.tree.bestHeader();
  }

  /** Bodies sync should fetch, lowest first, on the way to a best header with more work than the tip. */
  blocksToDownload(max: number): Readonly<BlockIndexEntry>[] {
    return this.tree.blocksToDownload(max);
  }

  /** Active-chain headers after the first locator hash on the active chain (a getheaders answer). */
  headersAfter(locator: readonly string[], stopHash: string | undefined, max: number): BlockHeader[] {
    return this.tree.headersAfter(locator, stopHash, max);
  }

  // ---- Reads from the store ------------------------------------------------------------------

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

  /** Confirmed coins a key may spend, as of the tip. */
  coinsOf(publicKey: Uint8Array): Promise<(Coin & { readonly key: OutpointKey })[]> {
    return this.store.coinsOf(publicKey);
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
    const entry = blockHash === undefined ? undefined : this.tree.get(blockHash);
    if (!this.tree.isActiveEntry(entry)) return undefined;
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
   * A key's txs on the active chain, newest first, from the address index (one range read): at
   * most `page.limit` (all when absent), strictly before `page.before`.
   */
  addressTxs(publicKey: Uint8Array, page?: AddressPage): Promise<AddressTx[]> {
    return this.store.addressTxs(publicKey, page);
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
   * sync connects a batch of blocks at once). Outcomes are in input order. `encoded`, when
   * given, holds each block's wire bytes (what it was decoded from, canonical since a decoded
   * block re-encodes to its input): they are stored as they are, not encoded again (an orphan
   * keeps them in the pool until its parent comes).
   */
  processBlocks(blocks: readonly Block[], encoded?: readonly Uint8Array[]): Promise<BlockOutcome[]> {
    return this.exclusive(async () => {
      const op = new Operation(this.tree.active);
      let accepted: (BlockOutcome | BlockIndexEntry)[];
      try {
        accepted = blocks.map((block, i) => this.acceptor.acceptBlock(block, op, encoded?.[i]));
        await activateBestChain(this.activation, op);
      } catch (error) {
        // A store read that fails mid-activation: memory must not keep entries the store lacks.
        op.undoMemoryChanges();
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
      const op = new Operation(this.tree.active);
      const outcomes = headers.map((header) => this.acceptor.acceptHeader(header, op));
      await this.commit(op);
      return outcomes;
    });
  }

  /** Runs operations one at a time, in call order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
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
      ...addressChanges(op),
      ...(tipChanged ? { tip: op.staged.tip.hash } : {}),
    };
    const empty = !change.index.length && !change.bodies.length && !tipChanged;
    if (!empty) {
      try {
        await this.store.write(change);
      } catch (error) {
        op.undoMemoryChanges();
        throw error;
      }
    }
    op.staged.apply(this.tree.active);
    this.tree.pruneCandidates();
    if (!tipChanged) return;
    for (const d of op.disconnected) this.events.emit('block-disconnected', d);
    for (const c of op.connected) this.events.emit('block-connected', c);
    this.events.emit('tip-changed', { tip: this.tip, disconnected: op.disconnected, connected: op.connected });
  }

  private finalOutcome(entry: BlockIndexEntry): BlockOutcome {
    if (entry.invalid) return { status: 'rejected', hash: entry.hash, rejection: reject(entry.invalid.code, entry.invalid.message) };
    if (this.tree.active[entry.height] === entry) return { status: 'connected', hash: entry.hash, height: entry.height };
    return { status: 'side-chain', hash: entry.hash, height: entry.height };
  }
}

/**
 * The operation's address-index change: every entry of every block it disconnected goes, then
 * the entries of the blocks it leaves connected come. A block connected in one round of
 * activation and disconnected in a later one is listed by both; only blocks on the final active
 * chain are added, and deletes go first, so such a block leaves nothing behind.
 */
function addressChanges(op: Operation): Pick<ChainWrite, 'addressesDisconnected' | 'addressesConnected'> {
  const addressesDisconnected = op.disconnected.flatMap((d) =>
    addressEntries(d.block, d.height, op.undoOfDisconnected.get(d.hash)!).map(({ publicKey, height, position }) => ({ publicKey, height, position })),
  );
  const addressesConnected = op.connected
    .filter((c) => op.staged.at(c.height)?.hash === c.hash)
    .flatMap((c) => addressEntries(c.block, c.height, op.write.undo.get(c.hash)!));
  return { addressesDisconnected, addressesConnected };
}
