/**
 * @module How the wallet's recovery phrase is kept: sealed under a passphrase that meets the
 * minimum of passphrase-strength.ts, or, where the network allows an unencrypted wallet (test),
 * in the clear in a {@link PlainPhraseStore} (a file of its own: the browser's origin-private file
 * system, a file in the headless node's data folder), never in the database, because a database
 * keeps old versions of a record in its log and table files after the record is overwritten, and
 * erasing a file leaves no copy. Main's phrase is never written in the clear.
 */
import { WalletError, passphraseStrength, MIN_PASSPHRASE_BITS, MIN_PASSPHRASE_LENGTH, type NetworkName } from '../core/index.ts';
import type { StoredWallet } from '../adapters/wallet/stored-wallet.ts';
import type { PlainPhraseStore } from '../adapters/wallet/plain-phrase-store.ts';
import { DEFAULT_ITERATIONS, openWithPassphrase, sealWithPassphrase, type SealedBox } from '../adapters/wallet/passphrase-box.ts';

export type StoredSecret = StoredWallet['secret'];

/**
 * Networks whose wallet may be stored unencrypted. Main may not: its coins are meant to be worth
 * something, so its phrase is never written in the clear.
 */
export function plainWalletAllowed(network: NetworkName): boolean {
  return network !== 'main';
}

/** The refusal of an unencrypted wallet where the network (or the node's options) allows none. */
export function passphraseRequired(network: NetworkName): WalletError {
  return new WalletError('passphrase-required', `a ${network}-network wallet is always encrypted: choose a passphrase`);
}

/** Throws WalletError('weak-passphrase') unless the passphrase meets the minimum. */
export function requireStrongPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string') throw new WalletError('weak-passphrase', 'the passphrase must be a string');
  const strength = passphraseStrength(passphrase);
  if (!strength.acceptable) {
    throw new WalletError(
      'weak-passphrase',
      `the passphrase is too easy to guess (${strength.length} characters, about ${Math.floor(strength.bits)} bits): use at least ${MIN_PASSPHRASE_LENGTH} characters and ${MIN_PASSPHRASE_BITS} bits, e.g. four or more random words`,
    );
  }
}

/** Checks a new wallet's passphrase: one that meets the minimum, or `null` where an unencrypted wallet is allowed. */
export function requirePassphraseChoice(passphrase: string | null, how: PhraseKeeping): void {
  if (passphrase !== null) requireStrongPassphrase(passphrase);
  else if (!how.allowPlain) throw passphraseRequired(how.network);
}

/** Where and how one network's phrase may be kept. */
export interface PhraseKeeping {
  readonly network: NetworkName;
  /** An unencrypted phrase is allowed ({@link plainWalletAllowed}, or the headless node's `--insecure-plain-wallet`). */
  readonly allowPlain: boolean;
  /** Where an unencrypted phrase goes (absent: into the record, as before such files existed). */
  readonly plainStore?: PlainPhraseStore | undefined;
  /** PBKDF2 rounds for new boxes: for tests only (default DEFAULT_ITERATIONS). */
  readonly iterations?: number | undefined;
}

/** `mnemonic` sealed under `passphrase` (whose strength is the caller's check). */
export function sealPhrase(mnemonic: string, passphrase: string, how: PhraseKeeping): Promise<SealedBox> {
  return sealWithPassphrase(new TextEncoder().encode(mnemonic), passphrase, how.iterations === undefined ? {} : { iterations: how.iterations });
}

/**
 * The secret to store for `mnemonic`: sealed under `passphrase` (which must meet the minimum), or
 * with `null` unencrypted where allowed (written to the plain store first, when there is one).
 */
export async function keepPhrase(mnemonic: string, passphrase: string | null, how: PhraseKeeping): Promise<StoredSecret> {
  if (passphrase === null) {
    if (!how.allowPlain) throw passphraseRequired(how.network);
    if (!how.plainStore) return { kind: 'plain', mnemonic };
    await how.plainStore.write(how.network, mnemonic);
    return { kind: 'plain-file' };
  }
  requireStrongPassphrase(passphrase);
  return { kind: 'sealed', box: await sealPhrase(mnemonic, passphrase, how) };
}

/** The phrase in a sealed secret; WalletError('wrong-passphrase'), or 'no-passphrase' when it is not sealed. */
export async function openSealedPhrase(secret: StoredSecret, passphrase: string): Promise<string> {
  if (secret.kind !== 'sealed') throw new WalletError('no-passphrase', 'this wallet has no passphrase');
  return new TextDecoder().decode(await openWithPassphrase(secret.box, passphrase));
}

/** A box sealed with fewer PBKDF2 rounds than new ones get (an older version's): seal it again. */
export function resealDue(box: SealedBox, how: PhraseKeeping): boolean {
  return box.iterations < (how.iterations ?? DEFAULT_ITERATIONS);
}

/**
 * The phrase of an unencrypted wallet (undefined: sealed, or its file is gone). A phrase an earlier
 * version kept in the record itself is moved to its own file where there is a file store (every
 * later save of the record would write it again: another copy in the database's files); `moved` is
 * then the secret the record must hold instead.
 */
export async function readPlainPhrase(secret: StoredSecret | undefined, how: PhraseKeeping): Promise<{ phrase?: string; moved?: StoredSecret }> {
  if (secret?.kind === 'plain') {
    if (!how.plainStore) return { phrase: secret.mnemonic };
    await how.plainStore.write(how.network, secret.mnemonic);
    return { phrase: secret.mnemonic, moved: { kind: 'plain-file' } };
  }
  if (secret?.kind !== 'plain-file') return {};
  const phrase = await how.plainStore?.read(how.network);
  return phrase === undefined ? {} : { phrase };
}
