import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../crypto/hash.ts';
import { hexToBytes } from '../encoding/hex.ts';
import { encodeHeader, type BlockHeader } from '../primitives/header.ts';
import { shortId, shortIdKey, type ShortIdKey } from './compact-short-ids.ts';

/** SipHash-2-4 written out over BigInt from the paper (tests only: checks the package we use). */
function referenceSipHash(k0: bigint, k1: bigint, m: Uint8Array): bigint {
  const mask = (1n << 64n) - 1n;
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & mask;
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & mask; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & mask; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & mask; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & mask; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const words = Math.floor(m.length / 8);
  const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
  for (let i = 0; i < words; i++) {
    const w = view.getBigUint64(i * 8, true);
    v3 ^= w; round(); round(); v0 ^= w;
  }
  let last = BigInt(m.length & 0xff) << 56n;
  for (let i = words * 8; i < m.length; i++) last |= BigInt(m[i]!) << BigInt(8 * (i - words * 8));
  v3 ^= last; round(); round(); v0 ^= last;
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return (v0 ^ v1 ^ v2 ^ v3) & mask;
}

const keyOf = (k0: bigint, k1: bigint): ShortIdKey => [Number(k0 & 0xffffffffn), Number(k0 >> 32n), Number(k1 & 0xffffffffn), Number(k1 >> 32n)];

describe('compact block short ids', () => {
  it('behavior: SipHash-2-4 gives the paper\'s test vectors (key 00..0f, messages 00.. of length 0, 8 and 15)', () => {
    const key = keyOf(0x0706050403020100n, 0x0f0e0d0c0b0a0908n);
    const message = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
    // From the SipHash paper's reference vectors (little-endian outputs read as u64).
    expect(shortId(key, message(0))).toBe(Number(0x726fdb47dd0e0e31n & 0xffffffffffffn));
    expect(shortId(key, message(8))).toBe(Number(0x93f5f5799a932462n & 0xffffffffffffn));
    expect(shortId(key, message(15))).toBe(Number(0xa129ca6149be45e5n & 0xffffffffffffn));
    expect(referenceSipHash(0x0706050403020100n, 0x0f0e0d0c0b0a0908n, message(15))).toBe(0xa129ca6149be45e5n);
  });

  it('behavior: the short id is the lower 48 bits of SipHash-2-4 of the txid, for any key and txid', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (k0, k1, txid) => {
        expect(shortId(keyOf(k0, k1), txid)).toBe(Number(referenceSipHash(k0, k1, txid) & 0xffffffffffffn));
      }),
      { numRuns: 300 },
    );
  });

  it('behavior: the key is the first two little-endian 64-bit words of SHA256(header ‖ nonce as 8 little-endian bytes)', () => {
    const header: BlockHeader = { version: 1, prevHash: new Uint8Array(32).fill(7), merkleRoot: new Uint8Array(32).fill(9), time: 1_700_000_000, bits: 0x207fffff, nonce: 3 };
    const nonce = 0x1122334455667788n;
    const digest = sha256(new Uint8Array([...encodeHeader(header), ...hexToBytes('8877665544332211')]));
    const view = new DataView(digest.buffer, digest.byteOffset);
    expect(shortIdKey(header, nonce)).toEqual(keyOf(view.getBigUint64(0, true), view.getBigUint64(8, true)));
    expect(shortIdKey(header, nonce + 1n)).not.toEqual(shortIdKey(header, nonce));
  });
});
