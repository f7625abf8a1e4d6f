/**
 * @module The short tx ids of compact blocks, as BIP152 defines them: SipHash-2-4 of the txid
 * (internal byte order) keyed by the first two little-endian 64-bit words of
 * SHA256(header ‖ nonce), the nonce as 8 little-endian bytes, keeping the lower 6 bytes. A key per
 * block and per sender's nonce means no one can grind txs whose ids collide in every block
 * (each collision costs the victim a round trip, never a wrong block: the merkle root decides).
 *
 * SipHash comes from the npm package `siphash` (pure JS, no dependencies, no install script): the
 * same code runs in the tab's worker and under Node.
 */
import siphash from 'siphash';
import { sha256 } from '../crypto/hash.ts';
import { encodeHeader, type BlockHeader } from '../primitives/header.ts';

/** A block's SipHash key: four 32-bit words, least significant first. */
export type ShortIdKey = readonly [number, number, number, number];

/** The key of a compact block's short ids: from SHA256 of the 80-byte header and the nonce. */
export function shortIdKey(header: BlockHeader, nonce: bigint): ShortIdKey {
  const input = new Uint8Array(88);
  input.set(encodeHeader(header));
  new DataView(input.buffer).setBigUint64(80, BigInt.asUintN(64, nonce), true);
  const hash = sha256(input);
  const digest = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  return [digest.getUint32(0, true), digest.getUint32(4, true), digest.getUint32(8, true), digest.getUint32(12, true)];
}

/** The 48-bit short id of a txid (internal byte order) under a block's key, as a number. */
export function shortId(key: ShortIdKey, txid: Uint8Array): number {
  const { h, l } = siphash.hash(key, txid);
  return (h & 0xffff) * 2 ** 32 + l;
}
