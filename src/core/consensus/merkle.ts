/**
 * @module Bitcoin's merkle root over txids, with CVE-2012-2459 mutation detection.
 *
 * Bitcoin pairs hashes level by level and duplicates the last hash of an odd level. So a block
 * whose tx list repeats its last txs can have the same root as the honest block. Like Bitcoin's
 * `ComputeMerkleRoot`, we flag a level that holds two equal adjacent hashes: such a block is
 * rejected without marking its hash invalid, so the honest twin is still accepted.
 */
import { sha256d } from '../crypto/hash.ts';
import { bytesEqual } from '../encoding/hex.ts';

export interface MerkleResult {
  /** The root, internal byte order (32 zero bytes for no leaves). */
  readonly root: Uint8Array;
  /** Two equal adjacent hashes were paired somewhere in the tree. */
  readonly mutated: boolean;
}

export function computeMerkleRoot(leaves: readonly Uint8Array[]): MerkleResult {
  if (leaves.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = leaves.slice();
  let mutated = false;
  const pair = new Uint8Array(64);
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) {
      if (bytesEqual(level[i]!, level[i + 1]!)) mutated = true;
    }
    if (level.length % 2 === 1) level.push(level[level.length - 1]!);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      pair.set(level[i]!, 0);
      pair.set(level[i + 1]!, 32);
      next.push(sha256d(pair));
    }
    level = next;
  }
  // A copy: with one leaf the root would otherwise be the caller's (possibly memoised) txid array.
  return { root: level[0]!.slice(), mutated };
}
