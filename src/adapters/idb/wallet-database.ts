/**
 * @module The wallet database: one per origin, shared by every tab (the wallet belongs to the
 * user, not to a tab's node). One record per network.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { NetworkName } from '../../core/index.ts';
import type { StoredWallet } from '../wallet/stored-wallet.ts';

interface WalletDB extends DBSchema {
  wallets: { key: NetworkName; value: StoredWallet };
}

export type WalletDatabase = IDBPDatabase<WalletDB>;

export const WALLET_DATABASE = 'tabchain-wallet';

export function openWalletDatabase(name = WALLET_DATABASE, onVersionChange?: () => void): Promise<WalletDatabase> {
  const opened = openDB<WalletDB>(name, 1, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('wallets');
    },
    blocking() {
      void opened.then((db) => db.close());
      onVersionChange?.();
    },
  });
  return opened;
}
