/**
 * @module The mempool's orphan txs: txs that spend outputs it does not know yet (their parents
 * are still on their way) or a coinbase not yet mature here. Bounded by count (the oldest goes
 * first) and by age; the pool retries them when a parent enters it or the tip moves, and
 * forgets those a block confirms or conflicts with.
 */
import { outpointKey, type OutpointKey } from '../coins/coin.ts';
import { hashToHex } from '../encoding/hex.ts';
import type { Block } from '../primitives/block.ts';
import { txid, type Transaction } from '../primitives/transaction.ts';

export interface OrphanTx {
  readonly tx: Transaction;
  readonly received: number;
  /**
   * Its inputs are known but spend a coinbase not yet mature here: the relayer's chain is ahead
   * of ours (blocks still on their way), so it is tried again as the tip moves.
   */
  readonly premature?: boolean;
}

export class OrphanTxs {
  // A Map iterates in insertion order: the first entry is the oldest.
  private readonly byId = new Map<string, OrphanTx>();

  constructor(
    private readonly maxOrphans: number,
    /** Seconds an orphan is kept. */
    private readonly ttl: number,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  /** Keeps a tx, after dropping expired ones and, past the bound, the oldest. */
  add(id: string, tx: Transaction, now: number, premature = false): void {
    this.expire(now);
    if (this.byId.has(id) || this.maxOrphans < 1) return;
    while (this.byId.size >= this.maxOrphans) this.byId.delete(this.byId.keys().next().value!);
    this.byId.set(id, { tx, received: now, premature });
  }

  /** A retried orphan's inputs are all known now, but it spends a coinbase not yet mature here. */
  markPremature(id: string, orphan: OrphanTx): void {
    this.byId.set(id, { ...orphan, premature: true });
  }

  /** The live orphans that spend outputs of `parent`. */
  spending(parent: string, now: number): [string, OrphanTx][] {
    this.expire(now);
    return [...this.byId].filter(([, o]) => o.tx.inputs.some((i) => hashToHex(i.prevTxid) === parent));
  }

  /** The live orphans that wait only for a coinbase to mature. */
  premature(now: number): [string, OrphanTx][] {
    this.expire(now);
    return [...this.byId].filter(([, o]) => o.premature);
  }

  /** Forgets the orphans a block confirms or conflicts with: they can never be accepted. */
  dropFor(block: Block): void {
    const spent = new Set<OutpointKey>();
    for (const tx of block.txs) {
      this.byId.delete(txid(tx));
      for (const input of tx.inputs) spent.add(outpointKey(input.prevTxid, input.vout));
    }
    for (const [id, o] of this.byId) {
      if (o.tx.inputs.some((input) => spent.has(outpointKey(input.prevTxid, input.vout)))) this.byId.delete(id);
    }
  }

  private expire(now: number): void {
    for (const [id, o] of this.byId) if (now - o.received > this.ttl) this.byId.delete(id);
  }
}
