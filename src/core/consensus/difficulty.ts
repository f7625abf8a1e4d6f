/**
 * @module Per-block difficulty: ASERT (Bitcoin Cash's aserti3-2d, integer-only) anchored at the
 * branch's block 1, with the change from one block to the next bounded by `maxTargetStep`.
 *
 * ASERT sets the target from how far the chain is ahead of or behind its ideal schedule since the
 * anchor: every `asertHalfLife` seconds of drift halves or doubles the target. Being absolutely
 * scheduled, it has no drift from rounding and recovers from hashrate swings without oscillating.
 * The per-step bound keeps one block's timestamp (which a miner chooses, within the time rules)
 * from moving the difficulty by more than a fixed factor.
 *
 * The anchor is block 1, not genesis: genesis carries a fixed date, and a network started long
 * after it would otherwise look far behind schedule and mine a long run of minimum-difficulty
 * blocks. Block 1 carries the genesis bits.
 */
import { bitsFromTarget, validTarget } from './pow.ts';
import type { NetworkParams } from './params.ts';

/** What the retarget rule needs of a block. */
export interface DifficultyPoint {
  readonly height: number;
  readonly time: number;
  readonly bits: number;
}

type DifficultyParams = Pick<NetworkParams, 'powLimitBits' | 'targetSpacing' | 'asertHalfLife' | 'maxTargetStep'>;

/**
 * The `bits` a child of `parent` must carry. `anchor` is block 1 of the parent's branch
 * (undefined while the parent is genesis).
 */
export function requiredBits(
  parent: DifficultyPoint,
  anchor: DifficultyPoint | undefined,
  params: DifficultyParams & Pick<NetworkParams, 'genesis' | 'fixedDifficulty'>,
): number {
  if (params.fixedDifficulty || parent.height === 0 || !anchor) return params.genesis.header.bits;
  return nextBits(anchor, parent, params);
}

/**
 * The ASERT target for the child of `parent`, before the per-step bound.
 * Follows the aserti3-2d reference: a truncating division, an arithmetic shift, and a cubic
 * approximation of 2^x on the fractional part (error below 0.013%).
 */
export function asertTarget(anchor: DifficultyPoint, parent: DifficultyPoint, params: DifficultyParams): bigint {
  const anchorTarget = validTarget(anchor.bits);
  if (anchorTarget === undefined) throw new RangeError(`anchor bits 0x${anchor.bits.toString(16)} are not a valid target`);
  const timeDelta = BigInt(parent.time - anchor.time);
  const heightDelta = BigInt(parent.height - anchor.height);
  // BigInt division truncates toward zero, as the reference's C++ int64 division does.
  const exponent = ((timeDelta - BigInt(params.targetSpacing) * heightDelta) * 65536n) / BigInt(params.asertHalfLife);
  const shifts = exponent >> 16n; // arithmetic shift: floor
  const frac = exponent - (shifts << 16n); // 0 ≤ frac < 65536
  const factor = 65536n + ((195766423245049n * frac + 971821376n * frac * frac + 5127n * frac * frac * frac + (1n << 47n)) >> 48n);
  let target = anchorTarget * factor;
  target = shifts < 0n ? target >> -shifts : target << shifts;
  return target >> 16n;
}

/** ASERT from `anchor` to the child of `parent`, bounded per step and by the proof-of-work limit. */
export function nextBits(anchor: DifficultyPoint, parent: DifficultyPoint, params: DifficultyParams): number {
  const powLimit = validTarget(params.powLimitBits)!;
  const parentTarget = validTarget(parent.bits) ?? powLimit;
  let target = asertTarget(anchor, parent, params);
  const step = BigInt(params.maxTargetStep);
  const easiest = parentTarget * step;
  const hardest = parentTarget / step;
  if (target > easiest) target = easiest;
  if (target < hardest) target = hardest;
  if (target < 1n) target = 1n;
  if (target > powLimit) target = powLimit;
  return bitsFromTarget(target);
}

/** Median of the given block times (Bitcoin's median time past over the last `medianTimeSpan` blocks). */
export function medianTime(times: readonly number[]): number {
  if (times.length === 0) throw new RangeError('median of no times');
  const sorted = times.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
