/**
 * @module The LevelDB implementation of core's `ChainStore` port, for the headless node.
 *
 * A write is one atomic, synced batch over every sublevel it touches. Deleting a spent coin also
 * deletes its owner entry, so the coins being spent are read first; the node is the only writer,
 * so nothing can change between that read and the batch.
 */
import { bytesToHex, type AddressPage, type AddressTx, type ChainStore, type ChainWrite, type Coin, type OutpointKey, type SpentCoin, type StoredBlockIndex } from '../../core/index.ts';
import { addressKey, addressRange } from './address-index-layout.ts';
import { storageError } from '../storage-errors.ts';
import { pack, readText, text, unpack, type NodeDatabase, type Sublevel } from './node-database.ts';

type Op = { type: 'put'; sublevel: Sublevel; key: string; value: Uint8Array } | { type: 'del'; sublevel: Sublevel; key: string };

const EMPTY = new Uint8Array(0);

function ownerKey(publicKey: Uint8Array, key: OutpointKey): string {
  return `${bytesToHex(publicKey)}!${key}`;
}

export class LevelChainStore implements ChainStore {
  constructor(private readonly db: NodeDatabase) {}

  async load(): Promise<{ index: StoredBlockIndex[]; tip: string | undefined }> {
    const index: StoredBlockIndex[] = [];
    for await (const value of this.db.index.values()) index.push(unpack<StoredBlockIndex>(value));
    const tip = await this.db.meta.get('tip');
    return { index, tip: tip === undefined ? undefined : readText(tip) };
  }

  async getBlock(hash: string): Promise<Uint8Array | undefined> {
    const bytes = await this.db.bodies.get(hash);
    // A plain Uint8Array, not a Buffer view of LevelDB's memory: callers keep it.
    return bytes === undefined ? undefined : new Uint8Array(bytes);
  }

  async getUndo(hash: string): Promise<readonly SpentCoin[] | undefined> {
    const bytes = await this.db.undo.get(hash);
    return bytes === undefined ? undefined : unpack<SpentCoin[]>(bytes);
  }

  async getCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>> {
    const found = new Map<OutpointKey, Coin>();
    if (keys.length === 0) return found;
    const values = await this.db.coins.getMany([...keys]);
    values.forEach((value, i) => {
      if (value !== undefined) found.set(keys[i]!, unpack<Coin>(value));
    });
    return found;
  }

  async coinCount(): Promise<number> {
    let n = 0;
    for await (const _key of this.db.coins.keys()) n += 1;
    return n;
  }

  async getTxBlock(txid: string): Promise<string | undefined> {
    const value = await this.db.txindex.get(txid);
    return value === undefined ? undefined : readText(value);
  }

  async coinsOf(publicKey: Uint8Array): Promise<(Coin & { key: OutpointKey })[]> {
    const prefix = `${bytesToHex(publicKey)}!`;
    const keys: OutpointKey[] = [];
    // '"' sorts right after '!': the range is exactly the keys that start with the prefix.
    for await (const key of this.db.owners.keys({ gte: prefix, lt: `${prefix.slice(0, -1)}"` })) keys.push(key.slice(prefix.length));
    const coins = await this.getCoins(keys);
    return keys.flatMap((key) => {
      const coin = coins.get(key);
      return coin ? [{ ...coin, key }] : [];
    });
  }

  /** One reverse iterator over the key's range, stopping at `limit`. */
  async addressTxs(publicKey: Uint8Array, page: AddressPage = {}): Promise<AddressTx[]> {
    const range = addressRange(bytesToHex(publicKey), page.before);
    const found: AddressTx[] = [];
    for await (const value of this.db.addresses.values({ ...range, reverse: true, limit: page.limit ?? Infinity })) found.push(unpack<AddressTx>(value));
    return found;
  }

  async write(change: ChainWrite): Promise<void> {
    const { index, bodies, undo, coins, owners, txindex, addresses, meta } = this.db;
    try {
      const spent = await this.getCoins(change.coinsSpent);
      const ops: Op[] = [];
      for (const entry of change.index) ops.push({ type: 'put', sublevel: index, key: entry.hash, value: pack(entry) });
      for (const { hash, bytes } of change.bodies) ops.push({ type: 'put', sublevel: bodies, key: hash, value: bytes });
      for (const { hash, spent: coinsSpent } of change.undo) ops.push({ type: 'put', sublevel: undo, key: hash, value: pack(coinsSpent) });
      for (const key of change.coinsSpent) {
        ops.push({ type: 'del', sublevel: coins, key });
        const coin = spent.get(key);
        if (coin) ops.push({ type: 'del', sublevel: owners, key: ownerKey(coin.publicKey, key) });
      }
      for (const [key, coin] of change.coinsAdded) {
        ops.push({ type: 'put', sublevel: coins, key, value: pack(coin) });
        ops.push({ type: 'put', sublevel: owners, key: ownerKey(coin.publicKey, key), value: EMPTY });
      }
      for (const id of change.txsDisconnected) ops.push({ type: 'del', sublevel: txindex, key: id });
      for (const [id, block] of change.txsConnected) ops.push({ type: 'put', sublevel: txindex, key: id, value: text(block) });
      for (const at of change.addressesDisconnected) ops.push({ type: 'del', sublevel: addresses, key: addressKey(at.publicKey, at) });
      for (const { publicKey, ...entry } of change.addressesConnected) ops.push({ type: 'put', sublevel: addresses, key: addressKey(publicKey, entry), value: pack(entry) });
      if (change.tip !== undefined) ops.push({ type: 'put', sublevel: meta, key: 'tip', value: text(change.tip) });
      await this.db.db.batch(ops, { sync: true });
    } catch (error) {
      throw storageError(error, 'a chain write');
    }
  }
}
