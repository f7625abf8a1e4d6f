/**
 * @module Blocks: an 80-byte header, a CompactSize tx count, then the txs.
 */
import { ByteReader } from '../encoding/byte-reader.ts';
import { ByteWriter, varintSize } from '../encoding/byte-writer.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { HEADER_SIZE, encodeHeader, readHeader, type BlockHeader } from './header.ts';
import { DEFAULT_LIMITS, type CodecLimits } from './limits.ts';
import { MIN_TX_SIZE, readTx, txSize, writeTx, type Transaction } from './transaction.ts';

export interface Block {
  readonly header: BlockHeader;
  readonly txs: readonly Transaction[];
}

/** Serialized size in bytes, computed without encoding or hashing. */
export function blockSize(block: Block): number {
  let size = HEADER_SIZE + varintSize(block.txs.length);
  for (const tx of block.txs) size += txSize(tx);
  return size;
}

export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(blockSize(block));
  w.bytes(encodeHeader(block.header)).varint(block.txs.length);
  for (const tx of block.txs) writeTx(w, tx);
  return w.finish();
}

/** Decodes exactly one block; the size limit is checked before anything is parsed. */
export function decodeBlock(bytes: Uint8Array, limits: CodecLimits = DEFAULT_LIMITS): Block {
  if (bytes.length > limits.maxBlockSize) {
    throw new DecodeError('limit-exceeded', `block of ${bytes.length} bytes is above the limit ${limits.maxBlockSize}`, 0);
  }
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  const count = r.varint(Math.floor(limits.maxBlockSize / MIN_TX_SIZE), 'block tx count');
  if (count * MIN_TX_SIZE > r.remaining) throw new DecodeError('truncated', `block declares ${count} txs`, r.offset);
  const txs: Transaction[] = [];
  for (let i = 0; i < count; i++) txs.push(readTx(r, limits));
  r.end('block');
  return { header, txs };
}
