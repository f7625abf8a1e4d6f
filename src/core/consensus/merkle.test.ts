import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hashToHex, hexToHash } from '../encoding/hex.ts';
import { computeMerkleRoot } from './merkle.ts';

const sha256dNode = (...parts: Uint8Array[]): Uint8Array => {
  const inner = createHash('sha256');
  for (const p of parts) inner.update(p);
  return new Uint8Array(createHash('sha256').update(inner.digest()).digest());
};

/** A distinct 32-byte leaf per label. */
const leaf = (n: number) => {
  const out = new Uint8Array(32);
  out[0] = n;
  out[31] = 0xa0;
  return out;
};
const [a, b, c, d, e, f] = [1, 2, 3, 4, 5, 6].map(leaf) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
const node = (l: Uint8Array, r: Uint8Array) => sha256dNode(l, r);

/** Bitcoin's rule written independently: pair level by level, duplicating an odd level's last hash. */
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(node(level[i]!, level[i + 1] ?? level[i]!));
    level = next;
  }
  return level[0]!;
}

describe('computeMerkleRoot', () => {
  it('behavior: no leaves give 32 zero bytes, not mutated', () => {
    expect(computeMerkleRoot([])).toEqual({ root: new Uint8Array(32), mutated: false });
  });

  it('behavior: a single leaf is its own root', () => {
    const r = computeMerkleRoot([a]);
    expect(bytesToHex(r.root)).toBe(bytesToHex(a));
    expect(r.mutated).toBe(false);
  });

  it('behavior: two leaves hash as sha256d(a || b)', () => {
    const r = computeMerkleRoot([a, b]);
    expect(bytesToHex(r.root)).toBe(bytesToHex(node(a, b)));
    expect(r.mutated).toBe(false);
    // Order matters.
    expect(bytesToHex(computeMerkleRoot([b, a]).root)).toBe(bytesToHex(node(b, a)));
  });

  it('behavior: three leaves duplicate the last: sha256d(sha256d(a||b) || sha256d(c||c))', () => {
    const r = computeMerkleRoot([a, b, c]);
    expect(bytesToHex(r.root)).toBe(bytesToHex(node(node(a, b), node(c, c))));
    expect(r.mutated).toBe(false);
  });

  it('behavior: five leaves duplicate on every odd level', () => {
    const l1 = [node(a, b), node(c, d), node(e, e)];
    const l2 = [node(l1[0]!, l1[1]!), node(l1[2]!, l1[2]!)];
    const r = computeMerkleRoot([a, b, c, d, e]);
    expect(bytesToHex(r.root)).toBe(bytesToHex(node(l2[0]!, l2[1]!)));
    expect(r.mutated).toBe(false);
  });

  it('behavior: Bitcoin block 100000\u2019s merkle root from its four txids', () => {
    const txids = [
      '8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87',
      'fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4',
      '6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4',
      'e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d',
    ].map(hexToHash);
    const r = computeMerkleRoot(txids);
    expect(hashToHex(r.root)).toBe('f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
    expect(r.mutated).toBe(false);
  });

  it('behavior: agrees with an independent implementation on random distinct leaves', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 40, selector: (x) => bytesToHex(x) }), (leaves) => {
        const r = computeMerkleRoot(leaves);
        expect(bytesToHex(r.root)).toBe(bytesToHex(referenceRoot(leaves)));
        expect(r.mutated).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('behavior: does not modify the caller\u2019s leaf list', () => {
    const leaves = [a, b, c];
    computeMerkleRoot(leaves);
    expect(leaves).toEqual([a, b, c]);
    expect(leaves.length).toBe(3);
  });

  it('error: CVE-2012-2459: [a,b,c,c] has the same root as [a,b,c] but only it is mutated', () => {
    const honest = computeMerkleRoot([a, b, c]);
    const forged = computeMerkleRoot([a, b, c, c]);
    expect(bytesToHex(forged.root)).toBe(bytesToHex(honest.root));
    expect(honest.mutated).toBe(false);
    expect(forged.mutated).toBe(true);
  });

  it('error: CVE-2012-2459 one level up: [a..f,e,f] has the root of [a..f] and is mutated', () => {
    const honest = computeMerkleRoot([a, b, c, d, e, f]);
    const forged = computeMerkleRoot([a, b, c, d, e, f, e, f]);
    expect(bytesToHex(forged.root)).toBe(bytesToHex(honest.root));
    expect(honest.mutated).toBe(false);
    expect(forged.mutated).toBe(true);
  });

  it('error: two equal leaves [a,a] are mutated', () => {
    const r = computeMerkleRoot([a, a]);
    expect(r.mutated).toBe(true);
    expect(bytesToHex(r.root)).toBe(bytesToHex(node(a, a)));
  });

  it('error: equal adjacent subtrees [a,b,a,b] are mutated', () => {
    expect(computeMerkleRoot([a, b, a, b]).mutated).toBe(true);
  });

  it('behavior: equal leaves that are never paired together are not a mutation', () => {
    // a and a sit in different pairs: (a,b) (a,c).
    expect(computeMerkleRoot([a, b, a, c]).mutated).toBe(false);
    expect(computeMerkleRoot([b, a, a, c]).mutated).toBe(false);
  });

  it('error: duplicating the tail of any odd-length list gives the same root, flagged as mutated', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 20, selector: (x) => bytesToHex(x) }).filter((l) => l.length % 2 === 1 && l.length > 1),
        (leaves) => {
          const forged = [...leaves, leaves[leaves.length - 1]!];
          const honest = computeMerkleRoot(leaves);
          const mutated = computeMerkleRoot(forged);
          expect(bytesToHex(mutated.root)).toBe(bytesToHex(honest.root));
          expect(honest.mutated).toBe(false);
          expect(mutated.mutated).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
