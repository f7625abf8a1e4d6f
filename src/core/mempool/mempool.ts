/**
 * @module The pool of unconfirmed transactions.
 *
 * A tx is validated against the chain tip's coins plus the outputs of txs already in the pool,
 * so chains of unconfirmed txs (spending change from a pending tx) work. A tx that spends an
 * outpoint another pool tx spends is refused ('txn-mempool-conflict'): there is no replacement
 * rule. The pool is capped in bytes; past the cap the lowest fee rate goes first (with its
 * descendants, which cannot stay without it). Txs whose parents are unknown wait in a small
 * orphan pool that expires (orphan-txs.ts). After a reorg, txs of disconnected blocks come back and the whole
 * pool is checked again against the new tip.
 *
 * Like btcd's mempool, it is given the few functions it needs (a {@link MempoolConfig}) rather
 * than the chain itself.
 */
import { badSignature, checkTransactionInputs, checkTransactionSanity, signatureJobs } from '../consensus/check-transaction.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { accept, reject, softened, type Result } from '../consensus/rejection.ts';
import { SignatureChecks } from '../consensus/signature-checks.ts';
import type { Clock } from '../ports/clock.ts';
import type { Block } from '../primitives/block.ts';
import { isCoinbase, txSize, txid, type Transaction } from '../primitives/transaction.ts';
import { outpointKey, type Coin, type CoinView, type OutpointKey } from '../coins/coin.ts';
import { Emitter, type Unsubscribe } from '../util/emitter.ts';
import { OrphanTxs, type OrphanTx } from './orphan-txs.ts';
import { prefetchSignatures } from './signature-prefetch.ts';

export interface MempoolConfig {
  readonly params: NetworkParams;
  /** Coins of the chain tip (confirmed, unspent); keys not found are left out of the map. */
  fetchCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>>;
  /** The chain tip, read before and after fetching coins to detect a tip that moved meanwhile. */
  tip(): { readonly hash: string; readonly height: number };
  readonly clock: Clock;
  /** Cap on the summed size of pool txs, in bytes. Default 5 MB. */
  readonly maxBytes?: number;
  /** Minimum fee, in base units per byte. Default 1. */
  readonly minFeeRate?: bigint;
  /** Orphan txs kept at most. Default 100. */
  readonly maxOrphans?: number;
  /** Seconds an orphan tx is kept. Default 20 minutes. */
  readonly orphanTtl?: number;
  /**
   * Verifies txs' signatures and remembers those that verified (default: in process, with a cache
   * of its own). The node shares one with the chain, so a block's txs verified here are not
   * verified again.
   */
  readonly signatures?: SignatureChecks;
}

export interface MempoolEntry {
  readonly tx: Transaction;
  readonly txid: string;
  readonly size: number;
  readonly fee: bigint;
  /** Unix seconds it entered the pool. */
  readonly time: number;
  /** Pool txs whose outputs it spends. */
  readonly parents: Set<string>;
  /** Pool txs that spend its outputs. */
  readonly children: Set<string>;
}

export interface AcceptedTx {
  readonly txid: string;
  readonly fee: bigint;
  readonly size: number;
}

export interface MempoolEvents extends Record<string, unknown> {
  'tx-accepted': MempoolEntry;
  'tx-removed': { readonly txid: string; readonly reason: 'confirmed' | 'conflict' | 'evicted' | 'reorg' };
}

/** True when fee/size of a is below fee/size of b (exact, no rounding). */
function lowerRate(a: { fee: bigint; size: number }, b: { fee: bigint; size: number }): boolean {
  return a.fee * BigInt(b.size) < b.fee * BigInt(a.size);
}

export class Mempool {
  private readonly entries = new Map<string, MempoolEntry>();
  /** Outpoint → the pool tx spending it. */
  private readonly spentBy = new Map<OutpointKey, string>();
  private readonly orphans: OrphanTxs;
  private readonly events = new Emitter<MempoolEvents>();
  private bytes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Operations queued or running. */
  private busy = 0;
  private readonly maxBytes: number;
  private readonly minFeeRate: bigint;
  private readonly signatures: SignatureChecks;

  constructor(private readonly config: MempoolConfig) {
    this.signatures = config.signatures ?? new SignatureChecks();
    this.maxBytes = config.maxBytes ?? 5_000_000;
    this.minFeeRate = config.minFeeRate ?? 1n;
    this.orphans = new OrphanTxs(config.maxOrphans ?? 100, config.orphanTtl ?? 20 * 60);
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): MempoolEntry | undefined {
    return this.entries.get(id);
  }

