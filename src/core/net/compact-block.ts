/**
 * @module A block as a compact block and back (BIP152's CBlockHeaderAndShortTxIDs and
 * PartiallyDownloadedBlock), pure: what the sender writes, and how the receiver fills the
 * positions from txs it already has, learns which it lacks, and checks the result.
 *
 * The sender prefills the coinbase only: it is the one tx no receiver can have. The receiver
 * judges the message before using it ({@link startReconstruction}): a compact block that breaks
 * the protocol (no txs, more than a block can hold, no coinbase at position 0, a prefilled tx that
 * does not decode) is `invalid` (its sender is banned); two equal short ids in one message are a
 * `collision`, which an honest sender can produce by chance (1 in 2^48 per pair), so the block
 * is fetched whole. A pool tx whose short id matches a position already filled leaves that
 * position missing (asked for), never guessed.
 */
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesEqual } from '../encoding/hex.ts';
import { computeMerkleRoot } from '../consensus/merkle.ts';
import type { Block } from '../primitives/block.ts';
import { headerHash, type BlockHeader } from '../primitives/header.ts';
import type { CodecLimits } from '../primitives/limits.ts';
import { plainDecoder, type Decoder } from '../primitives/decoder.ts';
import { encodeTx, MIN_TX_SIZE, txidBytes, type Transaction } from '../primitives/transaction.ts';
import type { Message } from './messages.ts';
import { shortId, shortIdKey } from './compact-short-ids.ts';

export type CompactBlockMessage = Extract<Message, { type: 'cmpctblock' }>;

/**
 * The compact form of a block: the coinbase whole, every other tx as its short id, except the
 * positions in `prefill`, sent whole too (BIP152: the txs a relaying node had to fetch itself are
 * likely missing at the next hop as well).
 */
export function compactBlockOf(block: Block, nonce: bigint, prefill: ReadonlySet<number> = NONE): CompactBlockMessage {
  const key = shortIdKey(block.header, nonce);
  const shortIds: number[] = [];
  const prefilled: { index: number; tx: Uint8Array }[] = [];
  block.txs.forEach((tx, index) => {
    if (index === 0 || prefill.has(index)) prefilled.push({ index, tx: encodeTx(tx) });
    else shortIds.push(shortId(key, txidBytes(tx)));
  });
  return { type: 'cmpctblock', header: block.header, nonce, shortIds, prefilled };
}

const NONE: ReadonlySet<number> = new Set();

/** The most txs a block within these limits can hold (the block decoder's bound). */
export function maxBlockTxs(limits: CodecLimits): number {
  return Math.floor(limits.maxBlockSize / MIN_TX_SIZE);
}

export type Reconstruction =
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'collision' }
  | { readonly kind: 'partial'; readonly partial: PartialBlock };

/** A tx the receiver already has, with its txid in internal byte order. */
export interface KnownTx {
  readonly tx: Transaction;
  readonly txid: Uint8Array;
}

/**
 * Judges a compact block and fills what it can from `known` (the mempool). Returns `invalid`
 * with a reason for a protocol break, `collision` when the message repeats a short id, else the
 * partial block (whose {@link PartialBlock.missing} may be empty).
 */
export function startReconstruction(m: CompactBlockMessage, limits: CodecLimits, known: Iterable<KnownTx>, decoder: Decoder = plainDecoder): Reconstruction {
  const total = m.shortIds.length + m.prefilled.length;
  if (total > maxBlockTxs(limits)) return { kind: 'invalid', reason: `compact block of ${total} txs, more than a block holds` };
  if (m.prefilled[0]?.index !== 0) return { kind: 'invalid', reason: 'compact block without its coinbase prefilled' };
  // Filled, not sparse: array methods skip holes.
  const slots = new Array<Transaction | undefined>(total).fill(undefined);
  for (const p of m.prefilled) {
    try {
      slots[p.index] = decoder.tx(p.tx, limits);
    } catch (error) {
      if (error instanceof DecodeError) return { kind: 'invalid', reason: `malformed prefilled tx: ${error.message}` };
      throw error;
    }
  }
  // Short ids fill the positions the prefilled txs leave, in order.
  const positionOf = new Map<number, number>();
  let next = 0;
  for (const id of m.shortIds) {
    while (slots[next] !== undefined) next++;
    if (positionOf.has(id)) return { kind: 'collision' };
    positionOf.set(id, next++);
  }
  const key = shortIdKey(m.header, m.nonce);
  // Positions two known txs claim: neither is trusted, the position is asked for.
  const contested = new Set<number>();
  for (const k of known) {
    const position = positionOf.get(shortId(key, k.txid));
    if (position === undefined) continue;
    if (slots[position] !== undefined) contested.add(position);
    else slots[position] = k.tx;
  }
  for (const position of contested) slots[position] = undefined;
  return { kind: 'partial', partial: new PartialBlock(m.header, slots) };
}

export class PartialBlock {
  readonly hash: Uint8Array;

  constructor(
    readonly header: BlockHeader,
    private readonly slots: (Transaction | undefined)[],
  ) {
    this.hash = headerHash(header);
  }

  /** Positions still empty, ascending (what a `getblocktxn` asks for). */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] === undefined) out.push(i);
    return out;
  }

  /** Fills the missing positions, in order, with `txs`; false (nothing filled) unless the counts match. */
  fill(txs: readonly Transaction[]): boolean {
    const missing = this.missing();
    if (txs.length !== missing.length) return false;
    missing.forEach((position, i) => (this.slots[position] = txs[i]));
    return true;
  }

  /**
   * The block, once every position is filled and the txs hash to the header's merkle root; else
   * 'mismatch' (a short-id collision with a pool tx, or a sender that lied: the block is fetched
   * whole, nobody is banned for it).
   */
  block(): Block | 'mismatch' {
    if (this.slots.some((tx) => tx === undefined)) return 'mismatch';
    const txs = this.slots as Transaction[];
    const { root, mutated } = computeMerkleRoot(txs.map((tx) => txidBytes(tx)));
    if (mutated || !bytesEqual(root, this.header.merkleRoot)) return 'mismatch';
    return { header: this.header, txs };
  }
}
