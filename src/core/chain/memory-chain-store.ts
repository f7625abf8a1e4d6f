/**
 * @module An in-memory {@link ChainStore}: for tests, benchmarks and a headless node. Writes are
 * validated first and applied without awaiting, so they are atomic like an IndexedDB transaction.
 */
import { bytesToHex } from '../encoding/hex.ts';
import type { Coin, OutpointKey, SpentCoin } from '../coins/coin.ts';
import type { AddressPage, AddressTx, ChainStore, ChainWrite, StoredBlockIndex, TxPosition } from '../ports/chain-store.ts';
import { comparePositions, pageOf } from './address-index.ts';

/** Where `at` is, or would be inserted, in a list ordered oldest first. */
function searchPosition(list: readonly AddressTx[], at: TxPosition): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePositions(list[mid]!, at) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemoryChainStore implements ChainStore {
  readonly index = new Map<string, StoredBlockIndex>();
  readonly bodies = new Map<string, Uint8Array>();
  readonly undo = new Map<string, readonly SpentCoin[]>();
  readonly coins = new Map<OutpointKey, Coin>();
  readonly txIndex = new Map<string, string>();
  /** The address index: public key (hex) → its txs, oldest first. */
  readonly addressIndex = new Map<string, AddressTx[]>();
  tip: string | undefined;
  /** Number of successful writes (tests count store transactions with it). */
  writes = 0;
  /** When set, the next write throws this error and changes nothing (fault injection). */
  failNextWrite: Error | undefined;

  async load(): Promise<{ index: StoredBlockIndex[]; tip: string | undefined }> {
    return { index: [...this.index.values()], tip: this.tip };
  }

  async getBlock(hash: string): Promise<Uint8Array | undefined> {
    return this.bodies.get(hash);
  }

  async getUndo(hash: string): Promise<readonly SpentCoin[] | undefined> {
    return this.undo.get(hash);
  }

  async getCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>> {
    const found = new Map<OutpointKey, Coin>();
    for (const key of keys) {
      const coin = this.coins.get(key);
      if (coin) found.set(key, coin);
    }
    return found;
  }

  async coinCount(): Promise<number> {
    return this.coins.size;
  }

  async getTxBlock(txid: string): Promise<string | undefined> {
    return this.txIndex.get(txid);
  }

  async coinsOf(publicKey: Uint8Array): Promise<(Coin & { key: OutpointKey })[]> {
    const hex = bytesToHex(publicKey);
    return [...this.coins].filter(([, coin]) => bytesToHex(coin.publicKey) === hex).map(([key, coin]) => ({ ...coin, key }));
  }

  async addressTxs(publicKey: Uint8Array, page?: AddressPage): Promise<AddressTx[]> {
    return pageOf(this.addressIndex.get(bytesToHex(publicKey)) ?? [], page);
  }

  async write(change: ChainWrite): Promise<void> {
    if (this.failNextWrite) {
      const error = this.failNextWrite;
      this.failNextWrite = undefined;
      throw error;
    }
    for (const entry of change.index) this.index.set(entry.hash, entry);
    for (const { hash, bytes } of change.bodies) this.bodies.set(hash, bytes);
    for (const { hash, spent } of change.undo) this.undo.set(hash, spent);
    for (const key of change.coinsSpent) this.coins.delete(key);
    for (const [key, coin] of change.coinsAdded) this.coins.set(key, coin);
    for (const txid of change.txsDisconnected) this.txIndex.delete(txid);
    for (const [txid, block] of change.txsConnected) this.txIndex.set(txid, block);
    for (const at of change.addressesDisconnected) {
      const list = this.addressIndex.get(at.publicKey);
      const i = list ? searchPosition(list, at) : -1;
      if (list && i < list.length && comparePositions(list[i]!, at) === 0) list.splice(i, 1);
      if (list?.length === 0) this.addressIndex.delete(at.publicKey);
    }
    for (const { publicKey, ...entry } of change.addressesConnected) {
      const list = this.addressIndex.get(publicKey) ?? [];
      this.addressIndex.set(publicKey, list);
      const i = searchPosition(list, entry);
      list.splice(i, i < list.length && comparePositions(list[i]!, entry) === 0 ? 1 : 0, entry);
    }
    if (change.tip !== undefined) this.tip = change.tip;
    this.writes++;
  }
}
