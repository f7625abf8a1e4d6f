import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes, hexToHash } from '../encoding/hex.ts';
import { decodeHeader, headerHash, type BlockHeader } from '../primitives/header.ts';
import { bitsFromTarget, checkProofOfWork, decodeCompact, hashToBigInt, targetFromBits, validTarget, workFromBits } from './pow.ts';

const TWO_256 = 1n << 256n;
const BITCOIN_GENESIS = decodeHeader(
  hexToBytes(
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
  ),
);

/** A 256-bit number as a 32-byte hash in internal (little-endian) order. */
const hex = (bits: number) => `0x${bits.toString(16).padStart(8, '0')}`;
/** it.each rows labelled with their bits in hex (vitest has no hex placeholder). */
const byBits = <R extends readonly [number, ...unknown[]]>(rows: readonly R[]) => rows.map((r) => [hex(r[0]), ...r] as const);

function hashOf(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

describe('decodeCompact / targetFromBits / bitsFromTarget: Bitcoin Core arith_uint256 vectors', () => {
  // src/test/arith_uint256_tests.cpp (SetCompact / GetCompact), plus Bitcoin's difficulty-1 target.
  it.each(byBits([
    // bits, value, negative, overflow, GetCompact of the value (with its sign)
    [0x00000000, 0n, false, false, 0],
    [0x00123456, 0n, false, false, 0],
    [0x01003456, 0n, false, false, 0],
    [0x02000056, 0n, false, false, 0],
    [0x03000000, 0n, false, false, 0],
    [0x04000000, 0n, false, false, 0],
    [0x00923456, 0n, false, false, 0],
    [0x01803456, 0n, false, false, 0],
    [0x02800056, 0n, false, false, 0],
    [0x03800000, 0n, false, false, 0],
    [0x04800000, 0n, false, false, 0],
    [0x01123456, 0x12n, false, false, 0x01120000],
    [0x01fedcba, 0x7en, true, false, 0x01fe0000],
    [0x02123456, 0x1234n, false, false, 0x02123400],
    [0x03123456, 0x123456n, false, false, 0x03123456],
    [0x04123456, 0x12345600n, false, false, 0x04123456],
    [0x04923456, 0x12345600n, true, false, 0x04923456],
    [0x05009234, 0x92340000n, false, false, 0x05009234],
    [0x20123456, 0x1234560000000000000000000000000000000000000000000000000000000000n, false, false, 0x20123456],
    [0x1d00ffff, 0x00000000ffff0000000000000000000000000000000000000000000000000000n, false, false, 0x1d00ffff],
    [0x207fffff, 0x7fffff0000000000000000000000000000000000000000000000000000000000n, false, false, 0x207fffff],
  ] as const))('behavior: %s decodes and re-encodes as Bitcoin Core does', (_label, bits, value, negative, overflow, compact) => {
    const decoded = decodeCompact(bits);
    expect(decoded).toEqual({ value, negative, overflow });
    const target = targetFromBits(bits);
    expect(target).toBe(negative ? -value : value);
    expect(bitsFromTarget(target)).toBe(compact);
  });

  it('behavior: GetCompact never sets the sign bit for a positive number (0x80 becomes 0x02008000)', () => {
    expect(bitsFromTarget(0x80n)).toBe(0x02008000);
    expect(targetFromBits(0x02008000)).toBe(0x80n);
    expect(bitsFromTarget(0x800000n)).toBe(0x04008000);
  });

  it('behavior: a negative number sets the sign bit, and -0 encodes as 0', () => {
    expect(bitsFromTarget(-0x12345600n)).toBe(0x04923456);
    expect(bitsFromTarget(-0x7en)).toBe(0x01fe0000);
    expect(bitsFromTarget(-0n)).toBe(0);
  });

  it('error: 0xff123456 overflows 256 bits', () => {
    const decoded = decodeCompact(0xff123456);
    expect(decoded.overflow).toBe(true);
    expect(decoded.negative).toBe(false);
    expect(decoded.value).toBe(0x123456n << BigInt(8 * (0xff - 3)));
    expect(decoded.value >= TWO_256).toBe(true);
  });

  it.each(
    (
      [
        [0x23000001, true],
        [0x22000100, true],
        [0x21010000, true],
        [0x22000001, false],
        [0x210000ff, false],
        [0x2000ffff, false],
        [0x2100ffff, false],
        [0x22000000, false],
      ] as const
    ).map(([bits, overflow]) => [hex(bits), overflow, bits] as const),
  )('behavior: overflow of %s is %s (Bitcoin\u2019s size/mantissa rule)', (_label, overflow, bits) => {
    expect(decodeCompact(bits).overflow).toBe(overflow);
  });

  it('behavior: decode after encode is idempotent for every 32-bit bits value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const target = targetFromBits(bits);
        expect(targetFromBits(bitsFromTarget(target))).toBe(target);
      }),
      { numRuns: 2000 },
    );
  });

  it('behavior: encoding a target keeps its top 23 bits and rounds the rest down', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: TWO_256 - 1n }), (target) => {
        const rounded = targetFromBits(bitsFromTarget(target));
        expect(rounded <= target).toBe(true);
        expect(rounded > 0n).toBe(true);
        // At most the bits below the 3-byte mantissa are lost.
        const bytes = target.toString(16).length / 2;
        const dropped = Math.max(0, Math.ceil(bytes) - 3);
        expect(target - rounded < 1n << BigInt(8 * (dropped + 1))).toBe(true);
        expect(validTarget(bitsFromTarget(target))).toBe(rounded);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('validTarget', () => {
  it('behavior: returns the target of usable bits', () => {
    expect(validTarget(0x1d00ffff)).toBe(0xffffn << 208n);
    expect(validTarget(0x207fffff)).toBe(0x7fffffn << 232n);
    expect(validTarget(0x03000001)).toBe(1n);
  });

  it.each([
    ['negative', 0x04923456],
    ['negative with the smallest mantissa', 0x01810000],
    ['zero', 0x00000000],
    ['zero by shifting the mantissa out', 0x01003456],
    ['zero mantissa', 0x1d000000],
    ['overflow', 0xff123456],
    ['overflow at size 33', 0x21010000],
    ['overflow at size 34', 0x22000100],
    ['overflow at size 35', 0x23000001],
  ])('error: %s bits have no target', (_name, bits) => {
    expect(validTarget(bits)).toBeUndefined();
  });
});

describe('hashToBigInt', () => {
  it('behavior: reads a hash little-endian (the display-order hex is the number)', () => {
    const display = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';
    expect(hashToBigInt(hexToHash(display))).toBe(BigInt(`0x${display}`));
    expect(hashToBigInt(Uint8Array.of(1, 2))).toBe(0x0201n);
    expect(hashToBigInt(new Uint8Array(0))).toBe(0n);
  });

  it('behavior: inverts the little-endian layout for any 256-bit number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: TWO_256 - 1n }), (n) => {
        expect(hashToBigInt(hashOf(n))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });
});

describe('checkProofOfWork', () => {
  it('behavior: Bitcoin\u2019s genesis meets its target; another nonce does not', () => {
    expect(checkProofOfWork(BITCOIN_GENESIS)).toBe(true);
    expect(checkProofOfWork({ ...BITCOIN_GENESIS, nonce: BITCOIN_GENESIS.nonce + 1 })).toBe(false);
  });

  it('behavior: compares the given hash against the target, inclusive', () => {
    const h: BlockHeader = { ...BITCOIN_GENESIS, bits: 0x207fffff };
    const target = targetFromBits(0x207fffff);
    expect(checkProofOfWork(h, hashOf(target))).toBe(true);
    expect(checkProofOfWork(h, hashOf(target + 1n))).toBe(false);
    expect(checkProofOfWork(h, hashOf(0n))).toBe(true);
    expect(checkProofOfWork(h, new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it('behavior: uses the header hash when none is given', () => {
    const h: BlockHeader = { ...BITCOIN_GENESIS, bits: 0x207fffff };
    const hash = headerHash(h);
    expect(checkProofOfWork(h)).toBe(hashToBigInt(hash) <= targetFromBits(0x207fffff));
    expect(checkProofOfWork(BITCOIN_GENESIS, new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it.each([
    ['negative', 0x04923456],
    ['zero', 0x00000000],
    ['overflowing', 0xff123456],
  ])('error: %s bits never pass, even with a zero hash', (_name, bits) => {
    expect(checkProofOfWork({ ...BITCOIN_GENESIS, bits }, new Uint8Array(32))).toBe(false);
  });
});

describe('workFromBits', () => {
  it('behavior: a difficulty-1 block is 0x100010001 hashes (Bitcoin\u2019s chainwork per block)', () => {
    expect(workFromBits(0x1d00ffff)).toBe(0x100010001n);
  });

  it('behavior: is 2^256 / (target + 1)', () => {
    expect(workFromBits(0x207fffff)).toBe(2n);
    expect(workFromBits(0x03000001)).toBe(TWO_256 / 2n);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const target = validTarget(bits);
        expect(workFromBits(bits)).toBe(target === undefined ? 0n : TWO_256 / (target + 1n));
      }),
      { numRuns: 1000 },
    );
  });

  it('behavior: a harder target is more work', () => {
    expect(workFromBits(0x1c00ffff) > workFromBits(0x1d00ffff)).toBe(true);
    expect(workFromBits(0x1c00ffff)).toBe(TWO_256 / ((0xffffn << 200n) + 1n));
  });

  it.each([0x04923456, 0x00000000, 0x01003456, 0xff123456, 0x23000001].map((b) => [hex(b), b] as const))('error: invalid bits %s are zero work', (_label, bits) => {
    expect(workFromBits(bits)).toBe(0n);
  });
});
