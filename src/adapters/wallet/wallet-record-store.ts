/**
 * @module Where the wallet record (one per network) is kept: the browser's wallet database, or the
 * headless node's LevelDB. The shape is IndexedDB's (`get(store, key)`, `put(store, value, key)`)
 * so the idb database is one as it is.
 */
import type { NetworkName } from '../../core/index.ts';
import type { StoredWallet } from './stored-wallet.ts';

export interface WalletRecordStore {
  get(store: 'wallets', network: NetworkName): Promise<StoredWallet | undefined>;
  put(store: 'wallets', record: StoredWallet, network: NetworkName): Promise<unknown>;
  /**
   * Removes overwritten versions of the records from the files (the headless node's LevelDB can;
   * IndexedDB offers no way, which is why unencrypted phrases no longer go into records at all).
   */
  purgeOldVersions?(): Promise<void>;
}
