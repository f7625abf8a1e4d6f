/**
 * @module A bounded pool of blocks whose parent is not known yet. Bounded by count and bytes; the
 * oldest go first, and entries expire. Keyed by hash and indexed by the missing parent, so a
 * parent's arrival releases its children. A block that came with its wire bytes keeps them, so
 * when it is released it is stored as it was received, not encoded again.
 */
import type { Block } from '../primitives/block.ts';

export interface OrphanLimits {
  readonly maxBlocks: number;
  readonly maxBytes: number;
  /** Seconds an orphan is kept. */
  readonly maxAge: number;
}

export const DEFAULT_ORPHAN_LIMITS: OrphanLimits = { maxBlocks: 64, maxBytes: 8_000_000, maxAge: 20 * 60 };

interface Orphan {
  readonly block: Block;
  /** The bytes it was decoded from, when it came from the wire. */
  readonly bytes: Uint8Array | undefined;
  readonly hash: string;
  readonly parent: string;
  /** What it holds: the decoded block's size, plus its wire bytes when it keeps them. */
  readonly held: number;
  readonly received: number;
}

export class OrphanPool {
  // A Map iterates in insertion order: the first entry is the oldest.
  private readonly byHash = new Map<string, Orphan>();
  private bytes = 0;

  constructor(private readonly limits: OrphanLimits = DEFAULT_ORPHAN_LIMITS) {}

  get size(): number {
    return this.byHash.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /**
   * Adds an orphan (with its wire bytes, when it has them), dropping expired and then oldest
   * entries to stay within the limits. `size` is the block's encoded size; an orphan that keeps
   * its bytes beside the decoded block holds about twice that, and is counted so.
   */
  add(block: Block, hash: string, parent: string, size: number, now: number, bytes?: Uint8Array): void {
    const held = bytes ? size + bytes.length : size;
    if (this.byHash.has(hash) || held > this.limits.maxBytes) return;
    this.expire(now);
    while (this.byHash.size >= this.limits.maxBlocks || this.bytes + held > this.limits.maxBytes) {
      const oldest = this.byHash.values().next().value;
      if (!oldest) break;
      this.remove(oldest.hash);
    }
    this.byHash.set(hash, { block, bytes, hash, parent, held, received: now });
    this.bytes += held;
  }

  /** Removes and returns the orphans whose parent is `parent`. */
  takeChildren(parent: string): { block: Block; hash: string; bytes?: Uint8Array }[] {
    const children = [...this.byHash.values()].filter((o) => o.parent === parent);
    for (const child of children) this.remove(child.hash);
    return children.map(({ block, hash, bytes }) => (bytes ? { block, hash, bytes } : { block, hash }));
  }

  /** The parent hashes this pool waits for whose own parent is not an orphan: what to ask peers for. */
  missingParents(): string[] {
    const missing = new Set<string>();
    for (const o of this.byHash.values()) if (!this.byHash.has(o.parent)) missing.add(o.parent);
    return [...missing];
  }

  expire(now: number): void {
    for (const o of [...this.byHash.values()]) if (now - o.received > this.limits.maxAge) this.remove(o.hash);
  }

  private remove(hash: string): void {
    const o = this.byHash.get(hash);
    if (!o) return;
    this.byHash.delete(hash);
    this.bytes -= o.held;
  }
}
