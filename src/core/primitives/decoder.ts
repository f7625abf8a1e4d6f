/**
 * @module How a node turns the bytes peers send into txs and blocks: `decodeTx` and `decodeBlock`
 * unless told otherwise. A port, because decoding is a pure function of the bytes: whoever holds
 * many nodes in one process (the simulator, src/sim) may hand every node the same decoded object
 * for the same encoding, and with it what is memoized on that object (its txid, its signature
 * jobs), instead of a thousand copies made and hashed a thousand times. A decoder must answer
 * exactly as the plain functions do: the same value for the same bytes, the same DecodeError for
 * bad ones. Decoded txs and blocks are never mutated (their types are readonly), so sharing one
 * is safe.
 */
import { decodeBlock, type Block } from './block.ts';
import type { CodecLimits } from './limits.ts';
import { decodeTx, type Transaction } from './transaction.ts';

export interface Decoder {
  tx(bytes: Uint8Array, limits: CodecLimits): Transaction;
  block(bytes: Uint8Array, limits: CodecLimits): Block;
}

/** A fresh object per call: what a tab uses. */
export const plainDecoder: Decoder = { tx: decodeTx, block: decodeBlock };