  /** The pool tx spending an outpoint, if any. */
  spender(key: OutpointKey): string | undefined {
    return this.spentBy.get(key);
  }

  /** All entries, in no useful order, without copying or sorting (compact blocks match against them). */
  values(): IterableIterator<MempoolEntry> {
    return this.entries.values();
  }

  /** All entries, highest fee rate first. */
  sorted(): MempoolEntry[] {
    return [...this.entries.values()].sort((a, b) => (lowerRate(a, b) ? 1 : lowerRate(b, a) ? -1 : a.time - b.time));
  }

  /**
   * All entries in the order they entered (every parent before its children): no sort, for
   * callers that visit every entry and do not need the fee-rate order of {@link sorted}.
   */
  inArrivalOrder(): MempoolEntry[] {
    return this.topological();
  }

  /** Entries in the order they can be replayed (every parent before its children). */
  private topological(): MempoolEntry[] {
    // Insertion order is topological: a tx enters only after the pool txs it spends.
    return [...this.entries.values()];
  }

  on<K extends keyof MempoolEvents>(event: K, handler: (payload: MempoolEvents[K]) => void): Unsubscribe {
    return this.events.on(event, handler);
  }

  /** Validates a tx and adds it. A tx with unknown inputs waits as an orphan ('missing-inputs'). */
  accept(tx: Transaction): Promise<Result<AcceptedTx>> {
    // A tx that must wait for its turn (a burst) has its signatures put aside meanwhile, so the
    // burst's signatures are verified together (signature-prefetch.ts); a lone tx goes straight in.
    if (this.busy > 0) void prefetchSignatures(tx, this.signatures, this.config, (key) => this.poolCoin(key));
    return this.exclusive(async () => {
      await this.signatures.flush();
      return this.acceptNow(tx, true);
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    const run = this.queue.then(fn).finally(() => this.busy--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async acceptNow(tx: Transaction, keepOrphan: boolean): Promise<Result<AcceptedTx>> {
    const { params } = this.config;
    if (isCoinbase(tx)) return reject('coinbase-not-allowed', 'a coinbase is only valid in a block');
    const sanity = checkTransactionSanity(tx, params);
    if (sanity) return sanity;
    const id = txid(tx);
    if (this.entries.has(id)) return reject('txn-already-known', `tx ${id} is already in the pool`);

    const keys = tx.inputs.map((input) => outpointKey(input.prevTxid, input.vout));
    let fetched: Map<OutpointKey, Coin>;
    let tip: { hash: string; height: number };
    // Fetch until the tip holds still across the fetch, so the coins match the tip.
    do {
      tip = this.config.tip();
      fetched = await this.config.fetchCoins(keys.filter((k) => !this.poolCoin(k)));
    } while (this.config.tip().hash !== tip.hash);

    // The pool changes only inside `exclusive`, so nothing changes it between check and insert,
    // even across the wait for the signatures below.
    if (this.entries.has(id)) return reject('txn-already-known', `tx ${id} is already in the pool`);
    for (const key of keys) {
      const other = this.spentBy.get(key);
      if (other) return reject('txn-mempool-conflict', `input ${key} is already spent by pool tx ${other}`);
    }
    const view: CoinView = { getCoin: (key) => this.poolCoin(key) ?? fetched.get(key) };
    if (keys.some((key) => !view.getCoin(key))) {
      if (keepOrphan) this.orphans.add(id, tx, this.config.clock.now());
      return reject('missing-inputs', 'an input is unknown or spent; the tx waits for its parents');
    }
    // Every check but the signatures, then the signatures (what checkTransactionInputs does in
    // one go), so they can be verified elsewhere and remembered for the tx's block.
    const checked = checkTransactionInputs(tx, view, tip.height + 1, params, false);
    if (!checked.ok) {
      if (checked.code !== 'bad-txns-premature-spend-of-coinbase') return checked;
      // Maturity depends on the chain the relayer sees: its tip may be ahead of ours (a tx
      // relayed faster than the blocks under it) or a reorg may have made it premature. Not
      // punished, and it waits for the tip to move.
      if (keepOrphan) this.orphans.add(id, tx, this.config.clock.now(), true);
      return softened(checked);
    }
    const badInput = await this.signatures.firstFailure(signatureJobs(tx, checked.value.coins, params.networkId));
    // The tip moved while the signatures were verified: judge the tx again against the new one,
    // as the sequential check would have (signatures that verified are remembered now).
    if (this.config.tip().hash !== tip.hash) return this.acceptNow(tx, keepOrphan);
    if (badInput >= 0) return badSignature(badInput);
    const size = txSize(tx);
    const fee = checked.value.fee;
    if (fee < this.minFeeRate * BigInt(size)) {
      return reject('min-fee-not-met', `fee ${fee} is below ${this.minFeeRate} per byte × ${size} bytes`);
    }

    const parents = new Set<string>();
    for (const key of keys) {
      const parent = key.slice(0, 64);
      if (this.entries.has(parent)) parents.add(parent);
    }
    const entry: MempoolEntry = { tx, txid: id, size, fee, time: this.config.clock.now(), parents, children: new Set() };
    this.entries.set(id, entry);
    this.bytes += size;
    for (const key of keys) this.spentBy.set(key, id);
    for (const parent of parents) this.entries.get(parent)!.children.add(id);
    this.orphans.delete(id);

    this.trimToSize(id);
    if (!this.entries.has(id)) return reject('mempool-full', 'the pool is full of txs paying a higher fee rate');
    this.events.emit('tx-accepted', entry);
    await this.acceptOrphansOf(id);
    return accept({ txid: id, fee, size });
  }

  /** An output of a pool tx, as a coin (unconfirmed coins are never coinbases). */
  private poolCoin(key: OutpointKey): Coin | undefined {
    const sep = key.indexOf(':');
    const parent = this.entries.get(key.slice(0, sep));
    if (!parent) return undefined;
    const output = parent.tx.outputs[Number(key.slice(sep + 1))];
    return output && { amount: output.amount, publicKey: output.publicKey, height: Number.MAX_SAFE_INTEGER, coinbase: false };
  }

  /** Retries orphans that spend outputs of `parent`. */
  private async acceptOrphansOf(parent: string): Promise<void> {
    await this.retryOrphans(this.orphans.spending(parent, this.config.clock.now()));
  }

  /** Retries the orphans that wait only for a coinbase to mature (after the tip moved). */
  private async acceptMaturedOrphans(): Promise<void> {
    await this.retryOrphans(this.orphans.premature(this.config.clock.now()));
  }

  private async retryOrphans(waiting: [string, OrphanTx][]): Promise<void> {
    for (const [id, o] of waiting) {
      if (!this.orphans.has(id)) continue;
      const result = await this.acceptNow(o.tx, false);
      // Accepted orphans leave the orphan pool on entry; one still missing another parent, or
      // whose coinbase is not yet mature here, waits on.
      if (result.ok) continue;
      if (result.code === 'bad-txns-premature-spend-of-coinbase') this.orphans.markPremature(id, o);
      else if (result.code !== 'missing-inputs') this.orphans.delete(id);
    }
  }

  /** Removes a tx and everything that spends its outputs. */
  private removeWithDescendants(id: string, reason: MempoolEvents['tx-removed']['reason']): void {
    const stack = [id];
    while (stack.length) {
      const current = stack.pop()!;
      const entry = this.entries.get(current);
      if (!entry) continue;
      stack.push(...entry.children);
      this.removeEntry(entry, reason);
    }
  }

  private removeEntry(entry: MempoolEntry, reason: MempoolEvents['tx-removed']['reason']): void {
    this.entries.delete(entry.txid);
    this.bytes -= entry.size;
    for (const input of entry.tx.inputs) this.spentBy.delete(outpointKey(input.prevTxid, input.vout));
    for (const parent of entry.parents) this.entries.get(parent)?.children.delete(entry.txid);
    for (const child of entry.children) this.entries.get(child)?.parents.delete(entry.txid);
    this.events.emit('tx-removed', { txid: entry.txid, reason });
  }

  /**
   * Evicts the lowest fee rate (with its descendants) until the pool fits its cap. The evictions
   * are planned first: when the newcomer would go too, only it leaves (the pool fitted without
   * it), so a tx refused as 'mempool-full' never evicts others.
   */
  private trimToSize(newcomer: string): void {
    const doomed: string[] = [];
    const gone = new Set<string>();
    let bytes = this.bytes;
    while (bytes > this.maxBytes) {
      let lowest: MempoolEntry | undefined;
      for (const e of this.entries.values()) if (!gone.has(e.txid) && (!lowest || lowerRate(e, lowest))) lowest = e;
      if (!lowest) break;
      doomed.push(lowest.txid);
      const stack = [lowest];
      while (stack.length) {
        const e = stack.pop()!;
        if (gone.has(e.txid)) continue;
        gone.add(e.txid);
        bytes -= e.size;
        for (const child of e.children) stack.push(this.entries.get(child)!);
      }
    }
    if (gone.has(newcomer)) this.removeWithDescendants(newcomer, 'evicted');
    else for (const id of doomed) this.removeWithDescendants(id, 'evicted');
  }

  /**
   * Brings the pool up to date after the chain's tip moved. On a plain extension, confirmed txs
   * leave and txs conflicting with the block are dropped. After a reorg, the txs of disconnected
   * blocks come back and every tx is checked again against the new tip; those now invalid
   * (conflicting, spending an immature or vanished coinbase) are dropped.
   */
  onTipChanged(change: { readonly disconnected: readonly { block: Block }[]; readonly connected: readonly { block: Block }[] }): Promise<void> {
    return this.exclusive(async () => {
      for (const { block } of change.connected) this.orphans.dropFor(block);
      if (change.disconnected.length === 0) {
        for (const { block } of change.connected) this.removeForBlock(block);
        for (const { block } of change.connected) for (const tx of block.txs) await this.acceptOrphansOf(txid(tx));
        await this.acceptMaturedOrphans();
        return;
      }
      const confirmed = new Set<string>();
      for (const { block } of change.connected) for (const tx of block.txs) confirmed.add(txid(tx));
      const resurrected: Transaction[] = [];
      for (const { block } of [...change.disconnected].reverse()) {
        for (const tx of block.txs) if (!isCoinbase(tx) && !confirmed.has(txid(tx))) resurrected.push(tx);
      }
      const previous = this.topological();
      for (const entry of previous) this.removeEntry(entry, 'reorg');
      for (const tx of [...resurrected, ...previous.map((e) => e.tx)]) {
        if (!confirmed.has(txid(tx))) await this.acceptNow(tx, false);
      }
      for (const id of confirmed) await this.acceptOrphansOf(id);
      await this.acceptMaturedOrphans();
    });
  }

  /** Removes a block's txs and the pool txs that conflict with it. */
  private removeForBlock(block: Block): void {
    for (const tx of block.txs) {
      const id = txid(tx);
      const entry = this.entries.get(id);
      if (entry) this.removeEntry(entry, 'confirmed');
      for (const input of tx.inputs) {
        const other = this.spentBy.get(outpointKey(input.prevTxid, input.vout));
        if (other && other !== id) this.removeWithDescendants(other, 'conflict');
      }
    }
  }

  /**
   * Txs for a block of at most `maxBytes` of txs, best first by ancestor-package fee rate (so a
   * high-fee child pulls in its parent), every parent before its children.
   */
  selectForBlock(maxBytes: number): { txs: Transaction[]; fees: bigint; bytes: number } {
    const packageOf = (entry: MempoolEntry): MempoolEntry[] => {
      const seen = new Map<string, MempoolEntry>();
      const visit = (e: MempoolEntry): void => {
        if (seen.has(e.txid)) return;
        for (const p of e.parents) visit(this.entries.get(p)!);
        seen.set(e.txid, e);
      };
      visit(entry);
      return [...seen.values()];
    };
    const ranked = [...this.entries.values()].map((entry) => {
      const pkg = packageOf(entry);
      return { entry, fee: pkg.reduce((s, e) => s + e.fee, 0n), size: pkg.reduce((s, e) => s + e.size, 0) };
    });
    ranked.sort((a, b) => (lowerRate(a, b) ? 1 : lowerRate(b, a) ? -1 : a.entry.time - b.entry.time));
    const included = new Set<string>();
    const txs: Transaction[] = [];
    let fees = 0n;
    let bytes = 0;
    for (const { entry } of ranked) {
      if (included.has(entry.txid)) continue;
      const missing = packageOf(entry).filter((e) => !included.has(e.txid));
      const size = missing.reduce((s, e) => s + e.size, 0);
      if (bytes + size > maxBytes) continue;
      for (const e of missing) {
        included.add(e.txid);
        txs.push(e.tx);
        fees += e.fee;
      }
      bytes += size;
    }
    return { txs, fees, bytes };
  }
}
