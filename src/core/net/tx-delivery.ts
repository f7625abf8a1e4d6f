/**
 * @module Which pool txs some peer has: a tx counts as delivered once we served it to a peer's
 * getdata, a peer announced it to us, or a peer sent it. The wallet shows its own pending txs not
 * delivered yet as waiting for a peer (a payment made offline is queued, not sent). Bounded by
 * the pool: only txs in it are marked and reported, a tx leaving it is forgotten (except for a
 * reorg, which puts most back at once), and marks of txs gone from the pool are pruned.
 */

/** Marks kept before those of txs no longer in the pool are pruned (the pool holds at most 1,000). */
const PRUNE_ABOVE = 2_000;

export class TxDelivery {
  private readonly delivered = new Set<string>();

  constructor(
    /** Whether the pool holds this tx now (others are not remembered). */
    private readonly inPool: (txid: string) => boolean,
    /** Called once per tx, when a first peer has it. */
    private readonly onDelivered: (txid: string) => void,
  ) {}

  /** A peer has this tx. */
  mark(txid: string): void {
    if (this.delivered.has(txid) || !this.inPool(txid)) return;
    if (this.delivered.size >= PRUNE_ABOVE) for (const id of this.delivered) if (!this.inPool(id)) this.delivered.delete(id);
    this.delivered.add(txid);
    this.onDelivered(txid);
  }

  has(txid: string): boolean {
    return this.delivered.has(txid) && this.inPool(txid);
  }

  /** The tx left the pool (mined, replaced, evicted, or out for a reorg). */
  forget(txid: string): void {
    this.delivered.delete(txid);
  }

  get size(): number {
    return this.delivered.size;
  }
}
