import fc from 'fast-check';
import { nobleHashNumber } from '../../core/testing/noble-hash-number.ts';
import { describe, expect, it } from 'vitest';
import { headerMidstate, searchNonces } from '../../core/mining/sha256-midstate.ts';
import { bestNonceSearch, createSimdNonceSearch, wasmSimdSupported } from './simd-nonce-search.ts';
import { LANES, sha256dSimdKernel } from './sha256d-simd-kernel.ts';

const simdSearch = createSimdNonceSearch();


/** The reference: the first nonce of the range whose noble sha256d is at most the target. */
function reference(header80: Uint8Array, target: bigint, start: number, count: number): { nonce: number | undefined; hashes: number } {
  for (let i = 0; i < count; i++) if (nobleHashNumber(header80, start + i) <= target) return { nonce: start + i, hashes: i + 1 };
  return { nonce: undefined, hashes: count };
}

const header = fc.uint8Array({ minLength: 80, maxLength: 80 });
/** A short range anywhere in the u32 space, up to its very end. */
const range = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3 * LANES + 5 }))
  .map(([start, count]) => [Math.min(start, 0xffffffff - count + 1), count] as const);

describe('WebAssembly SIMD nonce search', () => {
  it('behavior: the engine has WebAssembly SIMD, the generated kernel validates, and it is the chosen search', () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(WebAssembly.validate(sha256dSimdKernel())).toBe(true);
    expect(bestNonceSearch().kernel).toBe('wasm-simd');
  });

  it('behavior: a target only one known nonce meets (the range\'s smallest hash) finds exactly it, in any lane, on random headers', () => {
    fc.assert(
      fc.property(header, range, (header80, [start, count]) => {
        fc.pre(count > 0);
        const hashes = Array.from({ length: count }, (_, i) => nobleHashNumber(header80, start + i));
        const best = hashes.indexOf(hashes.reduce((a, b) => (b < a ? b : a)));
        const midstate = headerMidstate(header80);
        const result = simdSearch(header80, midstate, hashes[best]!, start, count);
        expect(result).toEqual({ nonce: start + best, hashes: best + 1 });
        // One below its hash, no nonce of the range meets the target.
        expect(simdSearch(header80, midstate, hashes[best]! - 1n, start, count)).toEqual({ nonce: undefined, hashes: count });
      }),
      { numRuns: 60 },
    );
  });

  it('behavior: equals @noble/hashes\' sha256d by brute force and core\'s searchNonces on random headers, ranges and targets', () => {
    const target = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
      fc.integer({ min: 0, max: 8 }).map((bits) => (1n << BigInt(256 - bits)) - 1n),
      fc.bigInt({ min: 0n, max: 0xffffffffn }).map((top) => (top << 224n) | ((1n << 224n) - 1n)),
    );
    fc.assert(
      fc.property(header, range, target, (header80, [start, count], t) => {
        const midstate = headerMidstate(header80);
        const result = simdSearch(header80, midstate, t, start, count);
        expect(result).toEqual(reference(header80, t, start, count));
        expect(result).toEqual(searchNonces(header80, midstate, t, start, count));
      }),
      { numRuns: 150 },
    );
  });

  it('behavior: long ranges at a real-looking target agree with core\'s searchNonces, found or not', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 0, max: 0xffffffff - 40_000 }), fc.integer({ min: 1, max: 40_000 }), (header80, start, count) => {
        const midstate = headerMidstate(header80);
        // About one hash in 16,384 meets it.
        const target = (1n << 242n) - 1n;
        expect(simdSearch(header80, midstate, target, start, count)).toEqual(searchNonces(header80, midstate, target, start, count));
      }),
      { numRuns: 20 },
    );
  });

  it('behavior: an empty range hashes nothing; a negative target is met by none; the range may end at 0xffffffff', () => {
    const header80 = Uint8Array.from({ length: 80 }, (_, i) => i * 7);
    const midstate = headerMidstate(header80);
    const all = (1n << 256n) - 1n;
    expect(simdSearch(header80, midstate, all, 12345, 0)).toEqual({ nonce: undefined, hashes: 0 });
    expect(simdSearch(header80, midstate, all, 0xffffffff, 0)).toEqual({ nonce: undefined, hashes: 0 });
    expect(simdSearch(header80, midstate, -1n, 0, 100)).toEqual({ nonce: undefined, hashes: 100 });
    expect(simdSearch(header80, midstate, all, 0xffffffff, 1)).toEqual({ nonce: 0xffffffff, hashes: 1 });
    expect(simdSearch(header80, midstate, 1n << 300n, 7, 3)).toEqual({ nonce: 7, hashes: 1 });
    expect(simdSearch(header80, midstate, 1n, 0xffffffff - 99, 100)).toEqual({ nonce: undefined, hashes: 100 });
  });

  it('error: refuses what core\'s searchNonces refuses, with the same errors: a range crossing 2^32 - 1, bad starts and counts, bad headers and midstates', () => {
    const header80 = new Uint8Array(80);
    const midstate = headerMidstate(header80);
    const cases: [Uint8Array, Uint32Array, number, number][] = [
      [header80, midstate, 0xffffffff, 2],
      [header80, midstate, 0xffffff00, 0x101],
      [header80, midstate, 0, 2 ** 32 + 1],
      [header80, midstate, -1, 1],
      [header80, midstate, 2 ** 32, 0],
      [header80, midstate, 1.5, 1],
      [header80, midstate, 0, -1],
      [header80.subarray(1), midstate, 0, 1],
      [header80, new Uint32Array(7), 0, 1],
    ];
    for (const [h, m, start, count] of cases) {
      let expected: unknown;
      try {
        searchNonces(h, m, 1n, start, count);
      } catch (error) {
        expected = error;
      }
      expect(expected).toBeInstanceOf(RangeError);
      expect(() => simdSearch(h, m, 1n, start, count)).toThrow(expected as RangeError);
    }
  });

  it('behavior: instances are independent (each worker compiles its own): interleaved searches on two headers agree with core', () => {
    const other = createSimdNonceSearch();
    const a = Uint8Array.from({ length: 80 }, (_, i) => i);
    const b = Uint8Array.from({ length: 80 }, (_, i) => 255 - i);
    const target = (1n << 248n) - 1n;
    for (let start = 0; start < 2000; start += 250) {
      expect(simdSearch(a, headerMidstate(a), target, start, 250)).toEqual(searchNonces(a, headerMidstate(a), target, start, 250));
      expect(other(b, headerMidstate(b), target, start, 250)).toEqual(searchNonces(b, headerMidstate(b), target, start, 250));
    }
  });
});
