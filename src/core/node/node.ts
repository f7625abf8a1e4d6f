/**
 * @module The full node: the chain, the mempool and the miner wired together, with one place to
 * submit blocks and txs and one stream of events for the UI and for peers.
 *
 * Found blocks go through the same validation as any block. The mining template is rebuilt when
 * the tip changes, when the pool gains a tx (at most once per second of the node's clock), and
 * when the miner has searched every nonce (a new extra nonce and a fresh time).
 */
import { Chain, type BlockOutcome, type ChainBlockEvent, type ChainTip } from '../chain/chain.ts';
import type { ChainStore } from '../ports/chain-store.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { validTarget } from '../consensus/pow.ts';
import type { Result } from '../consensus/rejection.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { createBlockTemplate } from '../mempool/block-template.ts';
import { Mempool, type AcceptedTx, type MempoolEntry } from '../mempool/mempool.ts';
import type { Clock } from '../ports/clock.ts';
import type { Block } from '../primitives/block.ts';
import { decodeHeader, encodeHeader } from '../primitives/header.ts';
import { bytesEqual } from '../encoding/hex.ts';
import { decodeTx, encodeTx, txid, type Transaction } from '../primitives/transaction.ts';
import { plainDecoder, type Decoder } from '../primitives/decoder.ts';
import { Emitter, type Unsubscribe } from '../util/emitter.ts';
import type { MinerPort, MinerStatus } from '../ports/miner-port.ts';
import type { PendingTxStore } from '../ports/pending-tx-store.ts';
import type { SignatureVerifier } from '../ports/signature-verifier.ts';
import { SignatureChecks } from '../consensus/signature-checks.ts';
import { DEFAULT_SIGNATURE_CACHE_SIZE, VerifiedSignatureCache } from '../crypto/verified-signature-cache.ts';
import { DEFAULT_PENDING_LIMITS, type PendingLimits } from './pending-tx-store.ts';

export interface NodeOptions {
  readonly params: NetworkParams;
  readonly chainStore: ChainStore;
  readonly clock: Clock;
  readonly pendingStore?: PendingTxStore;
  readonly miner?: MinerPort;
  /** The key new coinbases pay (the wallet's receive key). */
  readonly coinbaseKey?: () => Uint8Array;
  /** Pending txs older than this many seconds that still cannot enter the pool are dropped. */
  readonly pendingTtl?: number;
  /** Bounds of the pending-tx store (default {@link DEFAULT_PENDING_LIMITS}). */
  readonly pendingLimits?: PendingLimits;
  /** Verifies signatures in bulk (a pool of workers); default: in process. */
  readonly signatureVerifier?: SignatureVerifier;
  /** Verified signatures remembered (default {@link DEFAULT_SIGNATURE_CACHE_SIZE}). */
  readonly signatureCacheSize?: number;
  /** Turns peers' bytes into txs and blocks (default: a fresh object each time; decoder.ts). */
  readonly decoder?: Decoder;
}

/** What the node knows of a persisted pending tx, to keep the store within its limits. */
interface PersistedTx {
  readonly size: number;
  readonly time: number;
  readonly own: boolean;
}

export interface NodeEvents extends Record<string, unknown> {
  tip: ChainTip;
  'block-connected': ChainBlockEvent;
  'block-disconnected': ChainBlockEvent;
  'tx-accepted': MempoolEntry;
  'tx-removed': { readonly txid: string; readonly reason: string };
  /** A block this node mined was accepted. */
  'block-found': { readonly hash: string; readonly height: number };
  /** Work the node does by itself (mining) failed, for example because storage is full. */
  error: { readonly error: unknown };
}

interface MiningJob {
  readonly template: Block;
  readonly builtAt: number;
}

export class Node {
  readonly params: NetworkParams;
  readonly chain: Chain;
  readonly mempool: Mempool;
  private readonly events = new Emitter<NodeEvents>();
  /** The node's clock (unix seconds): also what the network signs relayed signals with. */
  readonly clock: Clock;
  /** What turns peers' bytes into txs and blocks (decoder.ts). */
  readonly decoder: Decoder;
  private readonly pendingStore: PendingTxStore | undefined;
  private readonly miner: MinerPort | undefined;
  private readonly coinbaseKey: (() => Uint8Array) | undefined;
  private readonly pendingTtl: number;
  private readonly pendingLimits: PendingLimits;
  /** The pending-tx store's contents (sizes, times, own or relayed), in step with it. */
  private readonly persisted = new Map<string, PersistedTx>();
  private persistedBytes = 0;
  private mining = false;
  private job: MiningJob | undefined;
  private extraNonce = 0n;
  private reorgRemoved: string[] = [];
  /** Txids inside submitTx, which saves them itself. */
  private readonly submitting = new Set<string>();
  /** The miner runs because mine() started it (not the user): it stops when mine()'s work is done. */
  private minedOnDemand = false;
  private readonly mineWaiters: { remaining: number; hashes: string[]; resolve: (hashes: string[]) => void; reject: (error: unknown) => void }[] = [];

