/**
 * @module The reference the miners' kernels (scalar, WebAssembly SIMD, WebGPU) are checked
 * against: a header's sha256d computed by @noble/hashes directly, not by any code under test.
 */
import { sha256 } from '@noble/hashes/sha2.js';

/** sha256d of `header80` with `nonce` in place, read as the little-endian 256-bit number the target is compared with. */
export function nobleHashNumber(header80: Uint8Array, nonce: number): bigint {
  const h = header80.slice();
  new DataView(h.buffer).setUint32(76, nonce, true);
  const digest = sha256(sha256(h));
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(digest[i]!);
  return n;
}
