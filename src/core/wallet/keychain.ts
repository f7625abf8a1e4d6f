/**
 * @module The wallet's keys: a 12-word BIP39 mnemonic (English), its seed, and BIP32 child keys
 * along `m/86'/coin'/0'/0/index` (coin 0 on main, 1 on test, as BIP44 does for testnets).
 *
 * Outputs pay the untweaked x-only key of each child (`publicKeyOf(secretKey)`): tabchain has no
 * scripts, so BIP86's taproot tweak would protect nothing. The path only borrows BIP86's purpose
 * number to say "single-key Schnorr"; other BIP86 wallets will not derive the same addresses.
 */
import { HDKey } from '@scure/bip32';
import * as bip39 from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { publicKeyOf } from '../crypto/keys.ts';
import type { NetworkName } from '../consensus/params.ts';
import { WalletError } from './wallet-error.ts';

/** Largest non-hardened child index (BIP32: hardened indexes start at 2^31). */
const MAX_INDEX = 0x7fffffff;

export interface DerivedKey {
  readonly secretKey: Uint8Array;
  /** x-only (32 bytes): what outputs and addresses carry. */
  readonly publicKey: Uint8Array;
}

/**
 * People retype mnemonics with stray spaces, line breaks or capitals; the canonical form (lower
 * case, single spaces) is what BIP39 hashes, so fixing it up here gives the same seed as any
 * other wallet would for the same words.
 */
function normalizeMnemonic(mnemonic: string): string {
  return typeof mnemonic === 'string' ? mnemonic.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ') : '';
}

/** A fresh 12-word mnemonic (128 bits of entropy from the platform's secure random source). */
export function generateMnemonic(): string {
  return bip39.generateMnemonic(wordlist, 128);
}

/** True for a BIP39 English mnemonic with a valid checksum (case and spacing are forgiven). */
export function validateMnemonic(mnemonic: string): boolean {
  return bip39.validateMnemonic(normalizeMnemonic(mnemonic), wordlist);
}

/** The 64-byte BIP39 seed. Throws WalletError('bad-mnemonic') for an invalid mnemonic. */
export function mnemonicToSeed(mnemonic: string, passphrase = ''): Uint8Array {
  const normalized = normalizeMnemonic(mnemonic);
  if (!bip39.validateMnemonic(normalized, wordlist)) {
    throw new WalletError('bad-mnemonic', 'not a valid recovery phrase: check the words and their order');
  }
  return bip39.mnemonicToSeedSync(normalized, passphrase);
}

/** The BIP32 path of receive key `index` on `network`. */
export function derivationPath(network: NetworkName, index: number): string {
  return `m/86'/${network === 'main' ? 0 : 1}'/0'/0/${index}`;
}

/** Key `index` of the wallet with this seed on `network`. */
export function deriveKey(seed: Uint8Array, network: NetworkName, index: number): DerivedKey {
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) throw new RangeError(`key index ${index} is not in 0..${MAX_INDEX}`);
  const root = HDKey.fromMasterSeed(seed);
  const child = root.derive(derivationPath(network, index));
  // Copy before wiping: the HDKeys keep their own buffers, which should not outlive this call.
  const secretKey = child.privateKey!.slice();
  child.wipePrivateData();
  root.wipePrivateData();
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}
