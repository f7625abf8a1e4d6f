/**
 * @module Hex helpers. Hashes are stored in internal byte order (as hashed) and shown reversed
 * ("display order"), as Bitcoin and every block explorer do.
 */
import { hexToBytes } from '@noble/hashes/utils.js';

export { hexToBytes };

/** The char codes of '0'-'9a'-'f', by nibble. */
const DIGITS = Uint16Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Char codes for one String.fromCharCode call; reused, as the conversion never yields. */
const CHUNK = 4096;
const codes = new Uint16Array(CHUNK * 2);

/**
 * Hex of bytes, in their order. Built as one flat string: appending two digits at a time (as
 * noble's bytesToHex does) leaves a rope of ~30 linked pieces per 32-byte hash, and a node keeps
 * tens of thousands of hashes as map keys: measured in the simulator, those ropes were 60 % of
 * its heap (3.6 MB a node).
 */
export function bytesToHex(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return hexRun(bytes, 0, bytes.length, false);
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK) parts.push(hexRun(bytes, at, Math.min(at + CHUNK, bytes.length), false));
  return parts.join('');
}

/** Hex of a 32-byte hash in display order (reversed). */
export function hashToHex(hash: Uint8Array): string {
  return hash.length <= CHUNK ? hexRun(hash, 0, hash.length, true) : bytesToHex(hash.slice().reverse());
}

/**
 * hashToHex(hash) + suffix as one flat string (an outpoint key, "txid:vout"): a template string
 * would keep the hex and the suffix as linked pieces, and a node keeps one key per coin.
 */
export function hashToHexWith(hash: Uint8Array, suffix: string): string {
  if (2 * hash.length + suffix.length > codes.length) return hashToHex(hash) + suffix;
  return hexRun(hash, 0, hash.length, true, suffix);
}

function hexRun(bytes: Uint8Array, from: number, to: number, reversed: boolean, suffix = ''): string {
  const n = to - from;
  for (let i = 0; i < n; i++) {
    const byte = bytes[reversed ? to - 1 - i : from + i]!;
    codes[2 * i] = DIGITS[byte >> 4]!;
    codes[2 * i + 1] = DIGITS[byte & 15]!;
  }
  for (let i = 0; i < suffix.length; i++) codes[2 * n + i] = suffix.charCodeAt(i);
  return String.fromCharCode.apply(null, codes.subarray(0, 2 * n + suffix.length) as unknown as number[]);
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
