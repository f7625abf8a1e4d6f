/**
 * @module The payloads of the compact block messages (protocol version 3; docs/protocol.md,
 * "Compact block relay"), written and read for wire-codec.ts, which frames them. Kept apart so the
 * frame codec stays one concept per file; the conventions are the same (little-endian integers,
 * shortest CompactSize counts, every count checked against its limit and the bytes left before
 * anything is allocated, only {@link DecodeError} thrown).
 *
 * Positions travel as BIP152's differential indexes: each is the gap from the previous position
 * minus one (the first is the position itself), so ascending lists of nearby positions take a
 * byte each. The decoder turns them back into absolute positions and refuses any that would pass
 * the message's own tx count ('invalid-value'), so a list can never name a position twice or out
 * of order.
 */
import type { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { HEADER_SIZE, encodeHeader, readHeader } from '../primitives/header.ts';
import { COMPACT_VERSION, WIRE_LIMITS, type Message, type PrefilledTx } from './messages.ts';

type Of<T extends Message['type']> = Extract<Message, { type: T }>;

/** Bytes of one short id on the wire. */
export const SHORT_ID_SIZE = 6;
const HASH_SIZE = 32;

// ---- Encoding ---------------------------------------------------------------------------------

function countOf(w: ByteWriter, n: number, what: string): void {
  if (n > WIRE_LIMITS.maxCompactTxs) throw new RangeError(`${what}: ${n} items, the limit is ${WIRE_LIMITS.maxCompactTxs}`);
  w.varint(n);
}

function hash32(w: ByteWriter, bytes: Uint8Array, what: string): void {
  if (bytes.length !== HASH_SIZE) throw new RangeError(`${what} must be ${HASH_SIZE} bytes, got ${bytes.length}`);
  w.bytes(bytes);
}

/** Ascending positions as gaps; RangeError for a list that is not strictly ascending. */
function positions(w: ByteWriter, indexes: readonly number[], below: number, what: string): void {
  let previous = -1;
  for (const index of indexes) {
    if (!Number.isInteger(index) || index <= previous || index >= below) throw new RangeError(`${what}: position ${index} is not ascending or not below ${below}`);
    w.varint(index - previous - 1);
    previous = index;
  }
}

function txBytes(w: ByteWriter, tx: Uint8Array, what: string): void {
  if (tx.length === 0) throw new RangeError(`${what}: empty tx`);
  w.varBytes(tx);
}

export function writeSendCmpct(w: ByteWriter, m: Of<'sendcmpct'>): void {
  if (!Number.isInteger(m.version) || m.version < 0 || m.version > 0xffffffff) throw new RangeError(`sendcmpct version ${m.version} is not a u32`);
  w.u8(m.highBandwidth ? 1 : 0).u32(m.version);
}

/** Each prefilled tx follows its position, as in BIP152's PrefilledTransaction. */
export function writeCmpctBlock(w: ByteWriter, m: Of<'cmpctblock'>): void {
  w.bytes(encodeHeader(m.header)).u64(m.nonce);
  const total = m.shortIds.length + m.prefilled.length;
  if (total === 0) throw new RangeError('cmpctblock: a block has at least its coinbase');
  countOf(w, m.shortIds.length, 'cmpctblock short ids');
  for (const id of m.shortIds) {
    if (!Number.isInteger(id) || id < 0 || id >= 2 ** 48) throw new RangeError(`cmpctblock: short id ${id} is not 48 bits`);
    w.u32(id % 2 ** 32).u16(Math.floor(id / 2 ** 32));
  }
  countOf(w, m.prefilled.length, 'cmpctblock prefilled txs');
  let previous = -1;
  for (const p of m.prefilled) {
    if (!Number.isInteger(p.index) || p.index <= previous || p.index >= total) throw new RangeError(`cmpctblock prefilled: position ${p.index} is not ascending or not below ${total}`);
    w.varint(p.index - previous - 1);
    previous = p.index;
    txBytes(w, p.tx, 'cmpctblock prefilled');
  }
}

export function writeGetBlockTxn(w: ByteWriter, m: Of<'getblocktxn'>): void {
  hash32(w, m.blockHash, 'getblocktxn blockHash');
  if (m.indexes.length === 0) throw new RangeError('getblocktxn: asks for nothing');
  countOf(w, m.indexes.length, 'getblocktxn indexes');
  positions(w, m.indexes, WIRE_LIMITS.maxCompactTxs, 'getblocktxn');
}

export function writeBlockTxn(w: ByteWriter, m: Of<'blocktxn'>): void {
  hash32(w, m.blockHash, 'blocktxn blockHash');
  countOf(w, m.txs.length, 'blocktxn txs');
  for (const tx of m.txs) txBytes(w, tx, 'blocktxn');
}

/** A guess of a compact message's payload size, so it is written without regrowing the buffer. */
export function compactSizeHint(m: Message): number | undefined {
  switch (m.type) {
    case 'cmpctblock':
      return HEADER_SIZE + 8 + 6 + m.shortIds.length * SHORT_ID_SIZE + m.prefilled.reduce((sum, p) => sum + p.tx.length + 6, 0);
    case 'blocktxn':
      return HASH_SIZE + 3 + m.txs.reduce((sum, tx) => sum + tx.length + 3, 0);
    case 'getblocktxn':
      return HASH_SIZE + 3 + m.indexes.length * 3;
    default:
      return undefined;
  }
}

// ---- Decoding ---------------------------------------------------------------------------------

function needItems(r: ByteReader, n: number, size: number, what: string): void {
  if (n * size > r.remaining) throw new DecodeError('truncated', `${what}: declares ${n} × ${size} bytes, ${r.remaining} left`, r.offset);
}

/** One differential position after `previous`, checked to stay below `below`. */
function readPosition(r: ByteReader, previous: number, below: number, what: string): number {
  const at = r.offset;
  const gap = r.varint(WIRE_LIMITS.maxCompactTxs, `${what} index`);
  const index = previous + 1 + gap;
  if (index >= below) throw new DecodeError('invalid-value', `${what}: position ${index} is not below ${below}`, at);
  return index;
}

function readTxBytes(r: ByteReader, what: string): Uint8Array {
  const at = r.offset;
  const tx = r.varBytes(WIRE_LIMITS.maxMessageSize, what);
  if (tx.length === 0) throw new DecodeError('truncated', `${what}: empty tx`, at);
  return tx;
}

export function readSendCmpct(r: ByteReader): Of<'sendcmpct'> {
  const at = r.offset;
  const flag = r.u8('sendcmpct highBandwidth');
  if (flag > 1) throw new DecodeError('invalid-value', `sendcmpct highBandwidth must be 0 or 1, got ${flag}`, at);
  return { type: 'sendcmpct', highBandwidth: flag === 1, version: r.u32('sendcmpct version') };
}

export function readCmpctBlock(r: ByteReader): Of<'cmpctblock'> {
  const header = readHeader(r);
  const nonce = r.u64('cmpctblock nonce');
  const n = r.varint(WIRE_LIMITS.maxCompactTxs, 'cmpctblock short id count');
  needItems(r, n, SHORT_ID_SIZE, 'cmpctblock short ids');
  const shortIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const low = r.u32('cmpctblock short id');
    shortIds.push(low + r.u16('cmpctblock short id') * 2 ** 32);
  }
  const countAt = r.offset;
  const m = r.varint(WIRE_LIMITS.maxCompactTxs, 'cmpctblock prefilled count');
  if (n + m > WIRE_LIMITS.maxCompactTxs) throw new DecodeError('limit-exceeded', `cmpctblock: ${n + m} txs, the limit is ${WIRE_LIMITS.maxCompactTxs}`, countAt);
  if (n + m === 0) throw new DecodeError('invalid-value', 'cmpctblock: no txs (a block has at least its coinbase)', countAt);
  // Each prefilled tx takes at least two bytes (its gap and a one-byte length).
  needItems(r, m, 2, 'cmpctblock prefilled');
  const prefilled: PrefilledTx[] = [];
  let previous = -1;
  for (let i = 0; i < m; i++) {
    previous = readPosition(r, previous, n + m, 'cmpctblock prefilled');
    prefilled.push({ index: previous, tx: readTxBytes(r, 'cmpctblock prefilled tx') });
  }
  return { type: 'cmpctblock', header, nonce, shortIds, prefilled };
}

