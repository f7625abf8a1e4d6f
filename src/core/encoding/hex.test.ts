import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex as nobleBytesToHex } from '@noble/hashes/utils.js';
import { bytesEqual, bytesToHex, hashToHex, hashToHexWith, hexToBytes, hexToHash } from './hex.ts';

describe('bytesToHex / hexToBytes', () => {
  it('behavior: encodes lower-case hex and decodes either case', () => {
    expect(bytesToHex(Uint8Array.from([0x00, 0x0f, 0xab, 0xff]))).toBe('000fabff');
    expect(bytesToHex(new Uint8Array(0))).toBe('');
    expect(Array.from(hexToBytes('000FabfF'))).toEqual([0x00, 0x0f, 0xab, 0xff]);
  });

  it('behavior: round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(hexToBytes(bytesToHex(bytes))).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('behavior: agrees with noble for inputs across the conversion chunk (4,096 bytes)', () => {
    for (const length of [1, 31, 32, 33, 4095, 4096, 4097, 10_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length) & 255);
      expect(bytesToHex(bytes)).toBe(nobleBytesToHex(bytes));
      expect(hashToHex(bytes)).toBe(nobleBytesToHex(bytes.slice().reverse()));
      expect(hashToHexWith(bytes, ':17')).toBe(`${nobleBytesToHex(bytes.slice().reverse())}:17`);
    }
  });

  it.each(['abc', 'zz', '0x00', ' 00'])('error: hexToBytes(%j) is a RangeError', (hex) => {
    expect(() => hexToBytes(hex)).toThrow(RangeError);
  });
});

describe('hashToHex', () => {
  it('behavior: shows a hash reversed (display order) without changing it', () => {
    const hash = new Uint8Array(32);
    hash[0] = 0x01;
    hash[31] = 0xff;
    expect(hashToHex(hash)).toBe(`ff${'00'.repeat(30)}01`);
    expect(hash[0]).toBe(0x01);
    expect(hash[31]).toBe(0xff);
  });
});

describe('hexToHash', () => {
  it('behavior: parses display order into internal byte order', () => {
    const hash = hexToHash(`ff${'00'.repeat(30)}01`);
    expect(hash.length).toBe(32);
    expect(hash[0]).toBe(0x01);
    expect(hash[31]).toBe(0xff);
  });

  it('behavior: accepts upper case', () => {
    expect(hexToHash('AB'.repeat(32))).toEqual(new Uint8Array(32).fill(0xab));
  });

  it('behavior: inverts hashToHex for every 32-byte hash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (hash) => {
        expect(hexToHash(hashToHex(hash))).toEqual(hash);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['63 digits', '0'.repeat(63)],
    ['65 digits', '0'.repeat(65)],
    ['62 digits', '0'.repeat(62)],
    ['a non-hex digit', `g${'0'.repeat(63)}`],
    ['a 0x prefix', `0x${'0'.repeat(64)}`],
    ['surrounding space', ` ${'0'.repeat(64)}`],
    ['empty', ''],
  ])('error: %s is a TypeError', (_name, hex) => {
    expect(() => hexToHash(hex)).toThrow(TypeError);
  });
});

describe('bytesEqual', () => {
  it('behavior: true for equal contents, including distinct arrays and empty ones', () => {
    expect(bytesEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('behavior: false for a different byte or a different length', () => {
    expect(bytesEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 4]))).toBe(false);
    expect(bytesEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2]))).toBe(false);
    expect(bytesEqual(Uint8Array.from([0]), new Uint8Array(0))).toBe(false);
  });

  it('behavior: agrees with comparing hex strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        expect(bytesEqual(a, b)).toBe(bytesToHex(a) === bytesToHex(b));
        expect(bytesEqual(a, a.slice())).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
