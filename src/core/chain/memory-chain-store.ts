/**
 * @module An in-memory {@link ChainStore}: for tests, benchmarks and a headless node. Writes are
 * validated first and applied without awaiting, so they are atomic like an IndexedDB transaction.
 */
import { bytesToHex } from '../encoding/hex.ts';
import type { Coin, OutpointKey, SpentCoin } from '../coins/coin.ts';
import type { ChainStore, ChainWrite, StoredBlockIndex } from '../ports/chain-store.ts';

export class MemoryChainStore implements ChainStore {
  readonly index = new Map<string, StoredBlockIndex>();
  readonly bodies = new Map<string, Uint8Array>();
  readonly undo = new Map<string, readonly SpentCoin[]>();
  readonly coins = new Map<OutpointKey, Coin>();
  readonly txIndex = new Map<string, string>();
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
    if (change.tip !== undefined) this.tip = change.tip;
    this.writes++;
  }
}
