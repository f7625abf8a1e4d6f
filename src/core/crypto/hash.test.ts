import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../encoding/hex.ts';
import { sha256, sha256d, taggedHash } from './hash.ts';

const nodeSha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const utf8 = (s: string) => new TextEncoder().encode(s);

/** BIP340's definition, written out with node:crypto. */
const referenceTaggedHash = (tag: string, msg: Uint8Array): Uint8Array => {
  const t = nodeSha256(utf8(tag));
  return nodeSha256(t, t, msg);
};

describe('sha256', () => {
  it('behavior: matches the FIPS 180-2 vectors', () => {
    expect(bytesToHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('sha256d', () => {
  it('behavior: is sha256 applied twice (known vector for the empty string)', () => {
    expect(bytesToHex(sha256d(new Uint8Array(0)))).toBe('5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
  });

  it('behavior: agrees with node:crypto on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const out = sha256d(data);
        expect(out.length).toBe(32);
        expect(bytesToHex(out)).toBe(bytesToHex(nodeSha256(nodeSha256(data))));
      }),
      { numRuns: 1000 },
    );
  });

  it('behavior: does not modify its input', () => {
    const data = Uint8Array.from([1, 2, 3]);
    sha256d(data);
    expect(Array.from(data)).toEqual([1, 2, 3]);
  });
});

describe('taggedHash', () => {
  it('behavior: is sha256(sha256(tag) || sha256(tag) || msg) as BIP340 defines it', () => {
    for (const tag of ['BIP0340/challenge', 'tabchain/sighash', 'tabchain/sighash-tx', '', 'ünïcødé tag']) {
      for (const msg of [new Uint8Array(0), utf8('abc'), new Uint8Array(100).fill(7)]) {
        expect(bytesToHex(taggedHash(tag, msg))).toBe(bytesToHex(referenceTaggedHash(tag, msg)));
      }
    }
  });

  it('behavior: agrees with the reference on random tags and messages (and the tag cache never confuses tags)', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', 'b', 'tabchain/sighash', 'BIP0340/aux'), fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 200 }), (cached, fresh, msg) => {
        expect(bytesToHex(taggedHash(cached, msg))).toBe(bytesToHex(referenceTaggedHash(cached, msg)));
        expect(bytesToHex(taggedHash(fresh, msg))).toBe(bytesToHex(referenceTaggedHash(fresh, msg)));
      }),
      { numRuns: 500 },
    );
  });

  it('behavior: several messages hash as their concatenation; none at all hashes the empty message', () => {
    const a = utf8('hello ');
    const b = utf8('world');
    expect(taggedHash('t', a, b)).toEqual(taggedHash('t', utf8('hello world')));
    expect(taggedHash('t')).toEqual(referenceTaggedHash('t', new Uint8Array(0)));
  });

  it('behavior: different tags separate domains for the same message', () => {
    const msg = new Uint8Array(32);
    expect(bytesToHex(taggedHash('tabchain/sighash', msg))).not.toBe(bytesToHex(taggedHash('tabchain/sighash-tx', msg)));
    expect(bytesToHex(taggedHash('x', msg))).not.toBe(bytesToHex(sha256(msg)));
  });
});
