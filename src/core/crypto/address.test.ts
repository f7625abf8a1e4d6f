import { bech32, bech32m } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mainParams, regtestParams, testParams } from '../consensus/networks.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { ADDRESS_VERSION, AddressError, decodeAddress, encodeAddress, type AddressErrorCode } from './address.ts';
import { isValidPublicKey, publicKeyOf } from './keys.ts';

const MAIN = mainParams.addressPrefix;
const TEST = testParams.addressPrefix;
const REGTEST = regtestParams.addressPrefix;
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

const keyOf = (n: number) => publicKeyOf(hexToBytes(n.toString(16).padStart(64, '0')));
const key = keyOf(0xc0ffee);

function addressErrorOf(fn: () => unknown): AddressError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AddressError);
    return e as AddressError;
  }
  throw new Error('expected an AddressError, nothing was thrown');
}

const codeOf = (address: string, prefix: string): AddressErrorCode => addressErrorOf(() => decodeAddress(address, prefix)).code;

/** A 32-byte x that is not on the curve (found by search; checked against isValidPublicKey). */
function offCurveKey(): Uint8Array {
  for (let i = 0; ; i++) {
    const x = new Uint8Array(32).fill(0x11);
    x[31] = i;
    if (!isValidPublicKey(x)) return x;
  }
}

describe('prefixes', () => {
  it('behavior: main uses tab, test uses ttab and regtest rtab', () => {
    expect(REGTEST).toBe('rtab');
    expect(MAIN).toBe('tab');
    expect(TEST).toBe('ttab');
    expect(ADDRESS_VERSION).toBe(0);
  });
});

describe('encodeAddress', () => {
  it('behavior: is bech32m of [version 0] + the key in 5-bit words, with the network prefix', () => {
    const address = encodeAddress(key, MAIN);
    expect(address.startsWith('tab1q')).toBe(true);
    expect(address).toBe(address.toLowerCase());
    expect(address.length).toBe(3 + 1 + 1 + 52 + 6);
    const decoded = bech32m.decode(address as `${string}1${string}`);
    expect(decoded.prefix).toBe('tab');
    expect(decoded.words).toEqual([0, ...bech32m.toWords(key)]);
    expect(encodeAddress(key, TEST).startsWith('ttab1q')).toBe(true);
  });

  it('behavior: the same key gives different addresses per network', () => {
    expect(encodeAddress(key, MAIN)).not.toBe(encodeAddress(key, TEST));
  });

  it.each([31, 33, 0])('error: a %i-byte key is a RangeError', (n) => {
    expect(() => encodeAddress(new Uint8Array(n), MAIN)).toThrow(RangeError);
  });
});

