/**
 * @module The wallet's record as it is kept (one per network): the same shape in the browser's
 * wallet database (IndexedDB) and in the headless node's LevelDB.
 */
import type { NetworkName } from '../../core/index.ts';
import type { SealedBox } from './passphrase-box.ts';

export interface StoredWalletKey {
  /** BIP32 child index. */
  readonly index: number;
  /** x-only key, hex. */
  readonly publicKey: string;
  /** A change key (not shown as a receive address). */
  readonly change: boolean;
  /**
   * Derived on the path used before issue 12 (Bitcoin's coin types, `m/86'/0'|1'/0'/0/i`): kept
   * only so coins it received can be spent; never handed out, never derived anew.
   */
  readonly legacy?: boolean;
}

export interface StoredWallet {
  readonly network: NetworkName;
  /**
   * The recovery phrase: sealed under the user's passphrase; or unencrypted (test network only) in
   * a file of its own (`plain-file`: see PlainPhraseStore in wallet-keys.ts); or, as written
   * before that existed (and where there is no such file store), in the clear in this record.
   */
  readonly secret:
    | { readonly kind: 'plain'; readonly mnemonic: string }
    | { readonly kind: 'plain-file' }
    | { readonly kind: 'sealed'; readonly box: SealedBox };
  /** Public keys, so a locked wallet still shows its addresses and balance. */
  readonly keys: readonly StoredWalletKey[];
  readonly createdAt: number;
  /**
   * BIP32 index of the current receive key. Absent: the newest receive key. A restore derives
   * keys ahead (a gap), starts at the first and moves on as keys are seen used on the chain.
   */
  readonly current?: number;
  /**
   * 2: keys on tabchain's own path (core/wallet/keychain.ts). Absent: a wallet from before, whose
   * keys are on Bitcoin's path; it is moved when next unlocked (its keys become `legacy`).
   */
  readonly derivation?: 2;
}
