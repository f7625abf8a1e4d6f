/**
 * @module Addresses: bech32m (BIP350, from @scure/base) of a version byte and a 32-byte x-only
 * key, with a human-readable prefix per network (`tab1…` on main, `ttab1…` on test).
 * The data part is [version 0] + the key in 5-bit words, like a segwit v1 address.
 */
import { bech32m } from '@scure/base';
import { isValidPublicKey } from './keys.ts';

export const ADDRESS_VERSION = 0;

export type AddressErrorCode =
  /** Not bech32 at all: empty, mixed case, no separator, a character outside the charset. */
  | 'bad-format'
  /** Well-formed but the checksum does not match (a typo). */
  | 'bad-checksum'
  /** A valid address of another network. */
  | 'wrong-network'
  /** An address version this software does not know. */
  | 'bad-version'
  /** The payload is not 32 bytes. */
  | 'bad-length'
  /** 32 bytes that are not a point on the curve: nobody could ever spend to it. */
  | 'bad-key';

export class AddressError extends Error {
  override readonly name = 'AddressError';
  constructor(
    readonly code: AddressErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const CHARSET = /^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$/;
/** BIP173: the human-readable part is printable US-ASCII (33–126). */
const HRP_CHARSET = /^[\x21-\x7e]+$/;

export function encodeAddress(publicKey: Uint8Array, prefix: string): string {
  if (publicKey.length !== 32) throw new RangeError('an address key is 32 bytes');
  return bech32m.encode(prefix, [ADDRESS_VERSION, ...bech32m.toWords(publicKey)]);
}

/** The key an address pays to. Throws {@link AddressError} for anything but a valid address of `prefix`. */
export function decodeAddress(address: string, prefix: string): Uint8Array {
  if (typeof address !== 'string' || address.length === 0 || address.length > 90) {
    throw new AddressError('bad-format', 'an address is a bech32m string of at most 90 characters');
  }
  const trimmed = address.trim();
  if (trimmed !== trimmed.toLowerCase() && trimmed !== trimmed.toUpperCase()) {
    throw new AddressError('bad-format', 'an address is all lower or all upper case');
  }
  const lower = trimmed.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || !HRP_CHARSET.test(lower.slice(0, sep)) || !CHARSET.test(lower.slice(sep + 1)) || lower.length - sep - 1 < 6) {
    throw new AddressError('bad-format', 'not a bech32m address');
  }
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32m.decode(lower as `${string}1${string}`, 90);
  } catch {
    throw new AddressError('bad-checksum', 'the address checksum does not match: check it for typos');
  }
  if (decoded.prefix !== prefix) {
    throw new AddressError('wrong-network', `this is an address for another network (${decoded.prefix}1…), expected ${prefix}1…`);
  }
  const [version, ...words] = decoded.words;
  if (version === undefined) throw new AddressError('bad-length', 'the address holds no data');
  if (version !== ADDRESS_VERSION) throw new AddressError('bad-version', `unknown address version ${version}`);
  let key: Uint8Array;
  try {
    key = bech32m.fromWords(words);
  } catch {
    throw new AddressError('bad-length', 'the address payload has bad padding');
  }
  if (key.length !== 32) throw new AddressError('bad-length', `the address holds ${key.length} bytes, not 32`);
  if (!isValidPublicKey(key)) throw new AddressError('bad-key', 'the address key is not a valid public key');
  return key;
}