describe('decodeAddress', () => {
  it.each([
    ['main', MAIN],
    ['test', TEST],
    ['regtest', REGTEST],
  ])('behavior: round-trips a key on %s', (_name, prefix) => {
    const address = encodeAddress(key, prefix);
    expect(bytesToHex(decodeAddress(address, prefix))).toBe(bytesToHex(key));
  });

  it('behavior: round-trips random valid keys on both networks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), fc.constantFrom(MAIN, TEST), (n, prefix) => {
        const k = keyOf(n);
        expect(decodeAddress(encodeAddress(k, prefix), prefix)).toEqual(k);
      }),
      { numRuns: 100 },
    );
  });

  it('behavior: accepts an all upper-case address', () => {
    const address = encodeAddress(key, MAIN).toUpperCase();
    expect(decodeAddress(address, MAIN)).toEqual(key);
    expect(decodeAddress(encodeAddress(key, TEST).toUpperCase(), TEST)).toEqual(key);
  });

  it('behavior: ignores surrounding whitespace (pasted addresses)', () => {
    expect(decodeAddress(`  ${encodeAddress(key, MAIN)}\n`, MAIN)).toEqual(key);
  });

  it('error: a single-character typo in the data part is bad-checksum', () => {
    const address = encodeAddress(key, MAIN);
    const dataStart = MAIN.length + 1;
    fc.assert(
      fc.property(fc.integer({ min: dataStart, max: address.length - 1 }), fc.integer({ min: 1, max: 31 }), (pos, shift) => {
        const original = CHARSET.indexOf(address[pos]!);
        const typo = address.slice(0, pos) + CHARSET[(original + shift) % 32]! + address.slice(pos + 1);
        expect(codeOf(typo, MAIN)).toBe('bad-checksum');
      }),
      { numRuns: 300 },
    );
  });

  it('error: two swapped adjacent characters are bad-checksum', () => {
    const address = encodeAddress(key, MAIN);
    const i = address.length - 10;
    expect(address[i]).not.toBe(address[i + 1]);
    const swapped = address.slice(0, i) + address[i + 1] + address[i] + address.slice(i + 2);
    expect(codeOf(swapped, MAIN)).toBe('bad-checksum');
  });

  it('error: a typo in the prefix is bad-checksum', () => {
    const address = encodeAddress(key, MAIN);
    expect(codeOf(`tob${address.slice(3)}`, MAIN)).toBe('bad-checksum');
  });

  it('error: the other network\u2019s address is wrong-network', () => {
    expect(codeOf(encodeAddress(key, TEST), MAIN)).toBe('wrong-network');
    expect(codeOf(encodeAddress(key, MAIN), TEST)).toBe('wrong-network');
    expect(codeOf(encodeAddress(key, 'bc'), MAIN)).toBe('wrong-network');
  });

  it('error: a bech32 (not bech32m) checksum is bad-checksum', () => {
    const legacy = bech32.encode(MAIN, [ADDRESS_VERSION, ...bech32.toWords(key)]);
    expect(codeOf(legacy, MAIN)).toBe('bad-checksum');
  });

  it('error: a version other than 0 is bad-version', () => {
    for (const version of [1, 16, 31]) {
      const address = bech32m.encode(MAIN, [version, ...bech32m.toWords(key)]);
      expect(codeOf(address, MAIN)).toBe('bad-version');
    }
  });

  it('error: a 20-byte or 33-byte payload is bad-length', () => {
    expect(codeOf(bech32m.encode(MAIN, [0, ...bech32m.toWords(new Uint8Array(20).fill(1))]), MAIN)).toBe('bad-length');
    expect(codeOf(bech32m.encode(MAIN, [0, ...bech32m.toWords(Uint8Array.of(...key, 0))]), MAIN)).toBe('bad-length');
    expect(codeOf(bech32m.encode(MAIN, [0, 0]), MAIN)).toBe('bad-length');
  });

  it('error: non-zero padding bits are bad-length', () => {
    const words = [0, ...bech32m.toWords(key)];
    // 32 bytes = 256 bits in 52 words (260 bits): the last word carries 4 padding bits.
    words[words.length - 1] = words[words.length - 1]! | 1;
    expect(codeOf(bech32m.encode(MAIN, words), MAIN)).toBe('bad-length');
  });

  it('error: a 32-byte x that is not on the curve is bad-key', () => {
    const x = offCurveKey();
    const address = bech32m.encode(MAIN, [0, ...bech32m.toWords(x)]);
    expect(codeOf(address, MAIN)).toBe('bad-key');
    expect(codeOf(bech32m.encode(MAIN, [0, ...bech32m.toWords(new Uint8Array(32).fill(0xff))]), MAIN)).toBe('bad-key');
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   '],
    ['mixed case', () => { const a = encodeAddress(key, MAIN); return a.slice(0, -1) + a.slice(-1).toUpperCase(); }],
    ['mixed case in the prefix', () => `Tab${encodeAddress(key, MAIN).slice(3)}`],
    ['no separator', 'tabqqqqqqqqqqqqqqq'],
    ['nothing before the separator', '1qqqqqqqqqqq'],
    ['a character outside the charset (b)', () => `${encodeAddress(key, MAIN).slice(0, -1)}b`],
    ['a character outside the charset (i)', () => `${encodeAddress(key, MAIN).slice(0, 10)}i${encodeAddress(key, MAIN).slice(11)}`],
    ['a data part shorter than the checksum', 'tab1qqqqq'],
    ['garbage', 'hello world'],
    ['longer than 90 characters', `tab1${'q'.repeat(90)}`],
    ['a non-ASCII prefix', 't\u00e5b1qqqqqqqqqqqqqq'],
    ['a space in the prefix', 't b1qqqqqqqqqqqqqq'],
  ])('error: %s is bad-format', (_name, input) => {
    const address = typeof input === 'function' ? input() : input;
    expect(codeOf(address, MAIN)).toBe('bad-format');
  });

  it('error: a non-string is bad-format', () => {
    expect(codeOf(undefined as unknown as string, MAIN)).toBe('bad-format');
    expect(codeOf(42 as unknown as string, MAIN)).toBe('bad-format');
  });

  it('error: random strings only ever throw AddressError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.string({ unit: fc.constantFrom(...`${CHARSET}1tabTAB`.split('')), maxLength: 95 }),
          fc.string({ unit: fc.constantFrom(...CHARSET.split('')), minLength: 6, maxLength: 80 }).map((s) => `tab1${s}`),
        ),
        (s) => {
          let key: Uint8Array | undefined;
          try {
            key = decodeAddress(s, MAIN);
          } catch (e) {
            expect(e).toBeInstanceOf(AddressError);
            return;
          }
          // Anything accepted is a valid address that re-encodes to the same string.
          expect(encodeAddress(key, MAIN)).toBe(s.trim().toLowerCase());
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('AddressError', () => {
  it('behavior: names itself and carries its code', () => {
    const e = new AddressError('bad-key', 'msg');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AddressError');
    expect(e.code).toBe('bad-key');
    expect(e.message).toBe('msg');
  });
});
