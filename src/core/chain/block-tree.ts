/**
 * @module The block tree as the chain keeps it in memory: every accepted header's entry, the active
 * chain, the candidates for the tip, and the hashes known to be invalid; filing and unfiling
 * entries, and the read-only questions sync, the miner and the views ask of the tree. It never
 * touches the store: the atomic operation (chain.ts) decides what is written and when.
 */
import type { BlockContext } from '../consensus/check-block-context.ts';
import { medianTime, requiredBits, type DifficultyPoint } from '../consensus/difficulty.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { workFromBits } from '../consensus/pow.ts';
import { reject, type Rejection } from '../consensus/rejection.ts';
import { hashToHex } from '../encoding/hex.ts';
import type { BlockHeader } from '../primitives/header.ts';
import { betterTip, recentTimes, type BlockIndexEntry } from './block-index.ts';
import type { StoredBlockIndex } from '../ports/chain-store.ts';
import type { ChainTip, ChainTipInfo } from './chain-types.ts';

/** Where an operation records how to undo its memory changes and which entries it must write. */
export interface TreeChanges {
  readonly rollback: (() => void)[];
  readonly write: { readonly index: Map<string, BlockIndexEntry> };
}

export class BlockTree {
  private readonly index = new Map<string, BlockIndexEntry>();
  /** The active chain by height; the last entry is the tip. */
  readonly active: BlockIndexEntry[] = [];
  /** Blocks with data all the way down, not invalid: the ones that could become the tip. */
  private readonly candidates = new Set<BlockIndexEntry>();
  /** Permanently invalid hashes refused before they had an entry (bounded, oldest out first). */
  private readonly rememberedInvalid = new Map<string, Rejection>();
  private nextSequence = 0;

  constructor(
    private readonly params: NetworkParams,
    private readonly maxRememberedInvalid: number,
  ) {}

  /** Files the genesis block as the whole active chain (an empty store). */
  startWithGenesis(): BlockIndexEntry {
    const entry = this.add(this.params.genesis.header, this.params.genesisHash, undefined);
    entry.hasData = true;
    entry.dataChain = true;
    this.active.push(entry);
    return entry;
  }

  /** Rebuilds the tree from the store's block index and tip. */
  restore(index: readonly StoredBlockIndex[], tip: string | undefined): void {
    const sorted = [...index].sort((a, b) => a.height - b.height || a.sequence - b.sequence);
    if (sorted[0]!.height !== 0 || sorted[0]!.hash !== this.params.genesisHash) {
      throw new Error(`the store holds another network's chain (genesis ${sorted[0]!.hash}, expected ${this.params.genesisHash})`);
    }
    for (const stored of sorted) this.restoreEntry(stored);
    const tipEntry = tip === undefined ? undefined : this.index.get(tip);
    if (!tipEntry) throw new Error(`the store's tip ${tip} is not in its block index`);
    for (let e: BlockIndexEntry | undefined = tipEntry; e; e = e.parent) this.active[e.height] = e;
    for (const entry of this.index.values()) {
      if (entry.dataChain && !entry.invalid && entry.chainWork > tipEntry.chainWork) this.candidates.add(entry);
    }
  }

  private restoreEntry(stored: StoredBlockIndex): void {
    const parent = stored.height === 0 ? undefined : this.index.get(hashToHex(stored.header.prevHash));
    if (stored.height !== 0 && !parent) throw new Error(`stored block ${stored.hash} has no stored parent`);
    const entry: BlockIndexEntry = {
      hash: stored.hash,
      header: stored.header,
      height: stored.height,
      chainWork: stored.chainWork,
      parent,
      children: [],
      sequence: stored.sequence,
      anchor: undefined,
      hasData: stored.hasData,
      dataChain: stored.hasData && (parent ? parent.dataChain : true),
      invalid: stored.invalid,
    };
    // A store written before descendants were marked along with their ancestor still has them
    // valid: they descend from an invalid block all the same.
    if (!entry.invalid && parent?.invalid) entry.invalid = { code: 'bad-prevblk', message: `descends from invalid block ${parent.hash}` };
    this.link(entry);
    this.nextSequence = Math.max(this.nextSequence, stored.sequence + 1);
  }

