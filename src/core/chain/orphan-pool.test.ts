import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { encodeBlock, type Block } from '../primitives/block.ts';
import { ChainBuilder, ManualClock } from '../testing/chain-builder.ts';
import { Chain } from './chain.ts';
import { MemoryChainStore } from './memory-chain-store.ts';
import { DEFAULT_ORPHAN_LIMITS, OrphanPool } from './orphan-pool.ts';

const block: Block = regtestParams.genesis;
const limits = { maxBlocks: 3, maxBytes: 1_000, maxAge: 60 };

describe('OrphanPool', () => {
  it('behavior: add, has, size and totalBytes', () => {
    const pool = new OrphanPool(limits);
    pool.add(block, 'a', 'p', 100, 0);
    pool.add(block, 'b', 'p', 200, 0);
    expect(pool.has('a')).toBe(true);
    expect(pool.has('p')).toBe(false);
    expect(pool.size).toBe(2);
    expect(pool.totalBytes).toBe(300);
  });

  it('behavior: adding a hash twice keeps one entry', () => {
    const pool = new OrphanPool(limits);
    pool.add(block, 'a', 'p', 100, 0);
    pool.add(block, 'a', 'p', 100, 5);
    expect(pool.size).toBe(1);
    expect(pool.totalBytes).toBe(100);
  });

  it('behavior: past maxBlocks the oldest goes first', () => {
    const pool = new OrphanPool(limits);
    for (const h of ['a', 'b', 'c', 'd']) pool.add(block, h, `parent-${h}`, 10, 0);
    expect(pool.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((h) => pool.has(h))).toEqual([false, true, true, true]);
    expect(pool.totalBytes).toBe(30);
  });

  it('behavior: past maxBytes the oldest go until the new one fits', () => {
    const pool = new OrphanPool(limits);
    pool.add(block, 'a', 'p', 400, 0);
    pool.add(block, 'b', 'p', 400, 0);
    pool.add(block, 'c', 'p', 500, 0);
    expect(['a', 'b', 'c'].map((h) => pool.has(h))).toEqual([false, true, true]);
    expect(pool.totalBytes).toBe(900);
    pool.add(block, 'd', 'p', 1_000, 0);
    expect(['b', 'c', 'd'].map((h) => pool.has(h))).toEqual([false, false, true]);
    expect(pool.totalBytes).toBe(1_000);
  });

  it('behavior: a block larger than maxBytes is never pooled and evicts nothing', () => {
    const pool = new OrphanPool(limits);
    pool.add(block, 'a', 'p', 10, 0);
    pool.add(block, 'huge', 'p', 1_001, 0);
    expect(pool.has('huge')).toBe(false);
    expect(pool.has('a')).toBe(true);
  });

  it('behavior: entries older than maxAge expire (at maxAge they stay)', () => {
    const pool = new OrphanPool(limits);
    pool.add(block, 'a', 'p', 10, 0);
    pool.add(block, 'b', 'p', 10, 30);
    pool.expire(60);
    expect([pool.has('a'), pool.has('b')]).toEqual([true, true]);
    pool.expire(61);
    expect([pool.has('a'), pool.has('b')]).toEqual([false, true]);
    expect(pool.totalBytes).toBe(10);
    // Adding expires too, before counting against the limits.
    pool.add(block, 'c', 'p', 10, 91);
    expect([pool.has('b'), pool.has('c')]).toEqual([false, true]);
  });

  it('behavior: expired entries make room before live ones are evicted', () => {
    const pool = new OrphanPool(limits);
    pool.add(block, 'old', 'p', 10, 0);
    pool.add(block, 'b', 'p', 10, 50);
    pool.add(block, 'c', 'p', 10, 50);
    pool.add(block, 'd', 'p', 10, 100);
    expect(['old', 'b', 'c', 'd'].map((h) => pool.has(h))).toEqual([false, true, true, true]);
  });

  it('behavior: takeChildren removes and returns exactly the orphans of a parent', () => {
    const pool = new OrphanPool({ ...limits, maxBlocks: 10 });
    const other: Block = { ...block, txs: [] };
    pool.add(block, 'a', 'p', 10, 0);
    pool.add(other, 'b', 'q', 20, 0);
    pool.add(block, 'c', 'p', 30, 0);
    expect(pool.takeChildren('p')).toEqual([
      { block, hash: 'a' },
      { block, hash: 'c' },
    ]);
    expect(pool.size).toBe(1);
    expect(pool.totalBytes).toBe(20);
    expect(pool.takeChildren('p')).toEqual([]);
    expect(pool.takeChildren('q')).toEqual([{ block: other, hash: 'b' }]);
    expect(pool.totalBytes).toBe(0);
  });

  it('behavior: an orphan added with its wire bytes gives them back with it', () => {
    const pool = new OrphanPool(limits);
    const wire = encodeBlock(block);
    pool.add(block, 'a', 'p', wire.length, 0, wire);
    pool.add(block, 'b', 'p', 10, 0);
    const [a, b] = pool.takeChildren('p');
    expect(a!.bytes).toBe(wire);
    expect(b).toEqual({ block, hash: 'b' });
  });

  it('behavior: an orphan that keeps its wire bytes counts them beside the decoded block (the byte limit bounds what is held)', () => {
    const pool = new OrphanPool(limits);
    const wire = new Uint8Array(300);
    pool.add(block, 'a', 'p', 300, 0, wire);
    expect(pool.totalBytes).toBe(600);
    // 600 + 600 > 1,000: the second evicts the first.
    pool.add(block, 'b', 'p', 300, 0, wire);
    expect([pool.has('a'), pool.has('b'), pool.totalBytes]).toEqual([false, true, 600]);
    // 2 × 600 does not fit at all: never pooled.
    pool.add(block, 'c', 'p', 600, 0, new Uint8Array(600));
    expect([pool.has('c'), pool.totalBytes]).toEqual([false, 600]);
  });

  it('behavior: missingParents lists the roots of the orphan chains, once each', () => {
    const pool = new OrphanPool({ ...limits, maxBlocks: 10 });
    // x <- a <- b, and y <- c, y <- d: ask for x and y only.
    pool.add(block, 'a', 'x', 10, 0);
    pool.add(block, 'b', 'a', 10, 0);
    pool.add(block, 'c', 'y', 10, 0);
    pool.add(block, 'd', 'y', 10, 0);
    expect(pool.missingParents().sort()).toEqual(['x', 'y']);
    pool.takeChildren('x');
    expect(pool.missingParents().sort()).toEqual(['a', 'y']);
  });

  it('behavior: the default limits are bounded', () => {
    expect(DEFAULT_ORPHAN_LIMITS.maxBlocks).toBeGreaterThan(0);
    expect(DEFAULT_ORPHAN_LIMITS.maxBytes).toBeGreaterThan(0);
    expect(DEFAULT_ORPHAN_LIMITS.maxAge).toBeGreaterThan(0);
  });
});

