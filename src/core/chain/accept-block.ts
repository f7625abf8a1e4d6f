/**
 * @module Accepting a block or a header into the tree, as a checklist that ends in an outcome
 * (after nimiq's FullChain): known · orphan (parent unknown) · rejected · filed. Stages 1 and 2 of
 * validation run here; a filed block waits for activation (activate-best-chain.ts) to tell
 * whether it connected. Every memory change is recorded in the operation, to be undone if its
 * write fails.
 */
import { checkBlockContext, checkHeaderContext } from '../consensus/check-block-context.ts';
import { checkBlockSanity, checkHeaderSanity } from '../consensus/check-block-sanity.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { validTarget } from '../consensus/pow.ts';
import { reject, type Rejection } from '../consensus/rejection.ts';
import { hashToHex } from '../encoding/hex.ts';
import type { Clock } from '../ports/clock.ts';
import { blockSize, encodeBlock, type Block } from '../primitives/block.ts';
import { headerHash, type BlockHeader } from '../primitives/header.ts';
import type { BlockIndexEntry } from './block-index.ts';
import type { BlockTree } from './block-tree.ts';
import type { Operation } from './chain-operation.ts';
import type { BlockOutcome, HeaderOutcome } from './chain-types.ts';
import type { OrphanPool } from './orphan-pool.ts';

export class BlockAcceptor {
  private readonly powLimit: bigint;

  constructor(
    private readonly tree: BlockTree,
    private readonly orphans: OrphanPool,
    private readonly params: NetworkParams,
    private readonly clock: Clock,
  ) {
    this.powLimit = validTarget(params.powLimitBits)!;
  }

  /**
   * Stages 1 and 2 for one block, then files it in the tree with its body. Returns an outcome
   * when the block is settled here (known, orphan, rejected); its tree entry when activation
   * will tell whether it connected. `bytes`, when given, is the block's encoding (from the
   * wire), stored as it is instead of encoding the block again.
   */
  acceptBlock(block: Block, op: Operation, bytes?: Uint8Array): BlockOutcome | BlockIndexEntry {
    const tree = this.tree;
    const hashBytes = headerHash(block.header);
    const hash = hashToHex(hashBytes);
    const existing = tree.get(hash);
    if (existing?.invalid) return { status: 'rejected', hash, rejection: reject(existing.invalid.code, existing.invalid.message) };
    if (existing?.hasData) return { status: 'known', hash };
    const remembered = tree.rememberedRejection(hash);
    if (remembered) return { status: 'rejected', hash, rejection: remembered };
    const parentHash = hashToHex(block.header.prevHash);
    if (this.orphans.has(hash)) return { status: 'orphan', hash, missingParent: parentHash };
    const parent = tree.get(parentHash);
    if (!parent) {
      // Only a block with valid proof of work, at least as hard as the network's easiest, may
      // take a place in the pool.
      const rejection = checkHeaderSanity(block.header, hashBytes);
      if (rejection) return this.rejected(hash, rejection);
      if (validTarget(block.header.bits)! > this.powLimit) {
        return { status: 'rejected', hash, rejection: reject('bad-diffbits', 'target is easier than the network allows') };
      }
      const invalidParent = this.invalidOutsideTree(block.header, hashBytes, parentHash);
      if (invalidParent) return this.rejected(hash, invalidParent);
      // With its wire bytes, if it came with them: stored as received once released.
      this.orphans.add(block, hash, parentHash, bytes?.length ?? blockSize(block), this.clock.now(), bytes);
      return { status: 'orphan', hash, missingParent: parentHash };
    }
    if (parent.invalid) return this.rejected(hash, reject('bad-prevblk', `parent ${parent.hash} is invalid`));
    const rejection =
      checkBlockSanity(block, this.params, hashBytes) ?? checkBlockContext(block, tree.contextFor(parent, this.clock.now()), this.params);
    if (rejection) {
      // A body that breaks a rule for good (its merkle root matched, so the header commits to
      // it) condemns the header already in the tree: mark it and its descendants invalid in the
      // store, so nothing of the branch is wanted again, after a restart too (Bitcoin Core's
      // BLOCK_FAILED_VALID / BLOCK_FAILED_CHILD). A block never seen as a header is only
      // remembered: it costs no store space.
      if (existing && rejection.permanent) {
        tree.markInvalid(existing, rejection, op);
        return { status: 'rejected', hash, rejection };
      }
      return this.rejected(hash, rejection);
    }

    const entry = existing ?? tree.add(block.header, hash, parent);
    if (!existing) op.rollback.push(() => tree.remove(entry));
    entry.hasData = true;
    op.rollback.push(() => (entry.hasData = false));
    op.write.index.set(hash, entry);
    op.write.bodies.set(hash, bytes ?? encodeBlock(block));
    op.blocks.set(hash, block);
    if (parent.dataChain) tree.markDataChain(entry, op);

    // The block may be the parent orphans were waiting for.
    for (const child of this.orphans.takeChildren(hash)) {
      const size = child.bytes?.length ?? blockSize(child.block);
      // Back to the pool if the write fails, or the child would be lost.
      op.rollback.push(() => this.orphans.add(child.block, child.hash, hash, size, this.clock.now(), child.bytes));
      op.released.set(child.hash, this.acceptBlock(child.block, op, child.bytes));
    }
    return entry;
  }

