import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../crypto/address.ts';
import { publicKeyOf } from '../crypto/keys.ts';
import { testParams } from '../consensus/networks.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { derivationPath, deriveKey, generateMnemonic, mnemonicToSeed, validateMnemonic } from './keychain.ts';
import { WalletError } from './wallet-error.ts';

const ABANDON = `${'abandon '.repeat(11)}about`;

function walletErrorOf(fn: () => unknown): WalletError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    return e as WalletError;
  }
  throw new Error('expected a WalletError, nothing was thrown');
}

describe('mnemonics', () => {
  it('behavior: generates valid 12-word English mnemonics, different each time', () => {
    const a = generateMnemonic();
    const b = generateMnemonic();
    expect(a.split(' ')).toHaveLength(12);
    expect(validateMnemonic(a)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('behavior: matches the BIP39 vector (abandon ×11 about, passphrase TREZOR)', () => {
    expect(bytesToHex(mnemonicToSeed(ABANDON, 'TREZOR'))).toBe(
      'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04',
    );
  });

  it('behavior: the passphrase defaults to empty and changes the seed', () => {
    expect(mnemonicToSeed(ABANDON)).toEqual(mnemonicToSeed(ABANDON, ''));
    expect(mnemonicToSeed(ABANDON)).not.toEqual(mnemonicToSeed(ABANDON, 'TREZOR'));
  });

  it('behavior: forgives capitals and stray whitespace', () => {
    const messy = `  ${ABANDON.toUpperCase().replaceAll(' ', ' \n  ')}  `;
    expect(validateMnemonic(messy)).toBe(true);
    expect(mnemonicToSeed(messy, 'TREZOR')).toEqual(mnemonicToSeed(ABANDON, 'TREZOR'));
  });

  it('error: a bad checksum, an unknown word, a wrong word count or a non-string is bad-mnemonic', () => {
    const bad = [`${'abandon '.repeat(11)}abandon`, `${'abandon '.repeat(11)}bitcoinz`, 'abandon about', '', 42 as unknown as string];
    for (const mnemonic of bad) {
      expect(validateMnemonic(mnemonic)).toBe(false);
      expect(walletErrorOf(() => mnemonicToSeed(mnemonic)).code).toBe('bad-mnemonic');
    }
  });
});

describe('deriveKey', () => {
  const seed = mnemonicToSeed(ABANDON);

  it('behavior: uses m/86\'/0\' on main and m/86\'/1\' on test', () => {
    expect(derivationPath('main', 3)).toBe("m/86'/0'/0'/0/3");
    expect(derivationPath('test', 0)).toBe("m/86'/1'/0'/0/0");
  });

  it('behavior: is deterministic: the same mnemonic gives the same keys and addresses', () => {
    const addresses = (s: Uint8Array) => [0, 1, 2].map((i) => encodeAddress(deriveKey(s, 'test', i).publicKey, testParams.addressPrefix));
    expect(addresses(mnemonicToSeed(ABANDON))).toEqual(addresses(seed));
  });

  it('behavior: the public key is the x-only key of the secret key', () => {
    const key = deriveKey(seed, 'main', 0);
    expect(key.secretKey).toHaveLength(32);
    expect(key.publicKey).toHaveLength(32);
    expect(key.publicKey).toEqual(publicKeyOf(key.secretKey));
  });

  it('behavior: matches BIP86\'s first internal key for the abandon mnemonic (same derivation path)', () => {
    // BIP86 test vector: m/86'/0'/0'/0/0 internal key (before its taproot tweak, which tabchain does not apply).
    expect(bytesToHex(deriveKey(seed, 'main', 0).publicKey)).toBe('cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115');
    expect(deriveKey(seed, 'main', 0).secretKey).toEqual(hexToBytes('41f41d69260df4cf277826a9b65a3717e4eeddbeedf637f212ca096576479361'));
  });

  it('behavior: different indexes and networks give different keys', () => {
    const keys = [deriveKey(seed, 'main', 0), deriveKey(seed, 'main', 1), deriveKey(seed, 'test', 0), deriveKey(seed, 'test', 1)];
    expect(new Set(keys.map((k) => bytesToHex(k.publicKey))).size).toBe(4);
    expect(new Set(keys.map((k) => bytesToHex(k.secretKey))).size).toBe(4);
  });

  it('error: an index that is negative, fractional or hardened is refused', () => {
    for (const index of [-1, 1.5, 2 ** 31, Number.NaN]) expect(() => deriveKey(seed, 'main', index)).toThrow(RangeError);
  });
});