describe('orphans in the chain', () => {
  it('behavior: the chain\'s pool stays within its limits', async () => {
    const b = new ChainBuilder();
    const store = new MemoryChainStore();
    const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
    const chain = await Chain.open({ params: regtestParams, store, clock, orphanLimits: { maxBlocks: 4, maxBytes: 1_000_000, maxAge: 600 } });
    // Ten orphans, each a child of a block the chain does not have.
    const roots = b.extend(b.genesis, 10, {});
    const orphans = roots.map((r, i) => b.next(r, { extraNonce: BigInt(i + 1) }));
    for (const o of orphans) expect((await chain.processBlock(o.block)).status).toBe('orphan');
    expect(chain.orphanCount).toBe(4);
    expect(chain.missingParents().sort()).toEqual(roots.slice(6).map((r) => r.hash).sort());
    clock.time += 601;
    const late = b.next(orphans[9]!);
    expect(await chain.processBlock(late.block)).toMatchObject({ status: 'orphan', missingParent: orphans[9]!.hash });
    expect(chain.orphanCount).toBe(1);
    expect(store.index.size).toBe(1);
  });

  it('behavior: an orphan that came with its wire bytes is stored as those bytes when released (never encoded again), after a failed write too; one without them is encoded', async () => {
    const b = new ChainBuilder();
    const store = new MemoryChainStore();
    const chain = await Chain.open({ params: regtestParams, store, clock: new ManualClock(regtestParams.genesis.header.time + 100_000) });
    const [b1, b2, b3] = b.extend(b.genesis, 3);
    const wire = encodeBlock(b2!.block);
    expect((await chain.processBlocks([b2!.block], [wire]))[0]!.status).toBe('orphan');
    store.failNextWrite = new Error('disk');
    await expect(chain.processBlock(b1!.block)).rejects.toThrow('disk');
    expect(chain.orphanCount).toBe(1);
    expect(await chain.processBlock(b1!.block)).toMatchObject({ status: 'connected' });
    expect(chain.tip.hash).toBe(b2!.hash);
    expect(store.bodies.get(b2!.hash)).toBe(wire);

    const b4 = b.next(b3!);
    expect((await chain.processBlock(b4.block)).status).toBe('orphan');
    expect(await chain.processBlock(b3!.block)).toMatchObject({ status: 'connected' });
    expect(chain.tip.hash).toBe(b4.hash);
    expect(store.bodies.get(b4.hash)).toEqual(encodeBlock(b4.block));
  });
});
