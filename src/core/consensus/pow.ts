/**
 * @module Proof of work: Bitcoin's compact `bits` encoding of the target, the hash-versus-target
 * check, and work as bigint. Mirrors `arith_uint256::SetCompact/GetCompact` and `GetBlockProof`.
 */
import { headerHash, type BlockHeader } from '../primitives/header.ts';

const TWO_256 = 1n << 256n;

/** The parts of a compact number, as Bitcoin's SetCompact reports them. */
export interface CompactValue {
  /** Magnitude of the encoded number. */
  readonly value: bigint;
  /** The sign bit (0x00800000) was set with a non-zero mantissa. */
  readonly negative: boolean;
  /** The number does not fit in 256 bits. */
  readonly overflow: boolean;
}

export function decodeCompact(bits: number): CompactValue {
  const size = bits >>> 24;
  // As in SetCompact, the sign and overflow flags look at the mantissa after a small size has
  // shifted bytes out of it (0x01803456 is 0, not negative).
  const mantissa = size <= 3 ? (bits & 0x007fffff) >>> (8 * (3 - size)) : bits & 0x007fffff;
  const word = size <= 3 ? BigInt(mantissa) : BigInt(mantissa) << BigInt(8 * (size - 3));
  const negative = mantissa !== 0 && (bits & 0x00800000) !== 0;
  const overflow = mantissa !== 0 && (size > 34 || (mantissa > 0xff && size > 33) || (mantissa > 0xffff && size > 32));
  return { value: word, negative, overflow };
}

/**
 * The target a compact `bits` value encodes. Negative when the sign bit is set (such bits never
 * satisfy proof of work); may exceed 2^256 for overflowing encodings.
 */
export function targetFromBits(bits: number): bigint {
  const { value, negative } = decodeCompact(bits);
  return negative ? -value : value;
}

/** The compact encoding of a target (negative targets set the sign bit, as GetCompact does). */
export function bitsFromTarget(target: bigint): number {
  const negative = target < 0n;
  let t = negative ? -target : target;
  let size = 0;
  for (let x = t; x > 0n; x >>= 8n) size++;
  let compact: number;
  if (size <= 3) compact = Number(t << BigInt(8 * (3 - size)));
  else {
    t >>= BigInt(8 * (size - 3));
    compact = Number(t & 0xffffffffn);
  }
  // The mantissa's top bit is the sign: move a byte into the exponent instead.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  compact = (compact | (size << 24)) >>> 0;
  if (negative && (compact & 0x007fffff) !== 0) compact = (compact | 0x00800000) >>> 0;
  return compact;
}

/** A usable target for `bits`: positive and within 256 bits; undefined otherwise. */
export function validTarget(bits: number): bigint | undefined {
  const { value, negative, overflow } = decodeCompact(bits);
  if (negative || overflow || value === 0n || value >= TWO_256) return undefined;
  return value;
}

/** A 32-byte hash read as a little-endian 256-bit integer (how it is compared to the target). */
export function hashToBigInt(hash: Uint8Array): bigint {
  let n = 0n;
  for (let i = hash.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(hash[i]!);
  return n;
}

/** True when the hash, read little-endian, is at most the target of the header's own bits. */
export function checkProofOfWork(header: BlockHeader, hash: Uint8Array = headerHash(header)): boolean {
  const target = validTarget(header.bits);
  return target !== undefined && hashToBigInt(hash) <= target;
}

/** Expected hashes to find a block at `bits`: 2^256 / (target + 1). Zero for unusable bits. */
export function workFromBits(bits: number): bigint {
  const target = validTarget(bits);
  return target === undefined ? 0n : TWO_256 / (target + 1n);
}
