/**
 * @module Restoring a wallet from its recovery phrase: the input checked first (a bad phrase or
 * key count changes nothing), then the record the restore writes. The same wallet (its first key on
 * tabchain's path matches) keeps its current address, its keys derived so far and its legacy keys
 * (their coins); another wallet replaces this one only when the caller says so, because the old
 * one's funds would be lost without its phrase.
 */
import { WalletError, bytesToHex, deriveKey, validateMnemonic, type NetworkName } from '../core/index.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import { TabchainError } from './tabchain-error.ts';
import { MAX_BACKUP_KEYS } from './wallet-backup.ts';
import { currentKey, deriveKeys, nextIndex } from './wallet-key-list.ts';

/** Receive keys derived at once on restore, so funds sent to any of them are found after sync. */
export const RESTORE_KEYS = 20;

/** The phrase as it is kept: NFKD, lower case, single spaces. */
export function normalizePhrase(mnemonic: string): string {
  return mnemonic.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
}

/** Throws WalletError('bad-mnemonic') for a phrase that is not a valid one, an InputError for a bad key count. */
export function checkRestoreInput(mnemonic: unknown, keys: unknown): asserts mnemonic is string {
  if (typeof mnemonic !== 'string' || !validateMnemonic(mnemonic)) throw new WalletError('bad-mnemonic', 'not a valid recovery phrase: check the words and their order');
  if (keys !== undefined && !(typeof keys === 'number' && Number.isInteger(keys) && keys >= 1 && keys <= MAX_BACKUP_KEYS)) {
    throw TabchainError.invalidInput('keys', `keys must be a whole number from 1 to ${MAX_BACKUP_KEYS}`);
  }
}

/**
 * The record a restore from `seed` writes over `existing` (its secret is filled in by the caller):
 * `keys` receive keys (default {@link RESTORE_KEYS}; the same wallet never loses keys it had).
 * WalletError('wallet-exists') when `existing` is another wallet and `replace` is not set.
 */
export function restoredRecord(
  existing: StoredWallet | undefined,
  seed: Uint8Array,
  network: NetworkName,
  options: { keys?: number | undefined; replace?: boolean | undefined; now: number },
): StoredWallet {
  // Only keys of tabchain's path are compared: a restore never derives another chain's keys.
  const firstKey = existing?.keys.find((k) => !k.legacy && k.index === 0);
  const same = existing?.derivation === 2 && firstKey?.publicKey === bytesToHex(deriveKey(seed, network, 0).publicKey);
  if (existing && !same && !options.replace) {
    throw new WalletError('wallet-exists', 'this browser already has a different wallet: back it up, then restore with replace: true');
  }
  const count = Math.max(options.keys ?? RESTORE_KEYS, same ? nextIndex(existing) : 1);
  const keys = deriveKeys(seed, network, 0, count, false);
  // The same wallet keeps its current address; another one starts at its first key.
  const current = same ? currentKey(existing).index : 0;
  // The same wallet keeps its legacy keys (their coins); another one starts afresh.
  const legacy = same ? existing.keys.filter((k) => k.legacy) : [];
  return { network, secret: { kind: 'plain-file' }, keys: [...legacy, ...keys], createdAt: existing?.createdAt ?? options.now, current, derivation: 2 };
}
