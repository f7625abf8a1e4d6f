/**
 * @module A ChainStore for many simulated nodes that start from the same chain: a shared base (the
 * set-up blocks every node holds, written once into one MemoryChainStore) under each node's own
 * in-memory layer. Reads look in the node's layer first, then the base; a base coin the node
 * spends or a base tx it disconnects is hidden by a tombstone. A thousand nodes then hold one copy
 * of the funding fixture's ten thousand coins instead of a thousand, and none of them connects
 * the set-up blocks again.
 *
 * No address index is kept in the layers: only a wallet reads it (the explorer's and wallet's
 * history), a simulated node has neither, and it was a third of a node's memory (every fixture tx
 * pays the same test key). `addressTxs` answers from the base alone.
 *
 * Block bodies a node writes are shared too: every node stores every block, and a body with the
 * bytes another node stored under that hash is kept as that one copy (1.3 MB a node over 20
 * blocks of 500 txs, as a thousand copies).
 */
import type { AddressPage, AddressTx, ChainStore, ChainWrite, Coin, OutpointKey, SpentCoin, StoredBlockIndex } from '../core/index.ts';
import { bytesEqual, MemoryChainStore } from '../core/index.ts';

/** The first body stored under each block hash, per base (so per simulation). */
const shelves = new WeakMap<MemoryChainStore, Map<string, Uint8Array>>();

export class LayeredChainStore implements ChainStore {
  private readonly own = new MemoryChainStore();
  /** Base coins this node spent. */
  private readonly spentBase = new Set<OutpointKey>();
  /** Base txs this node disconnected. */
  private readonly droppedBaseTxs = new Set<string>();

  private readonly shelf: Map<string, Uint8Array>;

  constructor(private readonly base: MemoryChainStore) {
    let shelf = shelves.get(base);
    if (!shelf) shelves.set(base, (shelf = new Map()));
    this.shelf = shelf;
  }

  /** The shared copy of a body when one with the same bytes is on the shelf (a flooder's different body under a known hash is kept as its own). */
  private shared(hash: string, bytes: Uint8Array): Uint8Array {
    const copy = this.shelf.get(hash);
    if (!copy) {
      this.shelf.set(hash, bytes);
      return bytes;
    }
    return copy === bytes || bytesEqual(copy, bytes) ? copy : bytes;
  }

  async load(): Promise<{ index: StoredBlockIndex[]; tip: string | undefined }> {
    const index = new Map(this.base.index);
    for (const [hash, entry] of this.own.index) index.set(hash, entry);
    return { index: [...index.values()], tip: this.own.tip ?? this.base.tip };
  }

  async getBlock(hash: string): Promise<Uint8Array | undefined> {
    return this.own.bodies.get(hash) ?? this.base.bodies.get(hash);
  }

  async getUndo(hash: string): Promise<readonly SpentCoin[] | undefined> {
    return this.own.undo.get(hash) ?? this.base.undo.get(hash);
  }

  async getCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>> {
    const found = new Map<OutpointKey, Coin>();
    for (const key of keys) {
      const coin = this.own.coins.get(key) ?? (this.spentBase.has(key) ? undefined : this.base.coins.get(key));
      if (coin) found.set(key, coin);
    }
    return found;
  }

  async coinCount(): Promise<number> {
    let count = this.base.coins.size - this.spentBase.size;
    for (const key of this.own.coins.keys()) if (!this.base.coins.has(key)) count++;
    return count;
  }

  async getTxBlock(txid: string): Promise<string | undefined> {
    return this.own.txIndex.get(txid) ?? (this.droppedBaseTxs.has(txid) ? undefined : this.base.txIndex.get(txid));
  }

  async coinsOf(publicKey: Uint8Array): Promise<(Coin & { readonly key: OutpointKey })[]> {
    const own = await this.own.coinsOf(publicKey);
    const base = (await this.base.coinsOf(publicKey)).filter((c) => !this.spentBase.has(c.key) && !this.own.coins.has(c.key));
    return [...base, ...own];
  }

  async addressTxs(publicKey: Uint8Array, page?: AddressPage): Promise<AddressTx[]> {
    return this.base.addressTxs(publicKey, page);
  }

  async write(change: ChainWrite): Promise<void> {
    for (const key of change.coinsSpent) if (this.base.coins.has(key)) this.spentBase.add(key);
    for (const [key] of change.coinsAdded) if (this.base.coins.has(key)) this.spentBase.delete(key);
    for (const txid of change.txsDisconnected) if (this.base.txIndex.has(txid)) this.droppedBaseTxs.add(txid);
    for (const [txid] of change.txsConnected) this.droppedBaseTxs.delete(txid);
    await this.own.write({
      ...change,
      bodies: change.bodies.map(({ hash, bytes }) => ({ hash, bytes: this.shared(hash, bytes) })),
      // A base coin coming back (a reorg) is the base's again, not a copy in this layer.
      coinsAdded: change.coinsAdded.filter(([key]) => !this.base.coins.has(key)),
      addressesConnected: [],
      addressesDisconnected: [],
    });
  }
}
