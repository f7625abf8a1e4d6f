import { describe, expect, it, vi } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { blockSubsidy } from '../consensus/subsidy.ts';
import { txidBytes, type Transaction } from '../primitives/transaction.ts';
import { encodeBlock } from '../primitives/block.ts';
import { ChainBuilder, ManualClock, type BuiltBlock } from '../testing/chain-builder.ts';
import { Chain, type ChainBlockEvent, type TipChangedEvent } from './chain.ts';
import { outpointKey } from '../coins/coin.ts';
import { MemoryChainStore } from './memory-chain-store.ts';
import { openTestChain, retargetingRegtestParams } from '../testing/test-chain.ts';

const subsidy = blockSubsidy(1, regtestParams);
const fee = 10_000n;

const setup = openTestChain;

type Setup = Awaited<ReturnType<typeof setup>>;

/** Processes blocks that must all connect, in batches. */
async function connectAll(s: Setup, blocks: readonly BuiltBlock[], batch = 50): Promise<void> {
  for (let i = 0; i < blocks.length; i += batch) {
    const outcomes = await s.chain.processBlocks(blocks.slice(i, i + batch).map((x) => x.block));
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 'connected'));
  }
}

/** Everything observable about the chain and its store. */
function state({ chain, store }: Setup) {
  return {
    tip: chain.tip,
    storeTip: store.tip,
    coins: new Map(store.coins),
    index: new Map(store.index),
    bodies: store.bodies.size,
    undo: store.undo.size,
  };
}

/** Records the chain's events. */
function record(chain: Chain) {
  const log = { connected: [] as string[], disconnected: [] as string[], tips: [] as TipChangedEvent[] };
  chain.on('block-connected', (e: ChainBlockEvent) => log.connected.push(e.hash));
  chain.on('block-disconnected', (e: ChainBlockEvent) => log.disconnected.push(e.hash));
  chain.on('tip-changed', (e) => log.tips.push(e));
  return log;
}

const hashes = (blocks: readonly BuiltBlock[]): string[] => blocks.map((x) => x.hash);

/** Blocks as close together as the median-time rule allows: ahead of schedule, so ever harder bits. */
function fastExtend(b: ChainBuilder, parent: BuiltBlock, n: number, extraNonce = 0n): BuiltBlock[] {
  const blocks: BuiltBlock[] = [];
  let tip = parent;
  for (let i = 0; i < n; i++) {
    tip = b.next(tip, { time: b.medianTimePast(tip) + 1, extraNonce });
    blocks.push(tip);
  }
  return blocks;
}

