/**
 * @module The chain database of one node (one per tab slot): its schema, its migrations, and
 * opening it so that a schema upgrade in another tab is never left blocked.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { addressEntries, decodeBlock, hashToHex, txid, type AddressIndexEntry, type Coin, type SpentCoin, type StoredBlockIndex } from '../../core/index.ts';

/** A coin as stored: core's coin plus its key (the outpoint) for the by-owner index. */
export interface StoredCoin extends Coin {
  readonly key: string;
}

export interface ChainDB extends DBSchema {
  /** Block tree: hash → index entry. */
  index: { key: string; value: StoredBlockIndex };
  /** Block bodies: hash → canonical bytes. */
  bodies: { key: string; value: Uint8Array };
  /** Undo data: hash → coins the block spent. */
  undo: { key: string; value: readonly SpentCoin[] };
  /** The coin set: outpoint → coin; indexed by the key that may spend it (for wallets). */
  coins: { key: string; value: StoredCoin; indexes: { 'by-owner': IDBValidKey } };
  /** Small values: the tip, the network id. */
  meta: { key: string; value: string };
  /** Pending txs (the mempool), so a tx signed offline survives a reload: txid → bytes. */
  mempool: { key: string; value: { readonly txid: string; readonly bytes: Uint8Array; readonly time: number; readonly own?: boolean } };
  /** Tx index of the active chain: txid → block hash. */
  txindex: { key: string; value: string };
  /**
   * The address index of the active chain: [public key hex, height, position] → the tx and what
   * it paid to and took from the key. A key's page, newest first, is one range of the compound key.
   */
  addresses: { key: [string, number, number]; value: AddressIndexEntry };
  /** Banned peers: peer id → until (unix seconds) and why. */
  bans: { key: string; value: { readonly peerId: string; readonly until: number; readonly reason: string } };
}

export type ChainDatabase = IDBPDatabase<ChainDB>;
type UpgradeTx = IDBPTransaction<ChainDB, StoreNames<ChainDB>[], 'versionchange'>;

/**
 * Migrations, one per schema version, applied in order from the stored version. Never edit a
 * shipped step: add a new one.
 */
export const migrations: readonly ((db: IDBPDatabase<ChainDB>, tx: UpgradeTx) => void)[] = [
  // v1: the stores.
  (db) => {
    db.createObjectStore('index');
    db.createObjectStore('bodies');
    db.createObjectStore('undo');
    db.createObjectStore('coins');
    db.createObjectStore('meta');
    db.createObjectStore('mempool');
    db.createObjectStore('bans');
  },
  // v2: coins indexed by owner key, so a wallet finds its coins without scanning the set.
  (_db, tx) => {
    tx.objectStore('coins').createIndex('by-owner', 'publicKey');
  },
  // v3: the tx index, filled from the active chain's bodies so lookups by txid work at once.
  (db, tx) => {
    db.createObjectStore('txindex');
    void fillTxIndex(tx);
  },
  // v4: the address index, built from the active chain's bodies and undo data inside the upgrade
  // (one transaction: a tab closed half way leaves v3 and builds again next time).
  (db, tx) => {
    db.createObjectStore('addresses', { keyPath: ['publicKey', 'height', 'position'] });
    // A failure half way (a body that does not decode) aborts the upgrade: it must not commit a
    // partial index that nothing would ever complete.
    fillAddressIndex(tx).catch(() => tx.abort());
  },
];

/** Indexes the addresses of every stored active-chain block, walking back from the stored tip. */
async function fillAddressIndex(tx: UpgradeTx): Promise<void> {
  let hash = await tx.objectStore('meta').get('tip');
  const index = tx.objectStore('index');
  const bodies = tx.objectStore('bodies');
  const undo = tx.objectStore('undo');
  const addresses = tx.objectStore('addresses');
  while (hash) {
    const [entry, bytes, spent] = await Promise.all([index.get(hash), bodies.get(hash), undo.get(hash)]);
    if (!entry || !bytes) return;
    for (const e of addressEntries(decodeBlock(bytes), entry.height, spent ?? [])) void addresses.put(e);
    hash = entry.height === 0 ? undefined : hashToHex(entry.header.prevHash);
  }
}

/** Indexes the txs of every stored active-chain block (walking back from the stored tip). */
async function fillTxIndex(tx: UpgradeTx): Promise<void> {
  const tip = await tx.objectStore('meta').get('tip');
  let hash = tip;
  const index = tx.objectStore('index');
  const bodies = tx.objectStore('bodies');
  const txindex = tx.objectStore('txindex');
  while (hash) {
    const [entry, bytes] = await Promise.all([index.get(hash), bodies.get(hash)]);
    if (!entry || !bytes) return;
    for (const t of decodeBlock(bytes).txs) void txindex.put(hash, txid(t));
    hash = entry.height === 0 ? undefined : hashToHex(entry.header.prevHash);
  }
}

export const CHAIN_SCHEMA_VERSION = migrations.length;

export interface OpenOptions {
  /** Called when another tab needs this database closed (an upgrade, or a deletion). */
  onVersionChange?: () => void;
  /** Open at an older version (tests of migrations). */
  version?: number;
}

/**
 * Opens (creating or upgrading) a chain database. When another tab asks for a newer version, this
 * connection closes itself at once, so the upgrade is never blocked, and `onVersionChange` lets
 * the node stop and tell the user to reload.
 */
export async function openChainDatabase(name: string, options: OpenOptions = {}): Promise<ChainDatabase> {
  const version = options.version ?? CHAIN_SCHEMA_VERSION;
  const db = await openDB<ChainDB>(name, version, {
    upgrade(database, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) migrations[v]!(database, tx);
    },
    blocking() {
      db.close();
      options.onVersionChange?.();
    },
    terminated() {
      options.onVersionChange?.();
    },
  });
  return db;
}
