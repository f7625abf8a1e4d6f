/**
 * @module The headless node's small stores in its LevelDB: pending txs (the mempool survives a
 * restart), peer bans, and named settings (the node's peer key). Each write is synced.
 */
import type { Ban, BanStore, PendingTxRecord, PendingTxStore } from '../../core/index.ts';
import { storageError } from '../storage-errors.ts';
import { pack, readText, text, unpack, type NodeDatabase, type Sublevel } from './node-database.ts';

async function syncedBatch(db: NodeDatabase, ops: { type: 'put' | 'del'; sublevel: Sublevel; key: string; value?: Uint8Array }[], what: string): Promise<void> {
  if (ops.length === 0) return;
  try {
    await db.db.batch(
      ops.map((op) => (op.type === 'put' ? { type: 'put' as const, sublevel: op.sublevel, key: op.key, value: op.value! } : { type: 'del' as const, sublevel: op.sublevel, key: op.key })),
      { sync: true },
    );
  } catch (error) {
    throw storageError(error, what);
  }
}

export class LevelPendingTxStore implements PendingTxStore {
  constructor(private readonly db: NodeDatabase) {}

  async load(): Promise<PendingTxRecord[]> {
    const all: PendingTxRecord[] = [];
    for await (const value of this.db.mempool.values()) all.push(unpack(value));
    return all;
  }

  put(txid: string, bytes: Uint8Array, time: number, own = false): Promise<void> {
    return syncedBatch(this.db, [{ type: 'put', sublevel: this.db.mempool, key: txid, value: pack({ txid, bytes: new Uint8Array(bytes), time, own }) }], 'saving a pending tx');
  }

  delete(txids: readonly string[]): Promise<void> {
    return syncedBatch(this.db, txids.map((key) => ({ type: 'del', sublevel: this.db.mempool, key })), 'removing pending txs');
  }
}

export class LevelBanStore implements BanStore {
  constructor(private readonly db: NodeDatabase) {}

  async load(): Promise<Ban[]> {
    const all: Ban[] = [];
    for await (const value of this.db.bans.values()) all.push(unpack<Ban>(value));
    return all;
  }

  put(ban: Ban): Promise<void> {
    return syncedBatch(this.db, [{ type: 'put', sublevel: this.db.bans, key: ban.peerId, value: pack(ban) }], 'saving a ban');
  }

  delete(peerIds: readonly string[]): Promise<void> {
    return syncedBatch(this.db, peerIds.map((key) => ({ type: 'del', sublevel: this.db.bans, key })), 'removing bans');
  }
}

/** Named text settings in the meta sublevel (the node's peer key). */
export class LevelSettings {
  constructor(private readonly db: NodeDatabase) {}

  async get(name: string): Promise<string | undefined> {
    const value = await this.db.meta.get(`setting:${name}`);
    return value === undefined ? undefined : readText(value);
  }

  set(name: string, value: string): Promise<void> {
    return syncedBatch(this.db, [{ type: 'put', sublevel: this.db.meta, key: `setting:${name}`, value: text(value) }], `saving the setting ${name}`);
  }
}

/**
 * The wallet records (one per network), shaped like the browser's wallet database
 * (`get('wallets', network)`, `put('wallets', record, network)`) so the same `WalletKeys` uses it.
 */
export class LevelWalletRecords<T> {
  constructor(private readonly db: NodeDatabase) {}

  async get(_store: 'wallets', network: string): Promise<T | undefined> {
    const value = await this.db.wallets.get(network);
    return value === undefined ? undefined : unpack<T>(value);
  }

  async put(_store: 'wallets', record: T, network: string): Promise<string> {
    await syncedBatch(this.db, [{ type: 'put', sublevel: this.db.wallets, key: network, value: pack(record) }], 'saving the wallet');
    return network;
  }

  /**
   * Rewrites the wallet records' part of the LevelDB files so that overwritten versions of a
   * record (an unencrypted phrase written by earlier versions, a box sealed with fewer rounds)
   * are gone from disk: LevelDB keeps them in its log and table files until a compaction, and
   * CompactRange flushes the log and drops every version but the newest in the range.
   */
  async purgeOldVersions(): Promise<void> {
    const prefix = this.db.wallets.prefix;
    await this.db.db.compactRange(prefix, `${prefix}\uffff`);
  }
}