describe('Chain: opening', () => {
  it('behavior: an empty store gets the genesis block, with no coins', async () => {
    const s = await setup();
    expect(s.chain.tip).toMatchObject({ hash: regtestParams.genesisHash, height: 0 });
    expect(s.store.tip).toBe(regtestParams.genesisHash);
    expect(s.store.writes).toBe(1);
    expect(s.store.coins.size).toBe(0);
    expect(s.chain.entryAt(0)?.hash).toBe(regtestParams.genesisHash);
    expect(s.chain.locator()).toEqual([regtestParams.genesisHash]);
  });

  it('behavior: reopening the same store gives the same tip, tree and validity without replaying blocks', async () => {
    const s = await setup();
    const main = s.b.extend(s.b.genesis, 8);
    await connectAll(s, main);
    const side = s.b.extend(main[3]!, 2, { extraNonce: 1n });
    await s.chain.processBlocks(side.map((x) => x.block));
    const bad = s.b.next(main[7]!, { coinbaseExtra: 1n });
    expect((await s.chain.processBlock(bad.block)).status).toBe('rejected');
    const coins = new Map(s.store.coins);
    const writes = s.store.writes;

    const getBlock = vi.spyOn(s.store, 'getBlock');
    const getUndo = vi.spyOn(s.store, 'getUndo');
    const getCoins = vi.spyOn(s.store, 'getCoins');
    const reopened = await Chain.open({ params: regtestParams, store: s.store, clock: s.clock });
    expect(getBlock).not.toHaveBeenCalled();
    expect(getUndo).not.toHaveBeenCalled();
    expect(getCoins).not.toHaveBeenCalled();
    expect(s.store.writes).toBe(writes);
    expect(reopened.tip).toEqual(s.chain.tip);
    for (let h = 0; h <= 8; h++) expect(reopened.entryAt(h)?.hash).toBe(main[h - 1]?.hash ?? regtestParams.genesisHash);
    expect(reopened.entry(side[1]!.hash)).toMatchObject({ height: 6, hasData: true, invalid: undefined });
    expect(reopened.isActive(side[1]!.hash)).toBe(false);
    expect(reopened.entry(bad.hash)?.invalid?.code).toBe('bad-cb-amount');
    expect(await reopened.processBlock(bad.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-amount' } });
    expect(await reopened.processBlock(main[7]!.block)).toEqual({ status: 'known', hash: main[7]!.hash });
    expect(reopened.medianTimePast()).toBe(s.chain.medianTimePast());
    expect(s.store.coins).toEqual(coins);

    // The reopened chain goes on where the first stopped, including a reorg onto the old side branch.
    const more = s.b.extend(side[1]!, 4, { extraNonce: 1n });
    const outcomes = await reopened.processBlocks(more.map((x) => x.block));
    expect(outcomes.map((o) => o.status)).toEqual(['connected', 'connected', 'connected', 'connected']);
    expect(reopened.tip.hash).toBe(more[3]!.hash);
  });

  it('error: a store holding another network\'s chain is refused', async () => {
    const s = await setup();
    const other = { ...regtestParams, genesisHash: 'ff'.repeat(32) };
    await expect(Chain.open({ params: other, store: s.store, clock: s.clock })).rejects.toThrow(/another network/);
  });
});

describe('Chain: blocks', () => {
  it('behavior: extending the tip connects, updates coins, undo data, events and queries', async () => {
    const s = await setup();
    const log = record(s.chain);
    const [b1] = s.b.extend(s.b.genesis, 1);
    expect(await s.chain.processBlock(b1!.block)).toEqual({ status: 'connected', hash: b1!.hash, height: 1 });
    expect(s.chain.tip.hash).toBe(b1!.hash);
    expect(s.store.tip).toBe(b1!.hash);
    expect(s.chain.isActive(b1!.hash)).toBe(true);
    const cbKey = outpointKey(txidBytes(b1!.block.txs[0]!), 0);
    expect([...s.store.coins.keys()]).toEqual([cbKey]);
    expect(await s.chain.getCoins([cbKey, 'missing:0'])).toEqual(new Map([[cbKey, { amount: subsidy, publicKey: s.b.key.publicKey, height: 1, coinbase: true }]]));
    expect(s.store.undo.get(b1!.hash)).toEqual([]);
    expect(await s.chain.getBlock(b1!.hash)).toEqual(b1!.block);
    expect(log.connected).toEqual([b1!.hash]);
    expect(log.tips).toHaveLength(1);
    expect(log.tips[0]).toMatchObject({ tip: { hash: b1!.hash, height: 1 }, disconnected: [] });
    expect(log.tips[0]!.connected.map((e) => e.hash)).toEqual([b1!.hash]);
  });

  it('behavior: a known block is known, without a write', async () => {
    const s = await setup();
    const [b1] = s.b.extend(s.b.genesis, 1);
    await s.chain.processBlock(b1!.block);
    const writes = s.store.writes;
    expect(await s.chain.processBlock(b1!.block)).toEqual({ status: 'known', hash: b1!.hash });
    expect(await s.chain.processBlock(regtestParams.genesis)).toEqual({ status: 'known', hash: regtestParams.genesisHash });
    expect(s.store.writes).toBe(writes);
  });

  it('behavior: processBlocks of a batch of N blocks does one store write and reports each outcome in order', async () => {
    const s = await setup();
    const blocks = s.b.extend(s.b.genesis, 30);
    const side = s.b.next(blocks[10]!, { extraNonce: 1n });
    const bad = s.b.next(s.b.genesis, { bits: 0x2000ffff });
    const writes = s.store.writes;
    const log = record(s.chain);
    const outcomes = await s.chain.processBlocks([...blocks.map((x) => x.block), side.block, bad.block, blocks[0]!.block]);
    expect(s.store.writes).toBe(writes + 1);
    expect(outcomes.slice(0, 30)).toEqual(blocks.map((x) => ({ status: 'connected', hash: x.hash, height: x.height })));
    expect(outcomes[30]).toEqual({ status: 'side-chain', hash: side.hash, height: 12 });
    expect(outcomes[31]).toMatchObject({ status: 'rejected', rejection: { code: 'bad-diffbits' } });
    expect(outcomes[32]).toEqual({ status: 'known', hash: blocks[0]!.hash });
    expect(s.chain.tip.hash).toBe(blocks[29]!.hash);
    expect(s.store.tip).toBe(blocks[29]!.hash);
    expect(s.store.coins.size).toBe(30);
    expect(log.tips).toHaveLength(1);
    expect(log.connected).toEqual(hashes(blocks));
    // An empty batch writes nothing.
    expect(await s.chain.processBlocks([])).toEqual([]);
    expect(s.store.writes).toBe(writes + 1);
  });

  it('behavior: blocks given with their wire bytes are stored as those bytes, not encoded again; without them, encoded', async () => {
    const s = await setup();
    const [b1, b2] = s.b.extend(s.b.genesis, 2);
    const wire = encodeBlock(b1!.block);
    const outcomes = await s.chain.processBlocks([b1!.block], [wire]);
    expect(outcomes).toEqual([{ status: 'connected', hash: b1!.hash, height: 1 }]);
    expect(s.store.bodies.get(b1!.hash)).toBe(wire);
    await s.chain.processBlocks([b2!.block]);
    expect(s.store.bodies.get(b2!.hash)).toEqual(encodeBlock(b2!.block));
  });

  it('behavior: concurrent calls run one at a time, in call order', async () => {
    const s = await setup();
    const blocks = s.b.extend(s.b.genesis, 5);
    const outcomes = await Promise.all(blocks.map((x) => s.chain.processBlock(x.block)));
    expect(outcomes.map((o) => o.status)).toEqual(['connected', 'connected', 'connected', 'connected', 'connected']);
    expect(s.chain.tip.hash).toBe(blocks[4]!.hash);
  });

  it('error: a write that fails leaves memory and store as they were; the same block then connects', async () => {
    const s = await setup();
    const base = s.b.extend(s.b.genesis, 6);
    await connectAll(s, base);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const block = s.b.next(base[5]!, { txs: [t] });
    const before = state(s);
    const log = record(s.chain);
    s.store.failNextWrite = new Error('disk');
    await expect(s.chain.processBlock(block.block)).rejects.toThrow('disk');
    expect(state(s)).toEqual(before);
    expect(s.chain.entry(block.hash)).toBeUndefined();
    expect(log.tips).toHaveLength(0);
    expect(await s.chain.processBlock(block.block)).toEqual({ status: 'connected', hash: block.hash, height: 7 });
    expect(log.connected).toEqual([block.hash]);
  });
  it('error: a store read that fails during activation leaves memory and store as they were; the chain goes on', async () => {
    const s = await setup();
    const base = s.b.extend(s.b.genesis, 6);
    await connectAll(s, base);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const block = s.b.next(base[5]!, { txs: [t] });
    const before = state(s);
    const getCoins = vi.spyOn(s.store, 'getCoins').mockRejectedValueOnce(new Error('read'));
    await expect(s.chain.processBlock(block.block)).rejects.toThrow('read');
    expect(getCoins).toHaveBeenCalledOnce();
    expect(state(s)).toEqual(before);
    expect(s.chain.entry(block.hash)).toBeUndefined();
    expect(await s.chain.processBlock(block.block)).toEqual({ status: 'connected', hash: block.hash, height: 7 });

    // The same during a reorg, which reads bodies of the blocks it takes off.
    const x = s.b.extend(base[4]!, 3, { extraNonce: 1n });
    expect((await s.chain.processBlocks(x.slice(0, 2).map((y) => y.block))).map((o) => o.status)).toEqual(['side-chain', 'side-chain']);
    const beforeReorg = state(s);
    vi.spyOn(s.store, 'getBlock').mockRejectedValueOnce(new Error('read'));
    await expect(s.chain.processBlock(x[2]!.block)).rejects.toThrow('read');
    expect(state(s)).toEqual(beforeReorg);
    expect(s.chain.entry(x[2]!.hash)).toBeUndefined();
    expect(await s.chain.processBlock(x[2]!.block)).toMatchObject({ status: 'connected', height: 8 });
    expect(s.chain.tip.hash).toBe(x[2]!.hash);
  });
});

describe('Chain: invalid branches (test-plan A.10)', () => {
  it('error: a branch with more work through a block that overpays its coinbase never becomes the tip; it and its descendants are invalid', async () => {
    const s = await setup();
    const main = s.b.extend(s.b.genesis, 3);
    await connectAll(s, main);
    const x2 = s.b.next(main[0]!, { extraNonce: 1n });
    const x3 = s.b.next(x2, { coinbaseExtra: 1n });
    const x4 = s.b.next(x3);
    const x5 = s.b.next(x4);
    const before = { tip: s.chain.tip, coins: new Map(s.store.coins), storeTip: s.store.tip };
    const log = record(s.chain);
    const outcomes = await s.chain.processBlocks([x2.block, x3.block, x4.block, x5.block]);
    expect(outcomes[0]).toEqual({ status: 'side-chain', hash: x2.hash, height: 2 });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', hash: x3.hash, rejection: { code: 'bad-cb-amount', punish: true, permanent: true } });
    expect(outcomes[2]).toMatchObject({ status: 'rejected', hash: x4.hash, rejection: { code: 'bad-prevblk', punish: true, permanent: true } });
    expect(outcomes[3]).toMatchObject({ status: 'rejected', hash: x5.hash, rejection: { code: 'bad-prevblk' } });
    expect({ tip: s.chain.tip, coins: new Map(s.store.coins), storeTip: s.store.tip }).toEqual(before);
    expect(log.tips).toHaveLength(0);
    expect(s.chain.entry(x2.hash)?.invalid).toBeUndefined();
    expect(s.chain.entry(x3.hash)?.invalid?.code).toBe('bad-cb-amount');
    expect(s.chain.entry(x4.hash)?.invalid?.code).toBe('bad-prevblk');
    expect(s.chain.entry(x5.hash)?.invalid?.code).toBe('bad-prevblk');
    expect(s.store.index.get(x3.hash)?.invalid?.code).toBe('bad-cb-amount');
    expect(s.store.index.get(x5.hash)?.invalid?.code).toBe('bad-prevblk');

    // A child sent later is rejected through its invalid parent, and not stored.
    const x6 = s.b.next(x5);
    expect(await s.chain.processBlock(x6.block)).toMatchObject({ status: 'rejected', hash: x6.hash, rejection: { code: 'bad-prevblk', punish: true } });
    expect(s.store.index.has(x6.hash)).toBe(false);
    // The invalid blocks stay invalid when sent again.
    expect(await s.chain.processBlock(x4.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-prevblk' } });
    // The honest chain goes on.
    const [m4] = s.b.extend(main[2]!, 1);
    expect(await s.chain.processBlock(m4!.block)).toMatchObject({ status: 'connected', height: 4 });
  });

  it('error: a bad signature in the middle of a longer branch, sent block by block, marks the branch invalid', async () => {
    const s = await setup();
    const main = s.b.extend(s.b.genesis, 8);
    await connectAll(s, main);
    const good = s.b.spend([s.b.coinbaseOf(main[0]!)], [subsidy - fee]);
    const sig = good.inputs[0]!.signature.slice();
    sig[10] = sig[10]! ^ 1;
    const forged: Transaction = { ...good, inputs: [{ ...good.inputs[0]!, signature: sig }] };
    const x7 = s.b.next(main[5]!, { extraNonce: 1n });
    const x8 = s.b.next(x7, { txs: [forged] });
    const x9 = s.b.next(x8);
    const x10 = s.b.next(x9);
    expect(await s.chain.processBlock(x7.block)).toMatchObject({ status: 'side-chain' });
    // Equal work: not connected yet, so the signature is not checked yet.
    expect(await s.chain.processBlock(x8.block)).toMatchObject({ status: 'side-chain' });
    const tip = s.chain.tip;
    expect(await s.chain.processBlock(x9.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-prevblk' } });
    expect(s.chain.entry(x8.hash)?.invalid?.code).toBe('bad-txns-sig');
    expect(s.chain.entry(x9.hash)?.invalid?.code).toBe('bad-prevblk');
    expect(s.chain.tip).toEqual(tip);
    expect(await s.chain.processBlock(x10.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-prevblk' } });
    expect(s.store.index.has(x10.hash)).toBe(false);
    // The honest tx is still spendable on the main chain.
    const m9 = s.b.next(main[7]!, { txs: [good] });
    expect(await s.chain.processBlock(m9.block)).toMatchObject({ status: 'connected', height: 9 });
  });

  it('behavior: a branch whose valid prefix has more work than the tip keeps that prefix', async () => {
    const s = await setup();
    const main = s.b.extend(s.b.genesis, 2);
    await connectAll(s, main);
    const x = s.b.extend(s.b.genesis, 3, { extraNonce: 1n });
    const x4 = s.b.next(x[2]!, { coinbaseExtra: 1n });
    const outcomes = await s.chain.processBlocks([...x.map((y) => y.block), x4.block]);
    // Outcomes are final: the valid prefix ended up connected.
    expect(outcomes.map((o) => o.status)).toEqual(['connected', 'connected', 'connected', 'rejected']);
    expect(outcomes[3]).toMatchObject({ rejection: { code: 'bad-cb-amount' } });
    expect(s.chain.tip.hash).toBe(x[2]!.hash);
  });
  it('error: a failed write while a branch is found invalid leaves no invalid mark; the retry marks it again', async () => {
    const s = await setup();
    const main = s.b.extend(s.b.genesis, 3);
    await connectAll(s, main);
    const x2 = s.b.next(main[0]!, { extraNonce: 1n });
    const x3 = s.b.next(x2, { coinbaseExtra: 1n });
    const x4 = s.b.next(x3);
    expect((await s.chain.processBlocks([x2.block, x3.block])).map((o) => o.status)).toEqual(['side-chain', 'side-chain']);
    const before = state(s);
    s.store.failNextWrite = new Error('disk');
    await expect(s.chain.processBlock(x4.block)).rejects.toThrow('disk');
    expect(state(s)).toEqual(before);
    expect(s.chain.entry(x3.hash)?.invalid).toBeUndefined();
    expect(s.chain.entry(x4.hash)).toBeUndefined();
    expect(await s.chain.processBlock(x4.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-prevblk' } });
    expect(s.chain.entry(x3.hash)?.invalid?.code).toBe('bad-cb-amount');
    expect(s.store.index.get(x3.hash)?.invalid?.code).toBe('bad-cb-amount');
    expect(s.chain.tip.hash).toBe(main[2]!.hash);
  });
});

describe('Chain: orphans (test-plan A.11)', () => {
  it('behavior: a block whose parent is unknown is an orphan; when the parent arrives both connect', async () => {
    const s = await setup();
    const [b1, b2] = s.b.extend(s.b.genesis, 2);
    const before = state(s);
    expect(await s.chain.processBlock(b2!.block)).toEqual({ status: 'orphan', hash: b2!.hash, missingParent: b1!.hash });
    expect(state(s)).toEqual(before);
    expect(s.chain.orphanCount).toBe(1);
    expect(s.chain.missingParents()).toEqual([b1!.hash]);
    // Sent again while pooled: still an orphan.
    expect(await s.chain.processBlock(b2!.block)).toMatchObject({ status: 'orphan' });
    expect(s.chain.orphanCount).toBe(1);
    const log = record(s.chain);
    expect(await s.chain.processBlock(b1!.block)).toEqual({ status: 'connected', hash: b1!.hash, height: 1 });
    expect(s.chain.tip.hash).toBe(b2!.hash);
    expect(s.chain.orphanCount).toBe(0);
    expect(log.connected).toEqual([b1!.hash, b2!.hash]);
    expect(await s.chain.processBlock(b2!.block)).toEqual({ status: 'known', hash: b2!.hash });
  });

  it('behavior: a chain of orphans received backwards connects in full when its root arrives', async () => {
    const s = await setup();
    const blocks = s.b.extend(s.b.genesis, 6);
    for (const x of blocks.slice(1).reverse()) expect((await s.chain.processBlock(x.block)).status).toBe('orphan');
    expect(s.chain.missingParents()).toEqual([blocks[0]!.hash]);
    const writes = s.store.writes;
    await s.chain.processBlock(blocks[0]!.block);
    expect(s.store.writes).toBe(writes + 1);
    expect(s.chain.tip.hash).toBe(blocks[5]!.hash);
    expect(s.chain.orphanCount).toBe(0);
  });

  it('behavior: in a batch, a block sent before its parent reports what became of it, not orphan', async () => {
    const s = await setup();
    const [b1, b2, b3] = s.b.extend(s.b.genesis, 3);
    // One block that fails only when connected (its child is released, then invalid through it),
    // and one that fails its context (its child stays an orphan).
    const bad = s.b.next(b3!, { coinbaseExtra: 1n });
    const badChild = s.b.next(bad);
    const early = s.b.next(b3!, { coinbaseHeight: 9, extraNonce: 1n });
    const earlyChild = s.b.next(early);
    const outcomes = await s.chain.processBlocks([b3!.block, b2!.block, badChild.block, earlyChild.block, b1!.block, bad.block, early.block]);
    expect(outcomes[0]).toEqual({ status: 'connected', hash: b3!.hash, height: 3 });
    expect(outcomes[1]).toEqual({ status: 'connected', hash: b2!.hash, height: 2 });
    expect(outcomes[2]).toMatchObject({ status: 'rejected', hash: badChild.hash, rejection: { code: 'bad-prevblk' } });
    expect(outcomes[3]).toEqual({ status: 'orphan', hash: earlyChild.hash, missingParent: early.hash });
    expect(outcomes[4]).toEqual({ status: 'connected', hash: b1!.hash, height: 1 });
    expect(outcomes[5]).toMatchObject({ status: 'rejected', hash: bad.hash, rejection: { code: 'bad-cb-amount' } });
    expect(outcomes[6]).toMatchObject({ status: 'rejected', hash: early.hash, rejection: { code: 'bad-cb-height' } });
    expect(s.chain.tip.hash).toBe(b3!.hash);
    expect(s.chain.orphanCount).toBe(1);
  });

  it('behavior: an orphan whose parent turns out to be invalid is rejected when released', async () => {
    const s = await setup();
    const bad = s.b.next(s.b.genesis, { coinbaseHeight: 9 });
    const child = s.b.next(bad);
    expect((await s.chain.processBlock(child.block)).status).toBe('orphan');
    expect(await s.chain.processBlock(bad.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-height' } });
    expect(s.chain.orphanCount).toBe(1);
    expect(s.chain.height).toBe(0);
  });

  it('error: a failed write keeps the released orphan: retrying the parent connects both', async () => {
    const s = await setup();
    const [b1, b2] = s.b.extend(s.b.genesis, 2);
    expect((await s.chain.processBlock(b2!.block)).status).toBe('orphan');
    s.store.failNextWrite = new Error('disk');
    await expect(s.chain.processBlock(b1!.block)).rejects.toThrow('disk');
    expect(s.chain.height).toBe(0);
    expect(s.chain.orphanCount).toBe(1);
    expect(s.chain.missingParents()).toEqual([b1!.hash]);
    expect(await s.chain.processBlock(b1!.block)).toMatchObject({ status: 'connected' });
    expect(s.chain.tip.hash).toBe(b2!.hash);
  });
});

describe('Chain: fork choice', () => {
  it('behavior: an equal-work fork keeps the first seen; more work reorgs (events list both sides); then back again (C.18)', async () => {
    const s = await setup();
    const a = s.b.extend(s.b.genesis, 3);
    await connectAll(s, a);
    const log = record(s.chain);
    const x = s.b.extend(a[0]!, 2, { extraNonce: 1n });
    const coinsA = new Map(s.store.coins);

    expect(await s.chain.processBlock(x[0]!.block)).toEqual({ status: 'side-chain', hash: x[0]!.hash, height: 2 });
    expect(await s.chain.processBlock(x[1]!.block)).toEqual({ status: 'side-chain', hash: x[1]!.hash, height: 3 });
    expect(s.chain.tip.hash).toBe(a[2]!.hash);
    expect(s.chain.entry(x[1]!.hash)!.chainWork).toBe(s.chain.entry(a[2]!.hash)!.chainWork);
    expect(log.tips).toHaveLength(0);
    expect(s.store.coins).toEqual(coinsA);

    const [x4] = s.b.extend(x[1]!, 1, { extraNonce: 1n });
    expect(await s.chain.processBlock(x4!.block)).toEqual({ status: 'connected', hash: x4!.hash, height: 4 });
    expect(s.chain.tip.hash).toBe(x4!.hash);
    expect(log.tips).toHaveLength(1);
    const reorg = log.tips[0]!;
    expect(reorg.tip).toMatchObject({ hash: x4!.hash, height: 4 });
    expect(reorg.disconnected.map((e) => [e.hash, e.height])).toEqual([
      [a[2]!.hash, 3],
      [a[1]!.hash, 2],
    ]);
    expect(reorg.connected.map((e) => [e.hash, e.height])).toEqual([
      [x[0]!.hash, 2],
      [x[1]!.hash, 3],
      [x4!.hash, 4],
    ]);
    expect(log.disconnected).toEqual([a[2]!.hash, a[1]!.hash]);
    expect(log.connected).toEqual([...hashes(x), x4!.hash]);
    expect(s.chain.isActive(a[1]!.hash)).toBe(false);
    expect(s.chain.isActive(x[0]!.hash)).toBe(true);
    expect(s.chain.entryAt(2)?.hash).toBe(x[0]!.hash);
    const aCoinbase = outpointKey(txidBytes(a[2]!.block.txs[0]!), 0);
    const xCoinbase = outpointKey(txidBytes(x4!.block.txs[0]!), 0);
    expect(s.store.coins.has(aCoinbase)).toBe(false);
    expect(s.store.coins.has(xCoinbase)).toBe(true);
    expect(s.store.coins.size).toBe(4);

    // Back again: a ties (a4), then a5 wins.
    const [a4, a5] = s.b.extend(a[2]!, 2);
    expect(await s.chain.processBlock(a4!.block)).toMatchObject({ status: 'side-chain' });
    expect(s.chain.tip.hash).toBe(x4!.hash);
    expect(await s.chain.processBlock(a5!.block)).toMatchObject({ status: 'connected', height: 5 });
    expect(log.tips).toHaveLength(2);
    expect(log.tips[1]!.disconnected.map((e) => e.hash)).toEqual([x4!.hash, x[1]!.hash, x[0]!.hash]);
    expect(log.tips[1]!.connected.map((e) => e.hash)).toEqual([a[1]!.hash, a[2]!.hash, a4!.hash, a5!.hash]);
    expect(s.store.coins.has(aCoinbase)).toBe(true);
    expect(s.store.coins.has(xCoinbase)).toBe(false);
    expect(s.store.coins.size).toBe(5);
  });

  it('behavior: a tx confirmed on both sides of a reorg keeps its outputs, at the new height', async () => {
    const s = await setup();
    const base = s.b.extend(s.b.genesis, 6);
    await connectAll(s, base);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const [a7] = s.b.extend(base[5]!, 1, { txs: [t] });
    await connectAll(s, [a7!]);
    const tKey = outpointKey(txidBytes(t), 0);
    expect(s.store.coins.get(tKey)?.height).toBe(7);
    // The other branch confirms t one block later, then spends its output.
    const x = s.b.extend(base[5]!, 1, { extraNonce: 1n });
    const x8 = s.b.next(x[0]!, { txs: [t] });
    const spendT = s.b.spend([s.b.output(t, 0)], [subsidy - 2n * fee]);
    const x9 = s.b.next(x8, { txs: [spendT] });
    const outcomes = await s.chain.processBlocks([x[0]!.block, x8.block]);
    expect(outcomes.map((o) => o.status)).toEqual(['connected', 'connected']);
    expect(s.store.coins.get(tKey)?.height).toBe(8);
    expect(s.store.coins.has(outpointKey(txidBytes(base[0]!.block.txs[0]!), 0))).toBe(false);
    expect(await s.chain.processBlock(x9.block)).toMatchObject({ status: 'connected', height: 9 });
    expect(s.store.coins.has(tKey)).toBe(false);
    expect(s.store.coins.get(outpointKey(txidBytes(spendT), 0))?.height).toBe(9);
  });

  it('behavior: cumulative work decides, not length: a longer branch of easy blocks loses to a shorter one of hard blocks (C.19)', async () => {
    const b = new ChainBuilder(retargetingRegtestParams);
    // A common prefix well ahead of schedule: its blocks carry harder bits than the limit.
    const prefix = fastExtend(b, b.genesis, 300);
    const fork = prefix[prefix.length - 1]!;
    // Branch long: ten blocks 1000 s apart, so ASERT eases the target (4x per block, down to the limit).
    const long: BuiltBlock[] = [];
    for (let tip = fork, i = 0; i < 10; i++) long.push((tip = b.next(tip, { time: tip.block.header.time + 1000, extraNonce: 1n })));
    // Branch short: five blocks as close together as allowed, keeping the hard bits.
    const short = fastExtend(b, fork, 5, 2n);
    expect(long[9]!.block.header.bits).toBe(retargetingRegtestParams.powLimitBits);
    expect(short[4]!.block.header.bits).not.toBe(retargetingRegtestParams.powLimitBits);

    for (const order of ['long first', 'short first'] as const) {
      const store = new MemoryChainStore();
      const clock = new ManualClock(retargetingRegtestParams.genesis.header.time + 100_000);
      const chain = await Chain.open({ params: retargetingRegtestParams, store, clock });
      const outcomes = await chain.processBlocks(prefix.map((x) => x.block));
      expect(outcomes.every((o) => o.status === 'connected')).toBe(true);
      const first = order === 'long first' ? long : short;
      const second = order === 'long first' ? short : long;
      await chain.processBlocks(first.map((x) => x.block));
      expect(chain.tip.hash, order).toBe(first[first.length - 1]!.hash);
      await chain.processBlocks(second.map((x) => x.block));
      const longWork = chain.entry(long[9]!.hash)!.chainWork;
      const shortWork = chain.entry(short[4]!.hash)!.chainWork;
      expect(long[9]!.height).toBeGreaterThan(short[4]!.height);
      expect(shortWork).toBeGreaterThan(longWork);
      expect(chain.tip.hash, order).toBe(short[4]!.hash);
      expect(chain.tip.chainWork).toBe(shortWork);
      expect(chain.isActive(long[0]!.hash)).toBe(false);
    }
  });

  it('behavior: a deep reorg (200 blocks each side) is one atomic store write; a failed write changes nothing and a retry succeeds (C.20)', async () => {
    const s = await setup();
    const a = s.b.extend(s.b.genesis, 200);
    await connectAll(s, a);
    expect(s.chain.height).toBe(200);
    // The other branch spends some coinbases of its own, so the reorg moves real coins.
    const x: BuiltBlock[] = [];
    let tip: BuiltBlock = s.b.genesis;
    for (let h = 1; h <= 205; h++) {
      const spent = h > 10 && h % 10 === 0 ? s.b.coinbaseOf(x[h - 9]!) : undefined;
      const txs = spent ? [s.b.spend([spent], [spent.output.amount - fee])] : [];
      tip = s.b.next(tip, { extraNonce: 7n, txs, time: tip.block.header.time + 2 });
      x.push(tip);
    }
    // 200 blocks of the second branch only tie: side chain, one write per batch.
    for (let i = 0; i < 200; i += 50) {
      const writes = s.store.writes;
      const outcomes = await s.chain.processBlocks(x.slice(i, i + 50).map((y) => y.block));
      expect(outcomes.every((o) => o.status === 'side-chain')).toBe(true);
      expect(s.store.writes).toBe(writes + 1);
    }
    expect(s.chain.tip.hash).toBe(a[199]!.hash);

    const last = x.slice(200).map((y) => y.block);
    const before = state(s);
    const log = record(s.chain);
    s.store.failNextWrite = new Error('disk');
    await expect(s.chain.processBlocks(last)).rejects.toThrow('disk');
    expect(state(s)).toEqual(before);
    expect(s.chain.tip.hash).toBe(a[199]!.hash);
    for (const y of x.slice(200)) expect(s.chain.entry(y.hash)).toBeUndefined();
    for (let h = 1; h <= 200; h++) expect(s.chain.entryAt(h)?.hash).toBe(a[h - 1]!.hash);
    expect(log.tips).toHaveLength(0);

    const writes = s.store.writes;
    const outcomes = await s.chain.processBlocks(last);
    expect(outcomes.map((o) => o.status)).toEqual(['connected', 'connected', 'connected', 'connected', 'connected']);
    expect(s.store.writes).toBe(writes + 1);
    expect(s.chain.tip).toMatchObject({ hash: x[204]!.hash, height: 205 });
    expect(s.store.tip).toBe(x[204]!.hash);
    expect(log.tips).toHaveLength(1);
    expect(log.tips[0]!.disconnected).toHaveLength(200);
    expect(log.tips[0]!.connected).toHaveLength(205);
    for (let h = 1; h <= 205; h++) expect(s.chain.entryAt(h)?.hash).toBe(x[h - 1]!.hash);
    // The coin set is the second branch's: its coinbases minus the 19 it spent, plus those spends' outputs.
    expect(s.store.coins.size).toBe(205);
    for (const y of a) expect(s.store.coins.has(outpointKey(txidBytes(y.block.txs[0]!), 0))).toBe(false);

    // And a reopened chain agrees.
    const reopened = await Chain.open({ params: regtestParams, store: s.store, clock: s.clock });
    expect(reopened.tip).toEqual(s.chain.tip);
  });
});

describe('Chain: headers', () => {
  it('behavior: a header is added to the tree without becoming the tip; its body connects later', async () => {
    const s = await setup();
    const [b1, b2] = s.b.extend(s.b.genesis, 2);
    expect(await s.chain.processHeader(b1!.block.header)).toEqual({ status: 'accepted', hash: b1!.hash, height: 1 });
    expect(await s.chain.processHeader(b2!.block.header)).toEqual({ status: 'accepted', hash: b2!.hash, height: 2 });
    expect(await s.chain.processHeader(b2!.block.header)).toEqual({ status: 'known', hash: b2!.hash });
    expect(s.chain.height).toBe(0);
    expect(s.store.index.get(b2!.hash)?.hasData).toBe(false);
    // Bodies out of order: the second waits for the first.
    expect(await s.chain.processBlock(b2!.block)).toMatchObject({ status: 'side-chain' });
    expect(await s.chain.processBlock(b1!.block)).toMatchObject({ status: 'connected' });
    expect(s.chain.tip.hash).toBe(b2!.hash);
  });

  it('error: a header with bad bits is rejected and not stored; one with an unknown parent is an orphan', async () => {
    const s = await setup();
    const [b1] = s.b.extend(s.b.genesis, 1);
    const bad = s.b.next(b1!, { bits: 0x2000ffff });
    expect(await s.chain.processHeader(s.b.next(s.b.genesis, { bits: 0x2000ffff }).block.header)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'bad-diffbits' },
    });
    expect(await s.chain.processHeader(bad.block.header)).toEqual({ status: 'orphan', hash: bad.hash, missingParent: b1!.hash });
    expect(s.store.index.size).toBe(1);
  });
});
