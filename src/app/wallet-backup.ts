/**
 * @module The encrypted backup file: the recovery phrase and how many keys to derive, sealed under
 * a passphrase of the person's choosing. Version 2 binds every field beside the box (kind,
 * version, network, keys, and the box's KDF, iterations and salt) to the AES-GCM tag as additional
 * data, so a changed field fails like a wrong passphrase. Version 1 files (no `version`; written
 * before that) are still read: their fields are only bounded, which is safe because the phrase
 * inside is authenticated and the outside fields can only pick the network (checked against this
 * one) and how many keys to derive (1..{@link MAX_BACKUP_KEYS}).
 */
import { WalletError, isNetworkName, type NetworkName } from '../core/index.ts';
import { base64 } from '@scure/base';
import { DEFAULT_ITERATIONS, openWithPassphrase, sealWithPassphrase, type SealedBox } from '../adapters/wallet/passphrase-box.ts';

/** The most keys a backup file may ask for (each one is a derivation on import). */
export const MAX_BACKUP_KEYS = 1000;

/** An encrypted backup file's content (version 2). */
export interface WalletBackup {
  readonly kind: 'tabchain-wallet-backup';
  readonly version: 2;
  readonly network: NetworkName;
  readonly keys: number;
  readonly box: SealedBox;
}

/** The bytes a version 2 backup authenticates beside its ciphertext. */
function backupAdditionalData(network: string, keys: number, box: Pick<SealedBox, 'kdf' | 'iterations' | 'salt'>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(['tabchain-wallet-backup', 2, network, keys, box.kdf, box.iterations, box.salt]));
}

/** A version 2 backup of `phrase` for `network`, sealed under `passphrase` (its strength is the caller's check). */
export async function sealBackup(phrase: string, passphrase: string, network: NetworkName, keys: number, options: { iterations?: number } = {}): Promise<WalletBackup> {
  // The salt is chosen here so the additional data (which names it) is known before sealing.
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const box = await sealWithPassphrase(new TextEncoder().encode(phrase), passphrase, {
    ...options,
    salt,
    additionalData: backupAdditionalData(network, keys, { kdf: 'pbkdf2-sha256', iterations, salt: base64.encode(salt) }),
  });
  return { kind: 'tabchain-wallet-backup', version: 2, network, keys, box };
}

/**
 * The phrase and key count in a backup file for `network`. A file that is not one, or whose
 * fields are out of bounds or were altered, is refused with WalletError ('bad-backup',
 * 'wrong-network', 'wrong-passphrase').
 */
export async function openBackup(backup: unknown, passphrase: string, network: NetworkName): Promise<{ phrase: string; keys: number }> {
  const file = checkBackup(backup);
  if (file.network !== network) throw new WalletError('wrong-network', `this backup is for the ${file.network} network`);
  const additionalData = file.version === 2 ? backupAdditionalData(file.network, file.keys, file.box) : undefined;
  const phrase = new TextDecoder().decode(await openWithPassphrase(file.box, passphrase, additionalData ? { additionalData } : {}));
  return { phrase, keys: file.keys };
}

/** A backup file's fields, checked for shape and bounds (version 1 files have no `version`). */
function checkBackup(backup: unknown): { version: 1 | 2; network: NetworkName; keys: number; box: SealedBox } {
  if (typeof backup !== 'object' || backup === null) throw new WalletError('bad-backup', 'not a tabchain wallet backup');
  const b = backup as Record<string, unknown>;
  if (b.kind !== 'tabchain-wallet-backup') throw new WalletError('bad-backup', 'not a tabchain wallet backup');
  if (b.version !== undefined && b.version !== 2) throw new WalletError('bad-backup', `unknown backup version ${JSON.stringify(b.version)}`);
  if (!isNetworkName(b.network)) throw new WalletError('bad-backup', 'the backup names no known network');
  if (typeof b.keys !== 'number' || !Number.isInteger(b.keys) || b.keys < 1 || b.keys > MAX_BACKUP_KEYS) {
    throw new WalletError('bad-backup', `the backup's key count must be a whole number from 1 to ${MAX_BACKUP_KEYS}`);
  }
  if (typeof b.box !== 'object' || b.box === null) throw new WalletError('bad-backup', 'the backup holds no sealed phrase');
  return { version: b.version === 2 ? 2 : 1, network: b.network, keys: b.keys, box: b.box as SealedBox };
}
