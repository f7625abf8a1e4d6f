import { describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { regtestParams } from '../consensus/networks.ts';
import { ChainBuilder, ManualClock } from '../testing/chain-builder.ts';
import { BlockDownload } from './block-download.ts';

/** A chain with 5 blocks, and the headers (no bodies) of two branches above block 5. */
async function setup() {
  const b = new ChainBuilder();
  const chain = await Chain.open({ params: regtestParams, store: new MemoryChainStore(), clock: new ManualClock(regtestParams.genesis.header.time + 100_000) });
  const common = b.extend(b.genesis, 5);
  await chain.processBlocks(common.map((x) => x.block));
  const long = b.extend(common[4]!, 12, { extraNonce: 1n });
  const short = b.extend(common[4]!, 4, { extraNonce: 2n });
  await chain.processHeaders(long.map((x) => x.block.header));
  await chain.processHeaders(short.map((x) => x.block.header));
  return { chain, common, long, short };
}

describe('BlockDownload', () => {
  it('behavior: a peer is asked only for missing bodies on the path to the block it announced', async () => {
    const { chain, long, short } = await setup();
    const d = new BlockDownload({ blockTimeout: 1000, maxInFlightPerPeer: 8 });
    d.addPeer('a', 0);
    d.addPeer('b', 0);
    d.addPeer('quiet', 0);
    d.announced('a', long[11]!.hash, chain);
    d.announced('b', short[3]!.hash, chain);
    const asked = d.assign(['a', 'b', 'quiet'], chain, new Set(), 0);
    expect(asked.get('a')).toEqual(long.slice(0, 8).map((x) => x.hash));
    expect(asked.get('b')).toEqual(short.map((x) => x.hash));
    expect(asked.has('quiet')).toBe(false);
    // In flight from a: no one else is asked for them, and a is full.
    expect(d.assign(['a', 'b', 'quiet'], chain, new Set(), 1).size).toBe(0);
  });

  it('behavior: the head of a queue times out after a deadline that grows with the measured link speed; the request moves on', async () => {
    const { chain, long } = await setup();
    const d = new BlockDownload({ blockTimeout: 1000, maxInFlightPerPeer: 4 });
    d.addPeer('slow', 0);
    d.addPeer('other', 0);
    d.announced('slow', long[11]!.hash, chain);
    d.assign(['slow'], chain, new Set(), 0);
    // 4 kB in 2 s: 2 bytes/ms, so a typical block needs about 2 s more than the base timeout.
    expect(d.received('slow', long[0]!.hash, 4000, 2000)).toBe(true);
    expect(d.expire(2000 + 1500)).toEqual([]);
    const failed = d.expire(2000 + 5000);
    expect(failed).toEqual([{ peer: 'slow', hash: long[1]!.hash }]);
    expect(d.inFlightFrom('slow')).toBe(0);
    // The failed block goes to a peer that has it, never back to the one that failed it.
    d.announced('other', long[11]!.hash, chain);
    const again = d.assign(['slow', 'other'], chain, new Set(), 7000);
    expect(again.get('slow')).not.toContain(long[1]!.hash);
    expect(again.get('other')).toContain(long[1]!.hash);
  });

  it('behavior: a notfound answers the request; a block nobody serves is set aside as a sync target, and retried later', async () => {
    const { chain, long, short } = await setup();
    const d = new BlockDownload({ blockTimeout: 1000, maxInFlightPerPeer: 4, retryAfterMs: 60_000 });
    d.addPeer('x', 0);
    d.announced('x', long[11]!.hash, chain);
    expect(d.syncTarget(chain, 0).hash).toBe(long[11]!.hash);
    d.assign(['x'], chain, new Set(), 0);
    expect(d.notFound('x', long[2]!.hash, 10)).toBe(true);
    // Not in flight (any more): not an answer.
    expect(d.notFound('x', long[2]!.hash, 11)).toBe(false);
    for (const i of [0, 1, 3]) d.received('x', long[i]!.hash, 300, 12);
    // x is not asked again for what it did not have.
    const next = d.assign(['x'], chain, new Set(), 13).get('x')!;
    expect(next).not.toContain(long[2]!.hash);
    // Blocks 1 and 2 of the long branch are still good targets; above the failed one, the short branch wins.
    expect(d.syncTarget(chain, 20).hash).toBe(short[3]!.hash);
    // After the retry delay the failure is forgotten.
    expect(d.syncTarget(chain, 60_010).hash).toBe(long[11]!.hash);
    for (const hash of next) d.received('x', hash, 300, 14);
    expect(d.assign(['x'], chain, new Set(), 60_010).get('x')).toContain(long[2]!.hash);
  });

  it('behavior: a block that fails again after each retry waits twice as long each round, up to the cap; one that arrives starts over', async () => {
    const { chain, long, short } = await setup();
    const d = new BlockDownload({ blockTimeout: 1000, maxInFlightPerPeer: 1, retryAfterMs: 60_000, maxRetryAfterMs: 200_000 });
    d.addPeer('x', 0);
    d.announced('x', long[11]!.hash, chain);
    const head = long[0]!.hash;
    let now = 0;
    // Each round x is asked for the head again and says notfound: the branch is set aside (the
    // short branch is the target) for 60 s, then 120 s, then 200 s (the cap, not 240 s).
    for (const wait of [60_000, 120_000, 200_000]) {
      expect(d.assign(['x'], chain, new Set(), now).get('x')).toEqual([head]);
      expect(d.notFound('x', head, now)).toBe(true);
      expect(d.syncTarget(chain, now + wait - 1).hash).toBe(short[3]!.hash);
      now += wait;
      expect(d.syncTarget(chain, now).hash).toBe(long[11]!.hash);
    }
    // Once it arrives, a later failure of it waits the first delay again.
    expect(d.assign(['x'], chain, new Set(), now).get('x')).toEqual([head]);
    expect(d.received('x', head, 300, now + 1)).toBe(true);
    expect(d.retryDelay(head)).toBe(60_000);
  });
});
