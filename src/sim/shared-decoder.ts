/**
 * @module One decoded object per distinct encoding across a simulation (the core's Decoder port,
 * src/core/primitives/decoder.ts). Every node of a run receives the same txs and blocks as bytes;
 * decoding them a thousand times made a thousand equal objects, each hashed again for its txid and
 * its signature jobs (memoized per object). Handing every node the object the first one decoded
 * keeps one copy in memory and one of each hash in real CPU, while each node still runs its own
 * checks, pool and chain on it (and is still charged virtual time per message and signature).
 * Decoding is a pure function of the bytes and decoded objects are never mutated, so no node can
 * tell. Bad bytes are decoded (and throw) every time: nothing is remembered of them.
 */
import { decodeBlock, decodeTx, type Block, type CodecLimits, type Decoder, type Transaction } from '../core/index.ts';

/** Txs remembered (the oldest forgotten first): more than a run's distinct txs in flight at once. */
const MAX_TXS = 50_000;
/** Blocks remembered: recent blocks are what nodes receive over and over. */
const MAX_BLOCKS = 64;

export class SharedDecoder implements Decoder {
  private readonly txs = new Map<string, Transaction>();
  private readonly blocks = new Map<string, Block>();
  /** Decodes answered from memory, and made. */
  shared = 0;
  decoded = 0;

  /** Decodes with other limits than the run's are made afresh (the objects differ only if the limits do). */
  constructor(private readonly limits: CodecLimits) {}

  tx(bytes: Uint8Array, limits: CodecLimits): Transaction {
    return this.lookup(this.txs, MAX_TXS, bytes, limits, decodeTx);
  }

  block(bytes: Uint8Array, limits: CodecLimits): Block {
    return this.lookup(this.blocks, MAX_BLOCKS, bytes, limits, decodeBlock);
  }

  private lookup<T>(memo: Map<string, T>, max: number, bytes: Uint8Array, limits: CodecLimits, decode: (bytes: Uint8Array, limits: CodecLimits) => T): T {
    if (limits !== this.limits) return decode(bytes, limits);
    // The bytes as a one-byte string: a map key that is exactly the encoding.
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const known = memo.get(key);
    if (known !== undefined) {
      this.shared++;
      return known;
    }
    const value = decode(bytes, limits);
    this.decoded++;
    memo.set(key, value);
    if (memo.size > max) memo.delete(memo.keys().next().value!);
    return value;
  }
}