  /** Files a new header under its parent (undefined for genesis), without a body. */
  add(header: BlockHeader, hash: string, parent: BlockIndexEntry | undefined): BlockIndexEntry {
    const entry: BlockIndexEntry = {
      hash,
      header,
      height: parent ? parent.height + 1 : 0,
      chainWork: (parent?.chainWork ?? 0n) + workFromBits(header.bits),
      parent,
      children: [],
      sequence: this.nextSequence++,
      anchor: undefined,
      hasData: false,
      dataChain: false,
      invalid: undefined,
    };
    this.link(entry);
    return entry;
  }

  private link(entry: BlockIndexEntry): void {
    entry.anchor = entry.parent?.anchor ?? (entry.height === 1 ? entry : undefined);
    entry.parent?.children.push(entry);
    this.index.set(entry.hash, entry);
  }

  /** Takes a leaf entry out of the tree again (an operation's rollback). */
  remove(entry: BlockIndexEntry): void {
    this.index.delete(entry.hash);
    const siblings = entry.parent?.children;
    if (siblings) siblings.splice(siblings.indexOf(entry), 1);
    this.candidates.delete(entry);
  }

  get(hash: string): BlockIndexEntry | undefined {
    return this.index.get(hash);
  }

  get tipEntry(): BlockIndexEntry {
    return this.active[this.active.length - 1]!;
  }

  /** The entry and its descendants with bodies can now be connected. */
  markDataChain(start: BlockIndexEntry, changes: TreeChanges): void {
    const stack = [start];
    while (stack.length) {
      const e = stack.pop()!;
      if (!e.hasData || e.dataChain) continue;
      e.dataChain = true;
      changes.rollback.push(() => (e.dataChain = false));
      if (!e.invalid) {
        this.candidates.add(e);
        changes.rollback.push(() => this.candidates.delete(e));
      }
      stack.push(...e.children);
    }
  }

  /** Marks a block invalid and every descendant invalid through it (test-plan A.10). */
  markInvalid(entry: BlockIndexEntry, rejection: Rejection, changes: TreeChanges): void {
    const stack: [BlockIndexEntry, Pick<Rejection, 'code' | 'message'>][] = [[entry, rejection]];
    while (stack.length) {
      const [e, why] = stack.pop()!;
      if (e.invalid) continue;
      e.invalid = why;
      const wasCandidate = this.candidates.delete(e);
      changes.rollback.push(() => {
        e.invalid = undefined;
        if (wasCandidate) this.candidates.add(e);
      });
      changes.write.index.set(e.hash, e);
      for (const child of e.children) stack.push([child, { code: 'bad-prevblk', message: `descends from invalid block ${entry.hash}` }]);
    }
  }

  /** Remembers a hash refused for good (the oldest goes when memory is full). */
  rememberInvalid(hash: string, rejection: Rejection): void {
    if (this.rememberedInvalid.size >= this.maxRememberedInvalid) {
      this.rememberedInvalid.delete(this.rememberedInvalid.keys().next().value!);
    }
    this.rememberedInvalid.set(hash, rejection);
  }

  /** Why a hash outside the tree was refused for good, if it was. */
  rememberedRejection(hash: string): Rejection | undefined {
    return this.rememberedInvalid.get(hash);
  }

  /** The candidate with the most work (first seen among equals). */
  bestCandidate(): BlockIndexEntry | undefined {
    let best: BlockIndexEntry | undefined;
    for (const c of this.candidates) {
      if (!best || betterTip(c, best)) best = c;
    }
    return best;
  }

  /** Drops candidates that can never win: a block with no more work than the tip (ties keep the tip). */
  pruneCandidates(): void {
    const tipWork = this.tipEntry.chainWork;
    for (const c of this.candidates) if (c.chainWork <= tipWork) this.candidates.delete(c);
  }

  /** What a child of `parent` is checked against (stage 2). */
  contextFor(parent: BlockIndexEntry, now: number): BlockContext {
    const point = (e: BlockIndexEntry): DifficultyPoint => ({ height: e.height, time: e.header.time, bits: e.header.bits });
    return {
      height: parent.height + 1,
      expectedBits: requiredBits(point(parent), parent.anchor && point(parent.anchor), this.params),
      medianTimePast: medianTime(recentTimes(parent, this.params.medianTimeSpan)),
      now,
    };
  }

