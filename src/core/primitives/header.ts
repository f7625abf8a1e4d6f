/**
 * @module The 80-byte block header in Bitcoin's layout:
 * version u32le · prevHash 32 · merkleRoot 32 · time u32le · bits u32le · nonce u32le.
 * Hashes are kept in internal byte order; {@link blockHash} shows display order.
 */
import { ByteReader } from '../encoding/byte-reader.ts';
import { ByteWriter } from '../encoding/byte-writer.ts';
import { hashToHex } from '../encoding/hex.ts';
import { sha256d } from '../crypto/hash.ts';

export const HEADER_SIZE = 80;

export interface BlockHeader {
  readonly version: number;
  /** Parent's hash, internal byte order. */
  readonly prevHash: Uint8Array;
  /** Merkle root of the block's txids, internal byte order. */
  readonly merkleRoot: Uint8Array;
  /** Unix seconds. */
  readonly time: number;
  /** Compact encoding of the proof-of-work target. */
  readonly bits: number;
  readonly nonce: number;
}

export function encodeHeader(header: BlockHeader): Uint8Array {
  if (header.prevHash.length !== 32 || header.merkleRoot.length !== 32) throw new RangeError('header hashes must be 32 bytes');
  return new ByteWriter(HEADER_SIZE)
    .u32(header.version)
    .bytes(header.prevHash)
    .bytes(header.merkleRoot)
    .u32(header.time)
    .u32(header.bits)
    .u32(header.nonce)
    .finish();
}

/** Reads a header from a reader (used inside block decoding). */
export function readHeader(r: ByteReader): BlockHeader {
  return {
    version: r.u32('header version'),
    prevHash: r.bytes(32, 'header prevHash'),
    merkleRoot: r.bytes(32, 'header merkleRoot'),
    time: r.u32('header time'),
    bits: r.u32('header bits'),
    nonce: r.u32('header nonce'),
  };
}

/** Decodes exactly 80 bytes; throws DecodeError on anything else. */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  r.end('header');
  return header;
}

/** sha256d of the header, internal byte order (as compared against the target). */
export function headerHash(header: BlockHeader): Uint8Array {
  return sha256d(encodeHeader(header));
}

/** The block hash as hex in display order, as block explorers show it. */
export function blockHash(header: BlockHeader): string {
  return hashToHex(headerHash(header));
}