  /** Validates a header against its parent and files it without its body. */
  acceptHeader(header: BlockHeader, op: Operation): HeaderOutcome {
    const tree = this.tree;
    const hashBytes = headerHash(header);
    const hash = hashToHex(hashBytes);
    const known = tree.get(hash);
    if (known) {
      if (known.invalid) return { status: 'rejected', hash, rejection: reject(known.invalid.code, known.invalid.message) };
      return { status: 'known', hash };
    }
    const remembered = tree.rememberedRejection(hash);
    if (remembered) return { status: 'rejected', hash, rejection: remembered };
    const parentHash = hashToHex(header.prevHash);
    const parent = tree.get(parentHash);
    if (!parent) {
      const invalidParent = this.invalidOutsideTree(header, hashBytes, parentHash);
      if (invalidParent) return this.rejected(hash, invalidParent);
      return { status: 'orphan', hash, missingParent: parentHash };
    }
    const rejection = this.checkHeader(header, hashBytes, parent);
    if (rejection) return this.rejected(hash, rejection);
    const entry = tree.add(header, hash, parent);
    op.rollback.push(() => tree.remove(entry));
    op.write.index.set(hash, entry);
    return { status: 'accepted', hash, height: entry.height };
  }

  private checkHeader(header: BlockHeader, hashBytes: Uint8Array, parent: BlockIndexEntry): Rejection | undefined {
    if (parent.invalid) return reject('bad-prevblk', `parent ${parent.hash} is invalid`);
    return checkHeaderSanity(header, hashBytes) ?? checkHeaderContext(header, this.tree.contextFor(parent, this.clock.now()), this.params);
  }

  /**
   * bad-prevblk for a header whose parent is not in the tree but is remembered as invalid (a
   * descendant of a block refused before it had an entry), so it is refused at once instead of
   * waiting as an orphan. Only a header with valid proof of work is judged so: headers that cost
   * nothing must not push real invalid hashes out of the bounded memory.
   */
  private invalidOutsideTree(header: BlockHeader, hashBytes: Uint8Array, parentHash: string): Rejection | undefined {
    if (!this.tree.rememberedRejection(parentHash) || checkHeaderSanity(header, hashBytes)) return undefined;
    return reject('bad-prevblk', `parent ${parentHash} is invalid`);
  }

  private rejected(hash: string, rejection: Rejection): { status: 'rejected'; hash: string; rejection: Rejection } {
    if (rejection.permanent) this.tree.rememberInvalid(hash, rejection);
    return { status: 'rejected', hash, rejection };
  }
}
