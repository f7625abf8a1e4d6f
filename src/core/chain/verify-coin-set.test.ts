import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { decodeBlock } from '../primitives/block.ts';
import { generateBlockSequence } from '../testing/block-sequence.ts';
import { ManualClock } from '../testing/chain-builder.ts';
import { Chain } from './chain.ts';
import { MemoryChainStore } from './memory-chain-store.ts';

async function replayed() {
  const sequence = generateBlockSequence();
  const store = new MemoryChainStore();
  const chain = await Chain.open({ params: regtestParams, store, clock: new ManualClock(sequence.earliestClock + 3600) });
  await chain.processBlocks(sequence.steps.map((s) => decodeBlock(s.block)));
  return { chain, store, sequence };
}

describe('verifyCoins', () => {
  it('behavior: a chain after forks, reorgs and rejected blocks verifies', async () => {
    const { chain, sequence } = await replayed();
    const check = await chain.verifyCoins();
    expect(check).toMatchObject({ ok: true, height: sequence.finalHeight, tip: sequence.finalTip, problems: [] });
    expect(check.coins).toBeGreaterThan(sequence.finalHeight);
  });

  it('error: a missing, an extra or an altered coin, a missing body and a wrong stored tip are reported', async () => {
    const { chain, store } = await replayed();
    const [key, coin] = [...store.coins][0]!;
    store.coins.delete(key);
    expect((await chain.verifyCoins()).problems).toContain(`coin ${key} is missing from the store`);
    store.coins.set(key, { ...coin, amount: coin.amount + 1n });
    expect((await chain.verifyCoins()).problems).toContain(`coin ${key} differs`);
    store.coins.set(key, coin);
    store.coins.set('f'.repeat(64) + ':0', coin);
    expect((await chain.verifyCoins()).ok).toBe(false);
    store.coins.delete('f'.repeat(64) + ':0');
    expect((await chain.verifyCoins()).ok).toBe(true);
    const tip = store.tip;
    store.tip = chain.entryAt(1)!.hash;
    expect((await chain.verifyCoins()).problems[0]).toMatch(/stored tip/);
    store.tip = tip;
    store.bodies.delete(chain.entryAt(3)!.hash);
    expect((await chain.verifyCoins()).problems[0]).toBe('block 3 of the active chain has no stored body');
  });
});