  private constructor(options: NodeOptions, chain: Chain, signatures: SignatureChecks) {
    this.params = options.params;
    this.chain = chain;
    this.clock = options.clock;
    this.decoder = options.decoder ?? plainDecoder;
    this.pendingStore = options.pendingStore;
    this.miner = options.miner;
    this.coinbaseKey = options.coinbaseKey;
    this.pendingTtl = options.pendingTtl ?? 14 * 24 * 3600;
    this.pendingLimits = options.pendingLimits ?? DEFAULT_PENDING_LIMITS;
    this.mempool = new Mempool({
      params: options.params,
      fetchCoins: (keys) => chain.getCoins(keys),
      tip: () => chain.tip,
      clock: options.clock,
      signatures,
    });

    chain.on('block-connected', (e) => this.events.emit('block-connected', e));
    chain.on('block-disconnected', (e) => this.events.emit('block-disconnected', e));
    chain.on('tip-changed', (e) => {
      void this.mempool
        .onTipChanged(e)
        .then(
          () => {
            // Txs a reorg took out and could not put back (now conflicting or immature) are gone for good.
            const gone = this.reorgRemoved.filter((id) => !this.mempool.has(id));
            this.reorgRemoved = [];
            if (gone.length) this.quietly(this.unpersist(gone));
          },
          (error: unknown) => this.reportError(error),
        )
        // The miner waits for new work after a hit: it gets it however the pool's update went.
        .finally(() => this.refreshTemplate(true));
      this.events.emit('tip', e.tip);
    });
    this.mempool.on('tx-accepted', (entry) => {
      this.events.emit('tx-accepted', entry);
      // submitTx saves its own tx and reports a failure to its caller; others (relayed txs,
      // orphans adopted later, txs back from a reorg) can only report one. A tx already stored
      // (restored at start-up, or the user's own tx waiting for its inputs) is not written again.
      if (!this.submitting.has(entry.txid) && !this.persisted.has(entry.txid)) this.quietly(this.persist(entry.txid, encodeTx(entry.tx), entry.time, false));
      this.refreshTemplate(false);
    });
    this.mempool.on('tx-removed', (e) => {
      this.events.emit('tx-removed', e);
      // A reorg takes every tx out and puts back the valid ones: decide after it is done.
      if (e.reason === 'reorg') this.reorgRemoved.push(e.txid);
      else this.unpersistSoon(e.txid);
    });
    this.miner?.onFound((header) => {
      // Nothing was written (store writes are atomic); stop rather than spin on the same failure.
      this.onMinerFound(header).catch((error: unknown) => this.miningFailed(error));
    });
    // A miner that cannot work ends mine() with its reason instead of leaving it waiting.
    this.miner?.onFailed?.((error) => this.miningFailed(error));
    this.miner?.onExhausted(() => {
      this.extraNonce++;
      this.refreshTemplate(true);
    });
  }

  /** Opens the chain from its store and puts persisted pending txs back into the pool. */
  static async open(options: NodeOptions): Promise<Node> {
    // One cache for the chain and the mempool: a tx verified on entering the pool is not verified
    // again in its block.
    const verifier = options.signatureVerifier;
    const signatures = new SignatureChecks(
      verifier ? (jobs) => verifier.verify(jobs) : undefined,
      new VerifiedSignatureCache(options.signatureCacheSize ?? DEFAULT_SIGNATURE_CACHE_SIZE),
    );
    const chain = await Chain.open({ params: options.params, store: options.chainStore, clock: options.clock, signatures });
    const node = new Node(options, chain, signatures);
    await node.restorePending();
    return node;
  }

  private async restorePending(): Promise<void> {
    if (!this.pendingStore) return;
    const now = this.clock.now();
    const stale: string[] = [];
    const records = (await this.pendingStore.load()).sort((a, b) => a.time - b.time);
    for (const { txid, bytes, time, own } of records) this.track(txid, { size: bytes.length, time, own: own === true });
    for (const { txid, bytes, time, own } of records) {
      let tx: Transaction;
      try {
        tx = decodeTx(bytes, this.params.limits);
      } catch (error) {
        if (error instanceof DecodeError) {
          stale.push(txid);
          continue;
        }
        throw error;
      }
      const result = await this.mempool.accept(tx);
      // The user's tx whose inputs this node has not seen yet (not synced, offline) keeps
      // waiting; a peer's never does (an older version stored peers' orphans: they go now).
      const waits = result.ok || result.code === 'txn-already-known' || (result.code === 'missing-inputs' && own !== false && now - time <= this.pendingTtl);
      if (!waits) stale.push(txid);
    }
    for (const id of stale) this.untrack(id);
    stale.push(...this.overBudget());
    if (stale.length) await this.pendingStore.delete(stale);
  }

