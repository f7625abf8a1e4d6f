/**
 * @module Which pool txs some peer has: a tx counts as delivered once we served it to a peer's
 * getdata, a peer announced it to us, or a peer sent it. The wallet shows its own pending txs not
 * delivered yet as waiting for a peer (a payment made offline is queued, not sent). Bounded by
 * the pool: only txs in it are marked, and a tx leaving it is forgotten.
 */
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
    this.delivered.add(txid);
    this.onDelivered(txid);
  }

  has(txid: string): boolean {
    return this.delivered.has(txid);
  }

  /** The tx left the pool (mined, replaced, evicted, or out for a reorg). */
  forget(txid: string): void {
    this.delivered.delete(txid);
  }

  get size(): number {
    return this.delivered.size;
  }
}
