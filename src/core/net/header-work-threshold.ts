/**
 * @module The anti-DoS work threshold for headers (Bitcoin Core's `GetAntiDoSWorkThreshold`,
 * net_processing.cpp): how much total work the chain a peer's headers reach must have before the
 * node stores them. Headers cost their sender only proof of work, and on an easy network a batch
 * of 2000 minimum-difficulty headers is seconds of one miner; without a floor a peer could fill
 * the block index (and its store) for ever with branches forking near genesis while the node's
 * tip is still low. The floor follows the most-work header the node knows (not its tip, which
 * lags while bodies download), less a day's worth of blocks on Bitcoin (144) at that header's
 * difficulty, so an honest competing branch close to the best header is still taken.
 *
 * Pure.
 */
import { workFromBits } from '../consensus/pow.ts';
import type { BlockHeader } from '../primitives/header.ts';

/** Blocks of work below the best header that a branch may fall short by and still be stored. */
export const ANTI_DOS_WORK_BLOCKS = 144n;

/**
 * The least total work a chain must reach for its headers to be stored: the network's minimum
 * chain work, or the best header's chain work less {@link ANTI_DOS_WORK_BLOCKS} blocks at its
 * difficulty, whichever is more. At genesis (a fresh node) it is at most the genesis work, so the
 * first honest batch always clears it.
 */
export function antiDosWorkThreshold(bestHeader: { readonly chainWork: bigint; readonly header: Pick<BlockHeader, 'bits'> }, minimumChainWork: bigint): bigint {
  const nearBest = bestHeader.chainWork - ANTI_DOS_WORK_BLOCKS * workFromBits(bestHeader.header.bits);
  return nearBest > minimumChainWork ? nearBest : minimumChainWork;
}