  private track(id: string, tx: PersistedTx): void {
    this.untrack(id);
    this.persisted.set(id, tx);
    this.persistedBytes += tx.size;
  }

  private untrack(id: string): void {
    const old = this.persisted.get(id);
    if (!old) return;
    this.persisted.delete(id);
    this.persistedBytes -= old.size;
  }

  /**
   * Untracks and returns what must leave the store to bring it within its limits: peers' txs
   * before the user's own, oldest first within each.
   */
  private overBudget(): string[] {
    const { maxTxs, maxBytes } = this.pendingLimits;
    if (this.persisted.size <= maxTxs && this.persistedBytes <= maxBytes) return [];
    const order = [...this.persisted].sort(([, a], [, b]) => Number(a.own) - Number(b.own) || a.time - b.time);
    const evicted: string[] = [];
    for (const [id] of order) {
      if (this.persisted.size <= maxTxs && this.persistedBytes <= maxBytes) break;
      this.untrack(id);
      evicted.push(id);
    }
    return evicted;
  }

  /**
   * Stores a pending tx within the store's limits (evicting others, or this one if it ranks
   * lowest). A tx once stored as the user's own stays own when it is stored again.
   */
  private async persist(id: string, bytes: Uint8Array, time: number, own: boolean): Promise<void> {
    if (!this.pendingStore) return;
    const isOwn = own || this.persisted.get(id)?.own === true;
    this.track(id, { size: bytes.length, time, own: isOwn });
    const evicted = this.overBudget();
    if (evicted.includes(id)) {
      await this.pendingStore.delete(evicted);
      return;
    }
    await this.pendingStore.put(id, bytes, time, isOwn);
    if (evicted.length) await this.pendingStore.delete(evicted);
  }

  /** Txids left the pool since the last store delete, deleted together (see {@link unpersistSoon}). */
  private leaving: string[] = [];

  /**
   * Forgets a tx that left the pool at once and deletes it from the store with the others that
   * leave in the same turn: a block takes all its txs out of the pool one event each, and one
   * store transaction per tx (1,700 for a full block) cost more than the block's own write. A tx
   * stored again before the delete runs (tracked anew) is kept.
   */
  private unpersistSoon(id: string): void {
    if (!this.pendingStore) return;
    this.untrack(id);
    this.leaving.push(id);
    if (this.leaving.length > 1) return;
    void Promise.resolve().then(() => {
      const ids = this.leaving.filter((txid) => !this.persisted.has(txid));
      this.leaving = [];
      if (ids.length) this.quietly(this.pendingStore?.delete(ids));
    });
  }

  private unpersist(ids: readonly string[]): Promise<void> | undefined {
    for (const id of ids) this.untrack(id);
    return this.pendingStore?.delete(ids);
  }

  on<K extends keyof NodeEvents>(event: K, handler: (payload: NodeEvents[K]) => void): Unsubscribe {
    return this.events.on(event, handler);
  }

  get tip(): ChainTip {
    return this.chain.tip;
  }

  /** Validates and connects a block from anywhere (a peer, the miner, a test). */
  submitBlock(block: Block): Promise<BlockOutcome> {
    return this.chain.processBlock(block);
  }

  /**
   * Validates the user's own tx (a payment) into the pool; it is persisted until it confirms. A
   * tx whose inputs are unknown is kept as pending too, so a payment signed offline goes out once
   * synced. Txs from peers go through {@link receiveTx} instead.
   */
  async submitTx(tx: Transaction): Promise<Result<AcceptedTx>> {
    const id = txid(tx);
    this.submitting.add(id);
    try {
      const result = await this.mempool.accept(tx);
      // Accepted or waiting for its inputs, a tx is reported only once it is stored (a payment
      // must survive a restart); a failed save throws the store's error (an accepted tx stays in
      // this session's pool).
      if (result.ok || result.code === 'missing-inputs') await this.persist(id, encodeTx(tx), this.mempool.get(id)?.time ?? this.clock.now(), true);
      return result;
    } finally {
      this.submitting.delete(id);
    }
  }

  /**
   * Validates a tx a peer relayed into the pool. Only a tx the pool accepts is persisted (within
   * the store's limits); one whose inputs are unknown waits in the pool's bounded, in-memory
   * orphan set and is never written: what a peer sends must not grow storage without bound.
   */
  receiveTx(tx: Transaction): Promise<Result<AcceptedTx>> {
    return this.mempool.accept(tx);
  }

