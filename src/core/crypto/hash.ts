/**
 * @module Hash functions of the protocol, all from @noble/hashes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { sha256 };

/** Bitcoin's double SHA-256: block hashes, txids and merkle nodes. */
export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

const tagPrefixes = new Map<string, Uint8Array>();

/**
 * BIP340's tagged hash: sha256(sha256(tag) || sha256(tag) || msg). Domain-separates every use of
 * SHA-256 that is not a block hash, txid or merkle node (for example the sighash).
 */
export function taggedHash(tag: string, ...messages: Uint8Array[]): Uint8Array {
  let prefix = tagPrefixes.get(tag);
  if (!prefix) {
    const t = sha256(utf8ToBytes(tag));
    prefix = concatBytes(t, t);
    tagPrefixes.set(tag, prefix);
  }
  return sha256(concatBytes(prefix, ...messages));
}
