/**
 * @module Chains of full blocks for benchmarks and browser tests: blocks near the size limit
 * filled with signed one-input, one-output txs (the worst case for validation: one signature per
 * ~150 bytes). Mature coinbases are first fanned out into as many coins as the full blocks spend
 * (up to the output limit per tx, packed into blocks under the size limit), so every full block
 * spends coins that exist and every signature is real.
 */
import { blockSize } from '../primitives/block.ts';
import type { Transaction } from '../primitives/transaction.ts';
import { txSize } from '../primitives/transaction.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { regtestParams } from '../consensus/networks.ts';
import { ChainBuilder, type BuiltBlock, type Spendable } from './chain-builder.ts';

/** Room left in a full block for the header, the tx count and the coinbase. */
const COINBASE_ROOM = 400;

export interface FullBlockChain {
  readonly builder: ChainBuilder;
  /** Every block from height 1, lowest first: set-up blocks, then the full ones. */
  readonly blocks: readonly BuiltBlock[];
  /** The full blocks alone (the last `count` of `blocks`). */
  readonly full: readonly BuiltBlock[];
  /** Signed txs in each full block. */
  readonly txsPerBlock: number;
}

export interface FullBlockOptions {
  readonly params?: NetworkParams;
  /** Now, in seconds: block 1's time is set so that the last block is about now. */
  readonly now: number;
  /** At most this many txs per full block (default: as many as fit). */
  readonly maxTxsPerBlock?: number;
}

/** Builds `count` full blocks on a fresh chain (with the blocks that fund them before). */
export function buildFullBlocks(count: number, options: FullBlockOptions): FullBlockChain {
  const params = options.params ?? regtestParams;
  const { maxBlockSize, maxTxOutputs, maxTxSize } = params.limits;
  const probe = new ChainBuilder(params);
  const sample = probe.spend([probe.coinbaseOf(probe.next(probe.genesis))], [1n]);
  const perBlock = Math.min(options.maxTxsPerBlock ?? Infinity, Math.floor((maxBlockSize - COINBASE_ROOM) / txSize(sample)));
  const coinsNeeded = count * perBlock;
  const outputSize = 8 + 32;
  const perFanOut = Math.min(maxTxOutputs - 1, Math.floor((maxTxSize - 200) / outputSize));
  const fanOuts = Math.ceil(coinsNeeded / perFanOut);
  const setUp = fanOuts + params.coinbaseMaturity;
  const fanOutBlocksGuess = Math.ceil((fanOuts * perFanOut * outputSize) / (maxBlockSize - COINBASE_ROOM)) + 1;
  const total = setUp + fanOutBlocksGuess + count;
  const builder = new ChainBuilder(params, { firstBlockTime: options.now - total * params.targetSpacing });

  const blocks: BuiltBlock[] = builder.extend(builder.genesis, setUp);
  let tip = blocks[blocks.length - 1]!;
  // Fan the first `fanOuts` coinbases (mature by now) out into coins of equal amounts.
  const txs: Transaction[] = [];
  for (let i = 0; i < fanOuts; i++) {
    const funding = builder.coinbaseOf(blocks[i]!);
    const amount = funding.output.amount / BigInt(perFanOut + 1);
    txs.push(builder.spend([funding], Array.from({ length: perFanOut }, () => amount)));
  }
  const coins: Spendable[] = txs.flatMap((tx) => tx.outputs.map((_, vout) => builder.output(tx, vout)));
  tip = packInto(builder, tip, txs, maxBlockSize, blocks);

  const full: BuiltBlock[] = [];
  for (let b = 0; b < count; b++) {
    const spends = coins.slice(b * perBlock, (b + 1) * perBlock).map((coin) => builder.spend([coin], [coin.output.amount - 200n]));
    tip = builder.next(tip, { txs: spends });
    if (blockSize(tip.block) > maxBlockSize) throw new Error(`a full block came out at ${blockSize(tip.block)} bytes, above ${maxBlockSize}`);
    blocks.push(tip);
    full.push(tip);
  }
  return { builder, blocks, full, txsPerBlock: perBlock };
}

/** Adds blocks on `tip` holding `txs` in order, each under the size limit; returns the new tip. */
function packInto(builder: ChainBuilder, tip: BuiltBlock, txs: readonly Transaction[], maxBlockSize: number, blocks: BuiltBlock[]): BuiltBlock {
  let batch: Transaction[] = [];
  let size = COINBASE_ROOM;
  const flush = () => {
    tip = builder.next(tip, { txs: batch });
    blocks.push(tip);
    batch = [];
    size = COINBASE_ROOM;
  };
  for (const tx of txs) {
    const n = txSize(tx);
    if (size + n > maxBlockSize) flush();
    batch.push(tx);
    size += n;
  }
  if (batch.length > 0) flush();
  return tip;
}
