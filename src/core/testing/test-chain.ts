/**
 * @module A chain on the test network in memory, with a block builder and a clock set by hand:
 * the starting point of the chain and consensus tests (written once, issue 14).
 */
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { regtestParams } from '../consensus/networks.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { ChainBuilder, ManualClock } from './chain-builder.ts';

/**
 * Regtest with the retarget on (ASERT over regtest's two-hash limit, as the test network was
 * before regtest existed): for tests of difficulty and of fork choice by work, where blocks
 * stamped ahead of schedule must carry harder bits.
 */
export const retargetingRegtestParams: NetworkParams = Object.freeze({ ...regtestParams, fixedDifficulty: false });

/** An empty chain (genesis only) with its store, a builder of blocks for it, and its clock. */
export async function openTestChain(): Promise<{ b: ChainBuilder; store: MemoryChainStore; clock: ManualClock; chain: Chain }> {
  const b = new ChainBuilder();
  const store = new MemoryChainStore();
  // Well after genesis: the builder's blocks (a target spacing apart) are never in the future.
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const chain = await Chain.open({ params: regtestParams, store, clock });
  return { b, store, clock, chain };
}