  // ---- Queries -------------------------------------------------------------------------------

  get tip(): ChainTip {
    const e = this.tipEntry;
    return { hash: e.hash, height: e.height, chainWork: e.chainWork, header: e.header };
  }

  get height(): number {
    return this.active.length - 1;
  }

  /** Why a block is known to be invalid for good (its entry is marked, or it was refused before it had one). */
  invalidity(hash: string): Rejection | undefined {
    const e = this.index.get(hash);
    if (e) return e.invalid && reject(e.invalid.code, e.invalid.message);
    return this.rememberedInvalid.get(hash);
  }

  /** True when the entry is on the active chain. */
  isActiveEntry(e: BlockIndexEntry | undefined): e is BlockIndexEntry {
    return e !== undefined && this.active[e.height] === e;
  }

  /**
   * Every leaf of the block tree, and the active tip (which may have headers-only or invalid
   * children), highest first (bitcoind's `getchaintips`). O(blocks known), no store reads.
   */
  tips(): ChainTipInfo[] {
    const tip = this.tipEntry;
    const tips: ChainTipInfo[] = [];
    for (const e of this.index.values()) {
      if (e === tip) {
        tips.push({ hash: e.hash, height: e.height, branchLength: 0, status: 'active' });
        continue;
      }
      if (e.children.length > 0) continue;
      let fork: BlockIndexEntry = e;
      while (this.active[fork.height] !== fork) fork = fork.parent!;
      const status = e.invalid ? 'invalid' : e.dataChain ? 'valid-fork' : 'headers-only';
      tips.push({ hash: e.hash, height: e.height, branchLength: e.height - fork.height, status });
    }
    return tips.sort((a, b) => b.height - a.height || a.branchLength - b.branchLength);
  }

  /** Median time of the last `medianTimeSpan` blocks up to the tip. */
  medianTimePast(): number {
    return medianTime(recentTimes(this.tipEntry, this.params.medianTimeSpan));
  }

  /**
   * A block locator (Bitcoin's) from `fromHash` (default: the tip): that block, the 10 below it,
   * then exponentially sparser blocks down to genesis. A peer answers with headers after the
   * first hash it knows.
   */
  locator(fromHash?: string): string[] {
    let e: BlockIndexEntry | undefined = fromHash === undefined ? this.tipEntry : this.index.get(fromHash);
    const hashes: string[] = [];
    let step = 1;
    while (e && e.height > 0) {
      hashes.push(e.hash);
      if (hashes.length >= 10) step *= 2;
      const target = Math.max(0, e.height - step);
      // On the active chain jump straight there; on a branch walk the parents.
      if (this.active[e.height] === e) e = this.active[target];
      else while (e && e.height > target) e = e.parent;
    }
    hashes.push(this.active[0]!.hash);
    return hashes;
  }

  /** The valid header with the most work (its body may still be missing): where sync heads. */
  bestHeader(): BlockIndexEntry {
    let best = this.tipEntry;
    for (const e of this.index.values()) {
      if (!e.invalid && betterTip(e, best)) best = e;
    }
    return best;
  }

  /**
   * Blocks whose bodies sync should fetch, lowest first: those missing on the way to the best
   * header, when it has more work than the tip. At most `max`.
   */
  blocksToDownload(max: number): BlockIndexEntry[] {
    const best = this.bestHeader();
    if (best.chainWork <= this.tipEntry.chainWork) return [];
    const missing: BlockIndexEntry[] = [];
    for (let e: BlockIndexEntry | undefined = best; e && !e.dataChain; e = e.parent) if (!e.hasData) missing.push(e);
    return missing.reverse().slice(0, max);
  }

  /** Active-chain headers after the first locator hash on the active chain (a getheaders answer). */
  headersAfter(locator: readonly string[], stopHash: string | undefined, max: number): BlockHeader[] {
    let start = 0;
    for (const hash of locator) {
      const e = this.index.get(hash);
      if (e && this.active[e.height] === e) {
        start = e.height + 1;
        break;
      }
    }
    const headers: BlockHeader[] = [];
    for (let h = start; h <= this.height && headers.length < max; h++) {
      const e = this.active[h]!;
      headers.push(e.header);
      if (e.hash === stopHash) break;
    }
    return headers;
  }
}