export function readGetBlockTxn(r: ByteReader): Of<'getblocktxn'> {
  const blockHash = r.bytes(HASH_SIZE, 'getblocktxn blockHash');
  const at = r.offset;
  const n = r.varint(WIRE_LIMITS.maxCompactTxs, 'getblocktxn index count');
  if (n === 0) throw new DecodeError('invalid-value', 'getblocktxn asks for nothing', at);
  needItems(r, n, 1, 'getblocktxn indexes');
  const indexes: number[] = [];
  let previous = -1;
  for (let i = 0; i < n; i++) indexes.push((previous = readPosition(r, previous, WIRE_LIMITS.maxCompactTxs, 'getblocktxn')));
  return { type: 'getblocktxn', blockHash, indexes };
}

export function readBlockTxn(r: ByteReader): Of<'blocktxn'> {
  const blockHash = r.bytes(HASH_SIZE, 'blocktxn blockHash');
  const n = r.varint(WIRE_LIMITS.maxCompactTxs, 'blocktxn tx count');
  needItems(r, n, 2, 'blocktxn txs');
  const txs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) txs.push(readTxBytes(r, 'blocktxn tx'));
  return { type: 'blocktxn', blockHash, txs };
}

/** The compact scheme this node speaks (sendcmpct of another version is ignored, as BIP152 says). */
export function speaksCompact(m: Of<'sendcmpct'>): boolean {
  return m.version === COMPACT_VERSION;
}
