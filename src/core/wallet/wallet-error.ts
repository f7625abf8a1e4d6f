/**
 * @module The one error type the wallet throws for anything a user (or a page script calling
 * the page's tabchain API) can get wrong, so callers switch on a stable `code` and show `message`.
 */
import type { AddressErrorCode } from '../crypto/address.ts';

export type WalletErrorCode =
  /** The recipient is not a valid address; `detail` says why (the AddressError code). */
  | 'bad-address'
  /** A valid address of another network. */
  | 'wrong-network'
  /** Not a positive whole amount within the money supply, or not written as one. */
  | 'bad-amount'
  /** The spendable coins do not cover amount + fee. */
  | 'insufficient-funds'
  /** The fee (or fee rate) is below the relay minimum. */
  | 'fee-too-low'
  /** The memo is longer than the network allows, in UTF-8 bytes. */
  | 'memo-too-long'
  /** Signing needs the keys, and the wallet is locked. */
  | 'locked'
  /** The passphrase does not open the sealed data (or the data was altered). */
  | 'wrong-passphrase'
  /** Not a valid BIP39 English mnemonic. */
  | 'bad-mnemonic'
  /** A backup or sealed box that is not in the expected shape. */
  | 'bad-backup'
  /** A new passphrase below the minimum (see passphrase-strength.ts). */
  | 'weak-passphrase'
  /** This network stores no phrase in the clear: creating or restoring needs a passphrase. */
  | 'passphrase-required'
  /** There is no wallet on this network yet (main: create or restore one first). */
  | 'no-wallet'
  /** Locking asked of a wallet that has no passphrase to unlock it with again. */
  | 'no-passphrase'
  /** Restoring or creating would overwrite a different wallet. */
  | 'wallet-exists'
  /** The node refused the signed payment (the message carries its reason). */
  | 'rejected';

export class WalletError extends Error {
  override readonly name = 'WalletError';
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    /** For 'bad-address': what exactly is wrong with the address. */
    readonly detail?: AddressErrorCode,
  ) {
    super(message);
  }
}
