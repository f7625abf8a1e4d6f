import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256, sha256d } from '../crypto/hash.ts';
import { bytesToHex } from '../encoding/hex.ts';
import { checkProofOfWork, hashToBigInt, validTarget } from '../consensus/pow.ts';
import { decodeHeader, encodeHeader, type BlockHeader } from '../primitives/header.ts';
import { headerMidstate, searchNonces, sha256dHeader } from './sha256-midstate.ts';

/** A deterministic header with the given bits (other fields pseudo-random from the seed). */
function makeHeader(seed: number, bits: number, time = 1_700_000_000 + seed): BlockHeader {
  const bytes = (tag: string) => sha256(new TextEncoder().encode(`${tag}/${seed}`));
  return { version: (seed * 2654435761) >>> 0, prevHash: bytes('prev'), merkleRoot: bytes('merkle'), time, bits, nonce: 0 };
}

/** The first nonce in [start, start + count) whose header passes checkProofOfWork, by brute force. */
function bruteForce(header: BlockHeader, start: number, count: number): number | undefined {
  for (let nonce = start; nonce < start + count; nonce++) if (checkProofOfWork({ ...header, nonce })) return nonce;
  return undefined;
}

/** The first nonce in [start, start + count) whose sha256d is at most target, by brute force. */
function bruteForceTarget(header80: Uint8Array, target: bigint, start: number, count: number): number | undefined {
  const h = decodeHeader(header80);
  for (let nonce = start; nonce < start + count; nonce++) if (hashToBigInt(sha256d(encodeHeader({ ...h, nonce }))) <= target) return nonce;
  return undefined;
}

const withNonce = (header80: Uint8Array, nonce: number): Uint8Array => {
  const out = header80.slice();
  new DataView(out.buffer).setUint32(76, nonce, true);
  return out;
};

describe('sha256dHeader', () => {
  it('behavior: equals sha256(sha256(x)) on 1500 random headers with random nonces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), fc.nat({ max: 0xffffffff }), (bytes, nonce) => {
        const header = withNonce(bytes, nonce);
        expect(bytesToHex(sha256dHeader(header))).toBe(bytesToHex(sha256d(header)));
      }),
      { numRuns: 1500 },
    );
  });

  it('behavior: agrees with node:crypto on edge headers (all zero, all 0xff, nonce 0 and 0xffffffff)', () => {
    const node = (x: Uint8Array) => createHash('sha256').update(createHash('sha256').update(x).digest()).digest('hex');
    for (const fill of [0x00, 0xff, 0x80, 0x7f]) {
      for (const nonce of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff]) {
        const header = withNonce(new Uint8Array(80).fill(fill), nonce);
        expect(bytesToHex(sha256dHeader(header))).toBe(node(header));
      }
    }
  });

  it('behavior: a real header hashes to its known block hash (Bitcoin block 125552)', () => {
    const header: BlockHeader = {
      version: 1,
      prevHash: Uint8Array.from(Buffer.from('00000000000008a3a41b85b8b29ad444def299fee21793cd8b9e567eab02cd81', 'hex').reverse()),
      merkleRoot: Uint8Array.from(Buffer.from('2b12fcf1b09288fcaff797d71e950e71ae42b91e8bdb2304758dfcffc2b620e3', 'hex').reverse()),
      time: 1305998791,
      bits: 0x1a44b9f2,
      nonce: 2504433986,
    };
    const hash = sha256dHeader(encodeHeader(header));
    expect(Buffer.from(hash).reverse().toString('hex')).toBe('00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d');
    expect(checkProofOfWork(header, hash)).toBe(true);
  });

  it('behavior: does not modify its input', () => {
    const header = encodeHeader(makeHeader(1, 0x207fffff));
    const copy = header.slice();
    sha256dHeader(header);
    searchNonces(header, headerMidstate(header), 1n, 0, 100);
    expect(header).toEqual(copy);
  });

  it('error: refuses anything but 80 bytes', () => {
    expect(() => sha256dHeader(new Uint8Array(79))).toThrow(RangeError);
    expect(() => headerMidstate(new Uint8Array(81))).toThrow(RangeError);
  });
});

describe('headerMidstate', () => {
  it('behavior: depends only on the first 64 bytes', () => {
    const a = encodeHeader(makeHeader(2, 0x207fffff));
    const b = encodeHeader({ ...makeHeader(2, 0x1d00ffff, 1), nonce: 99 });
    expect(Array.from(headerMidstate(a))).toEqual(Array.from(headerMidstate(b)));
    const c = a.slice();
    c[63] = c[63]! ^ 1;
    expect(Array.from(headerMidstate(c))).not.toEqual(Array.from(headerMidstate(a)));
  });
});

