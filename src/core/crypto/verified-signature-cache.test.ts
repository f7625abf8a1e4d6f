import { describe, expect, it } from 'vitest';
import { sha256 } from './hash.ts';
import { publicKeyOf, schnorrSign, type SignatureJob } from './keys.ts';
import { VerifiedSignatureCache } from './verified-signature-cache.ts';

const secret = sha256(new TextEncoder().encode('cache test key'));
function job(n: number): SignatureJob {
  const message = sha256(Uint8Array.of(n));
  return { signature: schnorrSign(message, secret, new Uint8Array(32)), message, publicKey: publicKeyOf(secret) };
}
const flip = (bytes: Uint8Array, i: number) => {
  const copy = bytes.slice();
  copy[i]! ^= 1;
  return copy;
};

describe('VerifiedSignatureCache', () => {
  it('behavior: knows exactly the triples added, not one whose signature, message or key differs by a bit', () => {
    const cache = new VerifiedSignatureCache(10);
    const a = job(1);
    expect(cache.has(a)).toBe(false);
    cache.add(a);
    expect(cache.has(a)).toBe(true);
    expect(cache.has({ ...a, signature: a.signature.slice() })).toBe(true);
    expect(cache.has({ ...a, signature: flip(a.signature, 63) })).toBe(false);
    expect(cache.has({ ...a, message: flip(a.message, 0) })).toBe(false);
    expect(cache.has({ ...a, publicKey: flip(a.publicKey, 31) })).toBe(false);
    expect(cache.has(job(2))).toBe(false);
  });

  it('boundary: holds at most its size, the oldest leaving first; adding a known triple again changes nothing', () => {
    const cache = new VerifiedSignatureCache(3);
    for (const n of [1, 2, 3]) cache.add(job(n));
    cache.add(job(1));
    expect(cache.size).toBe(3);
    cache.add(job(4));
    expect(cache.size).toBe(3);
    expect([1, 2, 3, 4].map((n) => cache.has(job(n)))).toEqual([false, true, true, true]);
    const none = new VerifiedSignatureCache(0);
    none.add(job(1));
    expect(none.has(job(1))).toBe(false);
    expect(() => new VerifiedSignatureCache(-1)).toThrow(RangeError);
  });

  it('boundary: triples of other sizes are never kept (their concatenation would be ambiguous)', () => {
    const cache = new VerifiedSignatureCache();
    const a = job(1);
    const long = { ...a, signature: Uint8Array.of(...a.signature, 0) };
    cache.add(long);
    expect(cache.has(long)).toBe(false);
    expect(cache.has(a)).toBe(false);
    expect(cache.size).toBe(0);
  });
});