  /**
   * Reports a failure of work nobody awaits (store writes after events, a peer's message) as an
   * 'error' event instead of an unhandled rejection, which would end a Node process.
   */
  reportError(error: unknown): void {
    this.events.emit('error', { error });
  }

  private quietly(work: Promise<unknown> | undefined): void {
    work?.catch((error: unknown) => this.reportError(error));
  }

  /** A confirmed tx (active chain) by txid. */
  findTx(id: string): Promise<{ tx: Transaction; blockHash: string; height: number } | undefined> {
    return this.chain.findTx(id);
  }

  /** A block template on the current tip paying `payTo` (nonce 0, not mined). */
  blockTemplate(payTo: Uint8Array, extraNonce = 0n): Block {
    return createBlockTemplate({
      params: this.params,
      context: this.chain.nextBlockContext(this.clock.now()),
      select: (maxBytes) => this.mempool.selectForBlock(maxBytes),
      payTo,
      extraNonce,
    });
  }

  // ---- Mining --------------------------------------------------------------------------------

  get isMining(): boolean {
    return this.mining;
  }

  minerStatus(): MinerStatus {
    return this.miner?.status() ?? { running: false, workers: 0, hashrate: 0, perWorker: [] };
  }

  /** Starts the miner on the current tip with `workers` workers. */
  startMining(workers: number): void {
    if (!this.miner) throw new Error('this node has no miner');
    if (!this.coinbaseKey) throw new Error('this node has no key to pay coinbases to');
    this.mining = true;
    this.minedOnDemand = false;
    this.refreshTemplate(true);
    this.miner.start(workers);
  }

  stopMining(): void {
    this.mining = false;
    this.minedOnDemand = false;
    this.job = undefined;
    this.miner?.stop();
  }

  /** Mining cannot go on: it stops, every mine() waiting gets `error`, and an 'error' event says it. */
  private miningFailed(error: unknown): void {
    this.stopMining();
    for (const waiter of this.mineWaiters.splice(0)) waiter.reject(error);
    this.events.emit('error', { error });
  }

  /**
   * Mines `n` blocks now (the tutorials' `/mine`) and resolves with their hashes. Starts the
   * miner if it is not running and stops it again afterwards.
   */
  mine(n: number, workers = 1): Promise<string[]> {
    if (!Number.isInteger(n) || n < 1) return Promise.reject(new RangeError('mine(n) needs a positive integer n'));
    const done = new Promise<string[]>((resolve, reject) => this.mineWaiters.push({ remaining: n, hashes: [], resolve, reject }));
    if (!this.mining) {
      this.startMining(workers);
      this.minedOnDemand = true;
    }
    // Overlapping calls share one run: the miner stops when the last of them is served, unless
    // the user started mining meanwhile (which clears minedOnDemand).
    return done.then((hashes) => {
      if (this.minedOnDemand && this.mineWaiters.length === 0) this.stopMining();
      return hashes;
    });
  }

  /**
   * Rebuilds the mining template when it is older than `maxAge` seconds: picks up txs that
   * arrived within a second of the last rebuild and moves the block time forward. The core has no
   * timers; the page calls this every few seconds while mining.
   */
  refreshStaleTemplate(maxAge = 5): void {
    if (this.job && this.clock.now() - this.job.builtAt >= maxAge) this.refreshTemplate(true);
  }

  private refreshTemplate(force: boolean): void {
    if (!this.mining || !this.miner || !this.coinbaseKey) return;
    const now = this.clock.now();
    if (!force && this.job && now - this.job.builtAt < 1) return;
    const template = this.blockTemplate(this.coinbaseKey(), this.extraNonce);
    this.job = { template, builtAt: now };
    this.miner.setTemplate(encodeHeader(template.header), validTarget(template.header.bits)!);
  }

  private async onMinerFound(headerBytes: Uint8Array): Promise<void> {
    const job = this.job;
    if (!job) return;
    const header = decodeHeader(headerBytes);
    // A result for an older template (its merkle root or parent differs) is dropped.
    if (!bytesEqual(header.merkleRoot, job.template.header.merkleRoot) || !bytesEqual(header.prevHash, job.template.header.prevHash)) return;
    const block: Block = { header, txs: job.template.txs };
    const outcome = await this.submitBlock(block);
    if (outcome.status !== 'connected') {
      // The miner waits for new work after a hit: give it some even though this one failed.
      this.refreshTemplate(true);
      return;
    }
    const found = { hash: outcome.hash, height: outcome.height };
    this.events.emit('block-found', found);
    const waiter = this.mineWaiters[0];
    if (waiter) {
      waiter.hashes.push(found.hash);
      if (--waiter.remaining === 0) {
        this.mineWaiters.shift();
        waiter.resolve(waiter.hashes);
      }
    }
  }
}
