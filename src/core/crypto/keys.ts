/**
 * @module BIP340 Schnorr keys and signatures over secp256k1 (@noble/secp256k1).
 * Public keys are 32-byte x-only keys; signatures are 64 bytes.
 */
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

// noble's synchronous API needs its hash functions supplied (it has no built-in sync SHA-256).
secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key: Uint8Array, msg: Uint8Array) => hmac(sha256, key, msg);

export const SECRET_KEY_SIZE = 32;
export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;

/** A fresh secret key from the platform's secure random source. */
export function generateSecretKey(): Uint8Array {
  return secp.utils.randomSecretKey();
}

/** True when the bytes are a usable secret key (1 ≤ k < n). */
export function isValidSecretKey(secretKey: Uint8Array): boolean {
  return secretKey.length === SECRET_KEY_SIZE && secp.utils.isValidSecretKey(secretKey);
}

/** The x-only public key of a secret key (BIP340). */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return secp.schnorr.getPublicKey(secretKey);
}

/** True when 32 bytes are the x coordinate of a curve point (so an output to it is spendable). */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_SIZE) return false;
  try {
    secp.Point.fromBytes(Uint8Array.of(0x02, ...publicKey));
    return true;
  } catch {
    return false;
  }
}

/** BIP340 signature of a 32-byte message. `auxRand` defaults to fresh randomness. */
export function schnorrSign(message: Uint8Array, secretKey: Uint8Array, auxRand?: Uint8Array): Uint8Array {
  return secp.schnorr.sign(message, secretKey, auxRand);
}

/** One BIP340 check: a signature, the 32-byte message it signs, and the x-only key it is checked against. */
export interface SignatureJob {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** BIP340 verification; false (never a throw) for any malformed input. */
export function schnorrVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return secp.schnorr.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}
