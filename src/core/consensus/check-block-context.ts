/**
 * @module Stage 2 of block validation: the checks that need the parent (Bitcoin's
 * ContextualCheckBlockHeader and ContextualCheckBlock, btcd's checkBlockContext).
 */
import type { Block } from '../primitives/block.ts';
import type { BlockHeader } from '../primitives/header.ts';
import type { NetworkParams } from './params.ts';
import { reject, type Rejection } from './rejection.ts';

/** What the parent tells about its child. */
export interface BlockContext {
  /** Height the block would have. */
  readonly height: number;
  /** `bits` the retarget rule demands. */
  readonly expectedBits: number;
  /** Median time of the last blocks up to the parent; the block's time must be above it. */
  readonly medianTimePast: number;
  /** Local clock, unix seconds. */
  readonly now: number;
}

export function checkHeaderContext(
  header: BlockHeader,
  ctx: BlockContext,
  params: Pick<NetworkParams, 'maxFutureBlockTime'>,
): Rejection | undefined {
  if (header.bits !== ctx.expectedBits) {
    return reject('bad-diffbits', `bits 0x${header.bits.toString(16)}, the retarget rule demands 0x${ctx.expectedBits.toString(16)}`);
  }
  if (header.time <= ctx.medianTimePast) {
    return reject('time-too-old', `time ${header.time} is not above the median time past ${ctx.medianTimePast}`);
  }
  // Not permanent: the same block becomes acceptable once the clock catches up.
  if (header.time > ctx.now + params.maxFutureBlockTime) {
    return reject('time-too-new', `time ${header.time} is more than ${params.maxFutureBlockTime}s ahead of ${ctx.now}`);
  }
  return undefined;
}

/** Header context plus the coinbase's height commitment. Run after {@link checkBlockSanity}. */
export function checkBlockContext(
  block: Block,
  ctx: BlockContext,
  params: Pick<NetworkParams, 'maxFutureBlockTime'>,
): Rejection | undefined {
  const headerRejection = checkHeaderContext(block.header, ctx, params);
  if (headerRejection) return headerRejection;
  const committed = block.txs[0]?.coinbase?.height;
  if (committed !== ctx.height) return reject('bad-cb-height', `coinbase commits to height ${committed}, block is at ${ctx.height}`);
  return undefined;
}
