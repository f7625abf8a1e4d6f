/**
 * @module The IndexedDB implementation of core's `ChainStore` port.
 *
 * A write is one readwrite transaction over every store it touches. Inside it only IndexedDB
 * requests are issued and nothing else is awaited, so the transaction cannot auto-commit half
 * way; a tab killed mid-write leaves the old state or the new one. A failed transaction (quota,
 * abort) rolls back whole and surfaces as a typed error.
 */
import { bytesToHex, type AddressPage, type AddressTx, type ChainStore, type ChainWrite, type Coin, type OutpointKey, type SpentCoin, type StoredBlockIndex } from '../../core/index.ts';
import type { ChainDatabase } from './chain-database.ts';
import { storageError } from '../storage-errors.ts';

export class IdbChainStore implements ChainStore {
  constructor(private readonly db: ChainDatabase) {}

  async load(): Promise<{ index: StoredBlockIndex[]; tip: string | undefined }> {
    const tx = this.db.transaction(['index', 'meta'], 'readonly');
    const [index, tip] = await Promise.all([tx.objectStore('index').getAll(), tx.objectStore('meta').get('tip'), tx.done]);
    return { index, tip };
  }

  getBlock(hash: string): Promise<Uint8Array | undefined> {
    return this.db.get('bodies', hash);
  }

  getUndo(hash: string): Promise<readonly SpentCoin[] | undefined> {
    return this.db.get('undo', hash);
  }

  async getCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>> {
    const found = new Map<OutpointKey, Coin>();
    if (keys.length === 0) return found;
    const tx = this.db.transaction('coins', 'readonly');
    const store = tx.store;
    const values = await Promise.all(keys.map((key) => store.get(key)));
    await tx.done;
    values.forEach((stored, i) => {
      if (stored) {
        const { key: _key, ...coin } = stored;
        found.set(keys[i]!, coin);
      }
    });
    return found;
  }

  coinCount(): Promise<number> {
    return this.db.count('coins');
  }

  getTxBlock(txid: string): Promise<string | undefined> {
    return this.db.get('txindex', txid);
  }

  /** Coins a key may spend (the wallet's view of the confirmed set). */
  async coinsOf(publicKey: Uint8Array): Promise<(Coin & { key: OutpointKey })[]> {
    return this.db.getAllFromIndex('coins', 'by-owner', publicKey as Uint8Array<ArrayBuffer>);
  }

  /**
   * One range of the compound key [key, height, position]: all of it at once (getAll), or a page
   * read newest first with a cursor that stops at `limit`.
   */
  async addressTxs(publicKey: Uint8Array, page: AddressPage = {}): Promise<AddressTx[]> {
    const key = bytesToHex(publicKey);
    const { before, limit } = page;
    // [key] sorts before every [key, height, position]; Infinity after every height.
    const range = IDBKeyRange.bound([key], before ? [key, before.height, before.position] : [key, Infinity], false, before !== undefined);
    const found: AddressTx[] = [];
    if (limit === undefined) {
      found.push(...(await this.db.getAll('addresses', range)).reverse());
    } else {
      let cursor = await this.db.transaction('addresses').store.openCursor(range, 'prev');
      while (cursor && found.length < limit) {
        found.push(cursor.value);
        cursor = await cursor.continue();
      }
    }
    return found.map(({ height, position, txid, received, sent }) => ({ height, position, txid, received, sent }));
  }

  async write(change: ChainWrite): Promise<void> {
    const tx = this.db.transaction(['index', 'bodies', 'undo', 'coins', 'txindex', 'addresses', 'meta'], 'readwrite');
    // Every request is issued synchronously; the only await is for the transaction's end.
    const requests: Promise<unknown>[] = [];
    try {
      const index = tx.objectStore('index');
      for (const entry of change.index) requests.push(index.put(entry, entry.hash));
      const bodies = tx.objectStore('bodies');
      for (const { hash, bytes } of change.bodies) requests.push(bodies.put(bytes, hash));
      const undo = tx.objectStore('undo');
      for (const { hash, spent } of change.undo) requests.push(undo.put(spent, hash));
      const coins = tx.objectStore('coins');
      for (const key of change.coinsSpent) requests.push(coins.delete(key));
      for (const [key, coin] of change.coinsAdded) requests.push(coins.put({ ...coin, key }, key));
      const txindex = tx.objectStore('txindex');
      for (const id of change.txsDisconnected) requests.push(txindex.delete(id));
      for (const [id, block] of change.txsConnected) requests.push(txindex.put(block, id));
      const addresses = tx.objectStore('addresses');
      for (const { publicKey, height, position } of change.addressesDisconnected) requests.push(addresses.delete([publicKey, height, position]));
      for (const entry of change.addressesConnected) requests.push(addresses.put(entry));
      if (change.tip !== undefined) requests.push(tx.objectStore('meta').put(change.tip, 'tip'));
    } catch (error) {
      // A request that throws as it is made (a value that cannot be stored, a quota check) must
      // not leave the requests before it to commit on their own.
      for (const r of requests) r.catch(() => undefined);
      tx.abort();
      await tx.done.catch(() => undefined);
      throw storageError(error, 'a chain write');
    }
    // A failed request aborts the transaction; its rejection is reported through tx.done.
    for (const r of requests) r.catch(() => undefined);
    try {
      await tx.done;
    } catch (error) {
      throw storageError(tx.error ?? error, 'a chain write');
    }
  }
}
