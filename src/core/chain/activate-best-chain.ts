/**
 * @module Moving an operation's staged tip to the best valid candidate (Bitcoin's
 * ActivateBestChain): disconnect to the fork point with undo data, connect the new branch
 * (stage 3), all against the operation's in-memory coin cache, so a reorg of any depth is computed
 * in full before anything is written.
 */
import { connectBlockChecked, disconnectBlock } from '../consensus/connect-block.ts';
import type { NetworkParams } from '../consensus/params.ts';
import type { SignatureChecks } from '../consensus/signature-checks.ts';
import type { Block } from '../primitives/block.ts';
import type { BlockIndexEntry } from './block-index.ts';
import type { BlockTree } from './block-tree.ts';
import type { Operation } from './chain-operation.ts';
import type { ChainStore } from '../ports/chain-store.ts';
import type { ChainBlockEvent } from './chain-types.ts';
import { CoinCache } from '../coins/coin-cache.ts';
import { outpointKey, type OutpointKey, type SpentCoin } from '../coins/coin.ts';

/** What activation reads: the tree, the rules, and the store's bodies, undo data and coins. */
export interface ActivationSource {
  readonly tree: BlockTree;
  readonly params: NetworkParams;
  readonly store: ChainStore;
  /** Verifies a block's signatures all at once (a pool of workers), behind the verified-signature cache. */
  readonly signatures: SignatureChecks;
  getBlock(hash: string): Promise<Block | undefined>;
}

/**
 * A branch whose block fails to connect is marked invalid; its valid prefix is kept only if it
 * has more work than the tip; then the next best candidate is tried.
 */
export async function activateBestChain(source: ActivationSource, op: Operation): Promise<void> {
  const { tree, params } = source;
  for (;;) {
    const staged = op.staged;
    const best = tree.bestCandidate();
    if (!best || best.chainWork <= staged.tip.chainWork) return;

    const path: BlockIndexEntry[] = [];
    let fork: BlockIndexEntry = best;
    while (!staged.contains(fork)) {
      path.push(fork);
      fork = fork.parent!;
    }
    path.reverse();

    const round = new CoinCache(op.coins);
    const disconnected: ChainBlockEvent[] = [];
    for (let h = staged.tip.height; h > fork.height; h--) {
      const entry = staged.at(h)!;
      const block = await blockOf(source, entry, op);
      const spent = await undoOf(source, entry, op);
      disconnectBlock(block, spent, round);
      op.undoOfDisconnected.set(entry.hash, spent);
      disconnected.push({ block, hash: entry.hash, height: h });
    }

    const connected: ChainBlockEvent[] = [];
    const undo: [string, readonly SpentCoin[]][] = [];
    let failed = false;
    for (const entry of path) {
      const block = await blockOf(source, entry, op);
      await loadCoins(source, block, op);
      const result = await connectBlockChecked(block, entry.height, round, params, source.signatures);
      if (!result.ok) {
        tree.markInvalid(entry, result, op);
        failed = true;
        break;
      }
      undo.push([entry.hash, result.value.spent]);
      connected.push({ block, hash: entry.hash, height: entry.height });
    }
    const reached = connected.length ? tree.get(connected[connected.length - 1]!.hash)! : fork;
    if (failed && reached.chainWork <= staged.tip.chainWork) continue;

    round.mergeInto(op.coins);
    for (const [hash, spent] of undo) op.write.undo.set(hash, spent);
    staged.truncate(fork.height);
    for (const c of connected) staged.push(tree.get(c.hash)!);
    for (const d of disconnected) op.disconnected.push(d);
    for (const c of connected) op.connected.push(c);
  }
}

async function blockOf(source: ActivationSource, entry: BlockIndexEntry, op: Operation): Promise<Block> {
  const staged = op.blocks.get(entry.hash);
  if (staged) return staged;
  const block = await source.getBlock(entry.hash);
  if (!block) throw new Error(`block ${entry.hash} is marked as stored but its body is missing`);
  op.blocks.set(entry.hash, block);
  return block;
}

async function undoOf(source: ActivationSource, entry: BlockIndexEntry, op: Operation): Promise<readonly SpentCoin[]> {
  const undo = op.write.undo.get(entry.hash) ?? (await source.store.getUndo(entry.hash));
  if (!undo) throw new Error(`undo data of active block ${entry.hash} is missing`);
  return undo;
}

/** Fetches from the store the coins a block spends that the operation has not seen yet. */
async function loadCoins(source: ActivationSource, block: Block, op: Operation): Promise<void> {
  const wanted: OutpointKey[] = [];
  for (const tx of block.txs) {
    for (const input of tx.inputs) {
      const key = outpointKey(input.prevTxid, input.vout);
      if (!op.storeCoins.coins.has(key)) wanted.push(key);
    }
  }
  if (wanted.length === 0) return;
  const found = await source.store.getCoins(wanted);
  for (const key of wanted) op.storeCoins.coins.set(key, found.get(key));
}
