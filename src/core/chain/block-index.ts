/**
 * @module The in-memory block tree: every header the node accepted, with its height, cumulative
 * work, children and validity. Loaded whole at start-up; small (about 200 bytes a block).
 */
import type { Rejection } from '../consensus/rejection.ts';
import type { BlockHeader } from '../primitives/header.ts';
import type { StoredBlockIndex } from '../ports/chain-store.ts';

export interface BlockIndexEntry {
  readonly hash: string;
  readonly header: BlockHeader;
  readonly height: number;
  readonly chainWork: bigint;
  readonly parent: BlockIndexEntry | undefined;
  readonly children: BlockIndexEntry[];
  readonly sequence: number;
  /** The branch's block at height 1: the difficulty rule's anchor (undefined for genesis). */
  anchor: BlockIndexEntry | undefined;
  /** The body is stored. */
  hasData: boolean;
  /** This block and all its ancestors have bodies: it can be connected. */
  dataChain: boolean;
  /** Set when the block or an ancestor broke a consensus rule. */
  invalid: Pick<Rejection, 'code' | 'message'> | undefined;
}

export function toStored(entry: BlockIndexEntry): StoredBlockIndex {
  const stored = {
    hash: entry.hash,
    header: entry.header,
    height: entry.height,
    chainWork: entry.chainWork,
    hasData: entry.hasData,
    sequence: entry.sequence,
  };
  return entry.invalid ? { ...stored, invalid: { code: entry.invalid.code, message: entry.invalid.message } } : stored;
}

/** The entry at `height` on the branch ending at `entry`. */
export function ancestorAt(entry: BlockIndexEntry, height: number): BlockIndexEntry | undefined {
  let e: BlockIndexEntry | undefined = entry;
  while (e && e.height > height) e = e.parent;
  return e && e.height === height ? e : undefined;
}

/** Times of `entry` and up to `span - 1` ancestors, newest first. */
export function recentTimes(entry: BlockIndexEntry, span: number): number[] {
  const times: number[] = [];
  for (let e: BlockIndexEntry | undefined = entry; e && times.length < span; e = e.parent) times.push(e.header.time);
  return times;
}

/**
 * Whether `a` is a better tip than `b`: more chain work, or as much and seen first (Bitcoin Core's
 * nSequenceId: between equal work, the first one received stays, so a tie never flips the tip).
 */
export function betterTip(a: Pick<BlockIndexEntry, 'chainWork' | 'sequence'>, b: Pick<BlockIndexEntry, 'chainWork' | 'sequence'>): boolean {
  return a.chainWork > b.chainWork || (a.chainWork === b.chainWork && a.sequence < b.sequence);
}
