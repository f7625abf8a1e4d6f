import { describe, expect, it } from 'vitest';
import { hashToHex } from '../encoding/hex.ts';
import { blockHash } from '../primitives/header.ts';
import { ChainBuilder, type BuiltBlock } from '../testing/chain-builder.ts';
import { checkBlockContext, checkHeaderContext, type BlockContext } from './check-block-context.ts';
import { regtestParams } from './networks.ts';
import { openTestChain } from '../testing/test-chain.ts';

const setup = openTestChain;

type Setup = Awaited<ReturnType<typeof setup>>;

function snapshot({ chain, store }: Setup) {
  return { tip: chain.tip.hash, height: chain.height, storeTip: store.tip, coins: new Map(store.coins), index: store.index.size, writes: store.writes };
}

async function grow(s: Setup, parent: BuiltBlock, n: number): Promise<BuiltBlock[]> {
  const blocks = s.b.extend(parent, n);
  for (const o of await s.chain.processBlocks(blocks.map((x) => x.block))) expect(o.status).toBe('connected');
  return blocks;
}

describe('checkHeaderContext / checkBlockContext', () => {
  const b = new ChainBuilder();
  const built = b.next(b.genesis);
  const header = built.block.header;
  const ctx: BlockContext = { height: 1, expectedBits: header.bits, medianTimePast: header.time - 1, now: header.time };

  it('behavior: a header matching its context passes', () => {
    expect(checkHeaderContext(header, ctx, regtestParams)).toBeUndefined();
    expect(checkBlockContext(built.block, ctx, regtestParams)).toBeUndefined();
  });

  it('error: bits other than expected is bad-diffbits (punish, permanent)', () => {
    expect(checkHeaderContext(header, { ...ctx, expectedBits: 0x2000ffff }, regtestParams)).toMatchObject({ code: 'bad-diffbits', punish: true, permanent: true });
  });

  it('behavior: time must be strictly above the median time past', () => {
    expect(checkHeaderContext(header, { ...ctx, medianTimePast: header.time }, regtestParams)).toMatchObject({ code: 'time-too-old', punish: true, permanent: true });
    expect(checkHeaderContext(header, { ...ctx, medianTimePast: header.time - 1 }, regtestParams)).toBeUndefined();
  });

  it('behavior: time may be maxFutureBlockTime ahead of the clock, not a second more', () => {
    const limit = regtestParams.maxFutureBlockTime;
    expect(checkHeaderContext(header, { ...ctx, now: header.time - limit }, regtestParams)).toBeUndefined();
    expect(checkHeaderContext(header, { ...ctx, now: header.time - limit - 1 }, regtestParams)).toMatchObject({
      code: 'time-too-new',
      punish: false,
      permanent: false,
    });
  });

  it('behavior: bits are checked before time', () => {
    const r = checkHeaderContext(header, { ...ctx, expectedBits: 0x2000ffff, medianTimePast: header.time, now: 0 }, regtestParams);
    expect(r?.code).toBe('bad-diffbits');
  });

  it('error: a coinbase committing to another height is bad-cb-height', () => {
    expect(checkBlockContext(built.block, { ...ctx, height: 2 }, regtestParams)).toMatchObject({ code: 'bad-cb-height', punish: true, permanent: true });
  });
});

describe('block context through the chain', () => {
  it('error: bits not what the retarget demands is bad-diffbits (punish), never stored', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 3);
    const block = s.b.next(base[2]!, { bits: 0x2000ffff });
    expect(block.block.header.bits).not.toBe(s.b.bitsAfter(base[2]!));
    const before = snapshot(s);
    const outcome = await s.chain.processBlock(block.block);
    expect(outcome).toMatchObject({ status: 'rejected', hash: block.hash, rejection: { code: 'bad-diffbits', punish: true, permanent: true } });
    expect(snapshot(s)).toEqual(before);
    expect(s.store.index.has(block.hash)).toBe(false);
    expect(s.chain.entry(block.hash)).toBeUndefined();
  });

  it('error: an orphan with bits easier than the network allows is bad-diffbits and not pooled', async () => {
    const s = await setup();
    const [b1] = s.b.extend(s.b.genesis, 1);
    const easy = s.b.next(b1!, { bits: 0x2100ffff });
    const outcome = await s.chain.processBlock(easy.block);
    expect(outcome).toMatchObject({ status: 'rejected', rejection: { code: 'bad-diffbits' } });
    expect(s.chain.orphanCount).toBe(0);
  });

  it('error: time beyond maxFutureBlockTime ahead of the clock is time-too-new (no punish, not permanent); accepted once the clock catches up', async () => {
    const s = await setup();
    const now = s.clock.now();
    const block = s.b.next(s.b.genesis, { time: now + regtestParams.maxFutureBlockTime + 1 });
    const before = snapshot(s);
    const outcome = await s.chain.processBlock(block.block);
    expect(outcome).toMatchObject({ status: 'rejected', hash: block.hash, rejection: { code: 'time-too-new', punish: false, permanent: false } });
    expect(snapshot(s)).toEqual(before);
    expect(s.store.index.has(block.hash)).toBe(false);
    expect(s.chain.entry(block.hash)).toBeUndefined();
    s.clock.time += 1;
    expect(await s.chain.processBlock(block.block)).toEqual({ status: 'connected', hash: block.hash, height: 1 });
    expect(s.chain.tip.hash).toBe(block.hash);
  });

  it('error: time at the median of the last 11 is time-too-old (punish); one second later connects', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 12);
    const parent = base[11]!;
    const mtp = s.b.medianTimePast(parent);
    expect(s.chain.medianTimePast()).toBe(mtp);
    // Median of the 11 times up to the parent (heights 2..12): height 7's.
    expect(mtp).toBe(base[6]!.block.header.time);
    const atMedian = s.b.next(parent, { time: mtp });
    const below = s.b.next(parent, { time: mtp - 1 });
    for (const block of [atMedian, below]) {
      const before = snapshot(s);
      expect(await s.chain.processBlock(block.block)).toMatchObject({ status: 'rejected', rejection: { code: 'time-too-old', punish: true, permanent: true } });
      expect(snapshot(s)).toEqual(before);
      expect(s.store.index.has(block.hash)).toBe(false);
    }
    const above = s.b.next(parent, { time: mtp + 1 });
    expect(above.block.header.time).toBeLessThan(parent.block.header.time);
    expect(await s.chain.processBlock(above.block)).toMatchObject({ status: 'connected', height: 13 });
  });

  it('error: a coinbase committing to the wrong height is bad-cb-height, never stored', async () => {
    const s = await setup();
    const block = s.b.next(s.b.genesis, { coinbaseHeight: 2 });
    const before = snapshot(s);
    expect(await s.chain.processBlock(block.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-height', punish: true, permanent: true } });
    expect(snapshot(s)).toEqual(before);
    expect(s.store.index.has(blockHash(block.block.header))).toBe(false);
  });

  it('behavior: nextBlockContext describes the child of the tip', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 3);
    const ctx = s.chain.nextBlockContext();
    expect(ctx.height).toBe(4);
    expect(ctx.expectedBits).toBe(s.b.bitsAfter(base[2]!));
    expect(ctx.medianTimePast).toBe(s.b.medianTimePast(base[2]!));
    expect(ctx.now).toBe(s.clock.now());
    expect(hashToHex(ctx.prevHash)).toBe(base[2]!.hash);
  });
});
