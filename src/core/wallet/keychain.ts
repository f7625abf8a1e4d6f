/**
 * @module The wallet's keys: a 12-word BIP39 mnemonic (English), its seed, and BIP32 child keys
 * along `m/86'/coin'/0'/0/index` with coin types of tabchain's own: 7627106 on main (0x746162,
 * "tab" in ASCII) and 7627107 on test and regtest (as Bitcoin's test networks share coin 1), neither registered in SLIP-0044 (checked against the
 * registry of August 2026). So a phrase restored here never derives, stores or reveals the keys
 * of another chain's path: Bitcoin's (coin 0, and 1 for every testnet) were used before issue
 * 12, and restoring a Bitcoin wallet's phrase then published its Bitcoin addresses.
 *
 * Outputs pay the untweaked x-only key of each child (`publicKeyOf(secretKey)`): tabchain has no
 * scripts, so there is no script path for BIP86's taproot tweak to rule out, and an untweaked
 * key is as strong as a tweaked one for a single-key Schnorr signature. The path borrows BIP86's
 * purpose number to say "single-key Schnorr, x-only keys".
 */
import { HDKey } from '@scure/bip32';
import * as bip39 from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { publicKeyOf } from '../crypto/keys.ts';
import type { NetworkName } from '../consensus/params.ts';
import { WalletError } from './wallet-error.ts';

/** Coin type (BIP44 level 2, hardened) of each network: tabchain's own. */
export const COIN_TYPES: Readonly<Record<NetworkName, number>> = { main: 7_627_106, test: 7_627_107, regtest: 7_627_107 };

/**
 * Which path a key is on: `tabchain` for every key derived now; `legacy-bitcoin` only for keys a
 * wallet derived before issue 12 (`m/86'/0'` or `1'/0'/0/i`, Bitcoin's coin types), kept so their
 * coins can still be spent. Nothing new is ever derived on it.
 */
export type DerivationScheme = 'tabchain' | 'legacy-bitcoin';

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
export function derivationPath(network: NetworkName, index: number, scheme: DerivationScheme = 'tabchain'): string {
  const coin = scheme === 'tabchain' ? COIN_TYPES[network] : network === 'main' ? 0 : 1;
  return `m/86'/${coin}'/0'/0/${index}`;
}

/** Key `index` of the wallet with this seed on `network` (`legacy-bitcoin`: only to spend old coins). */
export function deriveKey(seed: Uint8Array, network: NetworkName, index: number, scheme: DerivationScheme = 'tabchain'): DerivedKey {
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) throw new RangeError(`key index ${index} is not in 0..${MAX_INDEX}`);
  const root = HDKey.fromMasterSeed(seed);
  const child = root.derive(derivationPath(network, index, scheme));
  // Copy before wiping: the HDKeys keep their own buffers, which should not outlive this call.
  const secretKey = child.privateKey!.slice();
  child.wipePrivateData();
  root.wipePrivateData();
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}
