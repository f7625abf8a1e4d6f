/**
 * @module Hex helpers. Hashes are stored in internal byte order (as hashed) and shown reversed
 * ("display order"), as Bitcoin and every block explorer do.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

export { bytesToHex, hexToBytes };

/** Hex of a 32-byte hash in display order (reversed). */
export function hashToHex(hash: Uint8Array): string {
  return bytesToHex(hash.slice().reverse());
}

/** A display-order hex hash back to internal byte order. Throws TypeError on malformed hex. */
export function hexToHash(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TypeError(`not a 32-byte hex hash: ${JSON.stringify(hex).slice(0, 80)}`);
  return hexToBytes(hex).reverse();
}

/** True when a and b hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
