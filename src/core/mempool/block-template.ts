/**
 * @module Block templates: a coinbase paying subsidy plus fees, the txs the mempool selects by
 * fee rate within the size limit, a merkle root, and header fields a miner then searches.
 */
import type { BlockContext } from '../consensus/check-block-context.ts';
import { computeMerkleRoot } from '../consensus/merkle.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { blockSubsidy } from '../consensus/subsidy.ts';
import { varintSize } from '../encoding/byte-writer.ts';
import { HEADER_SIZE } from '../primitives/header.ts';
import type { Block } from '../primitives/block.ts';
import { txSize, txidBytes, type Transaction } from '../primitives/transaction.ts';

export interface TemplateInput {
  readonly params: NetworkParams;
  /** From `chain.nextBlockContext()`. */
  readonly context: BlockContext & { readonly prevHash: Uint8Array };
  /** Chooses txs for at most this many bytes: `mempool.selectForBlock`. */
  readonly select: (maxBytes: number) => { txs: readonly Transaction[]; fees: bigint };
  /** x-only key the coinbase pays. */
  readonly payTo: Uint8Array;
  readonly extraNonce?: bigint;
  /** Coinbase memo (at most 80 bytes). */
  readonly memo?: Uint8Array;
}

/**
 * Builds the coinbase for a height: one output, or none when there is nothing to pay. A coinbase
 * that would be exactly 64 bytes (forbidden) gets one more memo byte.
 */
export function coinbaseTx(height: number, amount: bigint, payTo: Uint8Array, extraNonce = 0n, memo: Uint8Array = new Uint8Array()): Transaction {
  const outputs = amount > 0n ? [{ amount, publicKey: payTo }] : [];
  const tx: Transaction = { version: 1, inputs: [], coinbase: { height, extraNonce }, outputs, memo };
  return txSize(tx) === 64 ? { ...tx, memo: Uint8Array.of(...memo, 0) } : tx;
}

/**
 * A complete block with nonce 0 whose time is the later of now and median time past + 1.
 * Valid as it is except for proof of work.
 */
export function createBlockTemplate(input: TemplateInput): Block {
  const { params, context } = input;
  const memo = input.memo ?? new Uint8Array();
  // Reserve room for the header, the largest tx count and the coinbase.
  const coinbaseRoom = txSize(coinbaseTx(context.height, params.maxMoney, input.payTo, 0n, memo));
  const room = params.limits.maxBlockSize - HEADER_SIZE - varintSize(params.limits.maxBlockSize) - coinbaseRoom;
  const { txs, fees } = input.select(room);
  const coinbase = coinbaseTx(context.height, blockSubsidy(context.height, params) + fees, input.payTo, input.extraNonce ?? 0n, memo);
  return withCoinbase({ header: {
    version: 1,
    prevHash: context.prevHash,
    merkleRoot: new Uint8Array(32),
    time: Math.max(context.now, context.medianTimePast + 1),
    bits: context.expectedBits,
    nonce: 0,
  }, txs: [coinbase, ...txs] }, coinbase);
}

/** The same block with another coinbase (a new extra nonce) and the merkle root to match. */
export function withCoinbase(block: Block, coinbase: Transaction): Block {
  const txs = [coinbase, ...block.txs.slice(1)];
  return { header: { ...block.header, merkleRoot: computeMerkleRoot(txs.map(txidBytes)).root }, txs };
}
