import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../crypto/address.ts';
import { publicKeyOf } from '../crypto/keys.ts';
import { mainParams, regtestParams } from '../consensus/networks.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { COIN_TYPES, derivationPath, deriveKey, generateMnemonic, mnemonicToSeed, validateMnemonic } from './keychain.ts';
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

  it('behavior: uses tabchain\'s own coin types, m/86\'/7627106\' on main and m/86\'/7627107\' on test, never Bitcoin\'s', () => {
    expect(COIN_TYPES).toEqual({ main: 7627106, test: 7627107, regtest: 7627107 });
    expect(7627106).toBe(0x746162); // "tab"
    expect(derivationPath('main', 3)).toBe("m/86'/7627106'/0'/0/3");
    expect(derivationPath('test', 0)).toBe("m/86'/7627107'/0'/0/0");
    // Only the legacy scheme (keys of wallets made before issue 12) names Bitcoin's coin types.
    expect(derivationPath('main', 3, 'legacy-bitcoin')).toBe("m/86'/0'/0'/0/3");
    expect(derivationPath('test', 0, 'legacy-bitcoin')).toBe("m/86'/1'/0'/0/0");
  });

  it('behavior: test vectors of the tabchain path for the abandon mnemonic (@scure/bip32)', () => {
    const vectors = [
      ['main', 0, 'b89ddac399e722d044592d7f055e8b3351b4a22b6bdf89feb935add22b197998', 'fd390e7c2aee794255769b1e3aff3be4dfffff9433c297287e6330832fceabfd'],
      ['main', 1, '5039de5cf3986403f8dfdc4d3e6fe69f3902b327b3433c85f72d45b254886c84', 'cc1aaab722c7733bea47e94e562f5e9dfa1a34f98c9bfb86e262abbbe68dd584'],
      ['test', 0, 'e8636c4891a4132b584d3260adbf1f2d0462e01033f3ca0559800aafa08613ff', '75c1fea936af26992725b003c695d00fdbab67c293a53b98417f084fc60e2d79'],
      ['test', 1, '89fb222eea299e03f1b1fdd210db84567f882c9e9538ea5931b91bb460e284d1', '8290bebde1a9d1ab9397eb0e87abb40a577fe706cef448975733e9ba1df75ca2'],
    ] as const;
    for (const [network, index, secret, publicKey] of vectors) {
      const key = deriveKey(seed, network, index);
      expect(bytesToHex(key.secretKey), `${network} ${index}`).toBe(secret);
      expect(bytesToHex(key.publicKey), `${network} ${index}`).toBe(publicKey);
    }
    expect(encodeAddress(deriveKey(seed, 'main', 0).publicKey, mainParams.addressPrefix)).toBe('tab1ql5usulp2aeu5y4tknv0r4lemun0lllu5x0pfw2r7vvcgxt7w407slqzzjs');
  });

  it('behavior: is deterministic: the same mnemonic gives the same keys and addresses', () => {
    const addresses = (s: Uint8Array) => [0, 1, 2].map((i) => encodeAddress(deriveKey(s, 'test', i).publicKey, regtestParams.addressPrefix));
    expect(addresses(mnemonicToSeed(ABANDON))).toEqual(addresses(seed));
  });

  it('behavior: the public key is the x-only key of the secret key', () => {
    const key = deriveKey(seed, 'main', 0);
    expect(key.secretKey).toHaveLength(32);
    expect(key.publicKey).toHaveLength(32);
    expect(key.publicKey).toEqual(publicKeyOf(key.secretKey));
  });

  it('behavior: the legacy scheme matches BIP86\'s first internal key; the tabchain path does not', () => {
    // BIP86 test vector: m/86'/0'/0'/0/0 internal key (before its taproot tweak). This checks the
    // derivation machinery, and that a restored Bitcoin phrase no longer yields its Bitcoin keys.
    const bip86 = 'cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115';
    expect(bytesToHex(deriveKey(seed, 'main', 0, 'legacy-bitcoin').publicKey)).toBe(bip86);
    expect(deriveKey(seed, 'main', 0, 'legacy-bitcoin').secretKey).toEqual(hexToBytes('41f41d69260df4cf277826a9b65a3717e4eeddbeedf637f212ca096576479361'));
    expect(bytesToHex(deriveKey(seed, 'main', 0).publicKey)).not.toBe(bip86);
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
