/**
 * @module Who a peer is: a peer id is the first 16 bytes of sha256 of the node's x-only public
 * key, so a peer proves its id by signing a challenge with that key (at the signaling server and
 * again in the WebRTC handshake). The node key is per tab and is not a wallet key.
 */
import { sha256, taggedHash } from '../crypto/hash.ts';
import { publicKeyOf, schnorrSign, schnorrVerify } from '../crypto/keys.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** What a signature proves: joining a signaling room, the WebRTC handshake, or a relayed signal's sender. */
export type IdentityDomain = 'signal-join' | 'handshake' | 'signal-relay';

/** Hex of 16 bytes: 32 characters. */
export type PeerId = string;

export const PEER_ID_PATTERN = /^[0-9a-f]{32}$/;

export function peerIdOf(publicKey: Uint8Array): PeerId {
  return bytesToHex(sha256(publicKey).slice(0, 16));
}

/** The message a node signs to prove its key: domain, challenge nonce and context (room or network). */
export function identityDigest(domain: IdentityDomain, nonce: Uint8Array, context: Uint8Array): Uint8Array {
  return taggedHash(`tabchain/${domain}`, nonce, context);
}

export function signIdentity(secretKey: Uint8Array, domain: IdentityDomain, nonce: Uint8Array, context: Uint8Array): Uint8Array {
  return schnorrSign(identityDigest(domain, nonce, context), secretKey);
}

/** True when `signature` proves `publicKey` signed this challenge. Never throws. */
export function verifyIdentity(
  publicKey: Uint8Array,
  signature: Uint8Array,
  domain: IdentityDomain,
  nonce: Uint8Array,
  context: Uint8Array,
): boolean {
  return schnorrVerify(signature, identityDigest(domain, nonce, context), publicKey);
}

/** The bytes of a signaling room name (the network id in hex) for signing. */
export function roomContext(room: string): Uint8Array {
  return utf8ToBytes(room);
}

export { hexToBytes, publicKeyOf };