describe('searchNonces', () => {
  it.each([
    ['0x207fffff', 0x207fffff, 64],
    ['0x2000ffff', 0x2000ffff, 2000],
    ['0x1f7fffff', 0x1f7fffff, 5000],
    ['0x1f00ffff', 0x1f00ffff, 5000],
  ])('behavior: finds exactly the first passing nonce checkProofOfWork finds (bits %s)', (_name, bits, span) => {
    for (let seed = 0; seed < 12; seed++) {
      const header = makeHeader(seed, bits);
      const header80 = encodeHeader(header);
      const midstate = headerMidstate(header80);
      const start = seed * 1_000_003;
      const expected = bruteForce(header, start, span);
      const result = searchNonces(header80, midstate, validTarget(bits)!, start, span);
      expect(result.nonce).toBe(expected);
      expect(result.hashes).toBe(expected === undefined ? span : expected - start + 1);
      if (expected !== undefined) expect(checkProofOfWork({ ...header, nonce: expected })).toBe(true);
    }
  });

  it('behavior: handles a found nonce at the start of the range and at its end, and returns hashes = count when nothing is found', () => {
    const bits = 0x1f7fffff;
    const target = validTarget(bits)!;
    let checked = 0;
    for (let seed = 100; checked < 5; seed++) {
      const header = makeHeader(seed, bits);
      const header80 = encodeHeader(header);
      const midstate = headerMidstate(header80);
      const first = bruteForce(header, 0, 20_000);
      if (first === undefined || first < 2) continue;
      checked++;
      // The hit is the last nonce of the range.
      expect(searchNonces(header80, midstate, target, 0, first + 1)).toEqual({ nonce: first, hashes: first + 1 });
      // The hit is the first nonce of the range.
      expect(searchNonces(header80, midstate, target, first, 1000)).toEqual({ nonce: first, hashes: 1 });
      expect(searchNonces(header80, midstate, target, first, 1)).toEqual({ nonce: first, hashes: 1 });
      // Just before it, nothing passes.
      expect(searchNonces(header80, midstate, target, 0, first)).toEqual({ nonce: undefined, hashes: first });
      expect(searchNonces(header80, midstate, target, 1, first - 1)).toEqual({ nonce: undefined, hashes: first - 1 });
    }
  });

  it('behavior: an exact target passes only hashes at most equal to it (the top word equal to the target\'s is compared in full)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const header80 = encodeHeader(makeHeader(seed, 0x1d00ffff));
      const midstate = headerMidstate(header80);
      const start = 1000 * seed;
      // The 40th nonce's hash as target: the first hit is the first nonce at or below it.
      const chosen = hashToBigInt(sha256dHeader(withNonce(header80, start + 40)));
      for (const target of [chosen, chosen - 1n, chosen + 1n, (chosen >> 224n) << 224n, ((chosen >> 224n) << 224n) - 1n]) {
        const expected = bruteForceTarget(header80, target, start, 60);
        expect(searchNonces(header80, midstate, target, start, 60).nonce, `seed ${seed} target ${target.toString(16)}`).toBe(expected);
      }
      expect(searchNonces(header80, midstate, chosen, start + 40, 1).nonce).toBe(start + 40);
      expect(searchNonces(header80, midstate, chosen - 1n, start + 40, 1).nonce).toBeUndefined();
    }
  });

  it('behavior: extreme targets: 2^256 - 1 and above accept the first nonce, 0 and negative accept none', () => {
    const header80 = encodeHeader(makeHeader(3, 0x207fffff));
    const midstate = headerMidstate(header80);
    expect(searchNonces(header80, midstate, (1n << 256n) - 1n, 7, 10)).toEqual({ nonce: 7, hashes: 1 });
    expect(searchNonces(header80, midstate, 1n << 300n, 7, 10)).toEqual({ nonce: 7, hashes: 1 });
    expect(searchNonces(header80, midstate, 0n, 7, 300)).toEqual({ nonce: undefined, hashes: 300 });
    expect(searchNonces(header80, midstate, -1n, 7, 300)).toEqual({ nonce: undefined, hashes: 300 });
  });

  it('behavior: searches up to nonce 0xffffffff and agrees with sha256d across the 2^31 boundary', () => {
    const header = makeHeader(5, 0x1f7fffff);
    const header80 = encodeHeader(header);
    const midstate = headerMidstate(header80);
    const target = validTarget(header.bits)!;
    for (const start of [0xffffffff - 3000, 0x80000000 - 1500]) {
      expect(searchNonces(header80, midstate, target, start, 3001).nonce).toBe(bruteForce(header, start, 3001));
    }
    const top = searchNonces(header80, midstate, (1n << 256n) - 1n, 0xffffffff, 1);
    expect(top).toEqual({ nonce: 0xffffffff, hashes: 1 });
  });

  it('behavior: count 0 hashes nothing', () => {
    const header80 = encodeHeader(makeHeader(4, 0x207fffff));
    expect(searchNonces(header80, headerMidstate(header80), 1n << 255n, 0, 0)).toEqual({ nonce: undefined, hashes: 0 });
  });

  it('error: refuses ranges past 0xffffffff, bad nonces and counts, and bad midstates', () => {
    const header80 = encodeHeader(makeHeader(4, 0x207fffff));
    const midstate = headerMidstate(header80);
    expect(() => searchNonces(header80, midstate, 1n, 0xffffffff, 2)).toThrow(RangeError);
    expect(() => searchNonces(header80, midstate, 1n, 0xfffffff0, 17)).toThrow(RangeError);
    expect(() => searchNonces(header80, midstate, 1n, -1, 1)).toThrow(RangeError);
    expect(() => searchNonces(header80, midstate, 1n, 2 ** 32, 0)).toThrow(RangeError);
    expect(() => searchNonces(header80, midstate, 1n, 0.5, 1)).toThrow(RangeError);
    expect(() => searchNonces(header80, midstate, 1n, 0, -1)).toThrow(RangeError);
    expect(() => searchNonces(header80, midstate, 1n, 0, 1.5)).toThrow(RangeError);
    expect(() => searchNonces(header80, new Uint32Array(7), 1n, 0, 1)).toThrow(RangeError);
    expect(() => searchNonces(header80.subarray(1), midstate, 1n, 0, 1)).toThrow(RangeError);
  });
});
