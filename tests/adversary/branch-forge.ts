/**
 * @module Makes blocks for the adversary (tests only): valid branches that fork a node's chain at
 * any height (for reorgs, or bodies to withhold) and blocks that break a rule for good. It mines
 * on a private node of its own, so every valid block it makes passes the real consensus code.
 */
import {
  MemoryChainStore,
  MemoryPendingTxStore,
  Node,
  coinbaseTx,
  withCoinbase,
  blockSubsidy,
  headerHash,
  type Block,
} from '../../src/core/index.ts';
import { ManualClock, mineHeader, resealBlock, testKey } from '../../src/core/testing/chain-builder.ts';

export class BranchForge {
  private extraNonce = 0n;
  private readonly payTo = testKey(666).publicKey;

  private constructor(
    readonly node: Node,
    private readonly clock: ManualClock,
  ) {}

  /** A private node holding `source`'s active chain up to `forkHeight`: what the branch grows on. */
  static async fork(source: Node, forkHeight: number): Promise<BranchForge> {
    // Never behind the source: its chain may run ahead of the real time (blocks a second apart).
    const clock = new ManualClock(Math.max(Math.floor(Date.now() / 1000), Math.floor(source.clock.now()), source.chain.entryAt(forkHeight)!.header.time));
    const node = await Node.open({ params: source.params, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock });
    const blocks: Block[] = [];
    for (let h = 1; h <= forkHeight; h++) {
      const block = await source.chain.getBlock(source.chain.entryAt(h)!.hash);
      if (!block) throw new Error(`the source node has no body at height ${h}`);
      blocks.push(block);
    }
    for (const outcome of await node.chain.processBlocks(blocks)) {
      if (outcome.status === 'rejected') throw new Error(`the forge refused the source's block: ${outcome.rejection.code}`);
    }
    return new BranchForge(node, clock);
  }

  get height(): number {
    return this.node.tip.height;
  }

  /** Mines `n` valid blocks on the forge's tip (see mineBlocks). */
  mine(n: number): Promise<Block[]> {
    return mineBlocks(this.node, this.clock, n, this.payTo);
  }

  /**
   * Mines at least `atLeast` blocks, and more until the branch has more work than `than` (a
   * node's tip): a branch mined later than the one it replaces is easier per block (the
   * difficulty follows the clock), so a reorg takes as many blocks as the work needs.
   */
  async outgrow(than: { readonly chainWork: bigint }, atLeast: number): Promise<Block[]> {
    const blocks = await this.mine(atLeast);
    while (this.node.tip.chainWork <= than.chainWork) blocks.push(...(await this.mine(1)));
    return blocks;
  }

  /**
   * A block on the forge's tip (not connected to it) whose coinbase commits to the wrong height:
   * a rule broken for good, found only once the body is checked.
   */
  badCoinbaseHeight(): Block {
    this.clock.time = Math.max(this.clock.time + 1, this.node.chain.medianTimePast() + 1);
    const template = this.node.blockTemplate(this.payTo, this.extraNonce++);
    const height = this.node.tip.height + 1;
    const coinbase = coinbaseTx(height + 7, blockSubsidy(height, this.node.params), this.payTo);
    return resealBlock(withCoinbase(template, coinbase));
  }

  /** A valid-looking child of `parent` (header and body), whatever `parent` is: e.g. of an invalid block. */
  childOf(parent: Block): Block {
    const height = this.node.tip.height + 2;
    const coinbase = coinbaseTx(height, blockSubsidy(height, this.node.params), this.payTo, this.extraNonce++);
    const header = { ...parent.header, prevHash: headerHash(parent.header), time: parent.header.time + 1, nonce: 0 };
    return resealBlock({ header, txs: [coinbase] });
  }
}

/**
 * Mines `n` blocks on a node whose clock a test sets (the real consensus code checks each): the
 * easy test network finds a nonce in a few tries.
 */
export async function mineBlocks(node: Node, clock: ManualClock, n: number, payTo: Uint8Array = testKey(1).publicKey): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let i = 0; i < n; i++) {
    // As early as the median-time rule allows: a long branch runs ahead of the clock slowest so.
    clock.time = Math.max(clock.time, node.chain.medianTimePast() + 1);
    const template = node.blockTemplate(payTo, BigInt(i));
    const block = { header: mineHeader(template.header), txs: template.txs };
    const outcome = await node.submitBlock(block);
    if (outcome.status !== 'connected') throw new Error(`a mined block was not connected: ${outcome.status}`);
    blocks.push(block);
  }
  return blocks;
}
