import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { blockSubsidy } from '../consensus/subsidy.ts';
import { txidBytes } from '../primitives/transaction.ts';
import { outpointKey } from '../coins/coin.ts';
import { openTestChain } from '../testing/test-chain.ts';

const subsidy = blockSubsidy(1, regtestParams);
const fee = 10_000n;

const setup = openTestChain;

describe('Chain.tips', () => {
  it('behavior: a new chain has one tip, genesis, active', async () => {
    const { chain } = await setup();
    expect(chain.tips()).toEqual([{ hash: regtestParams.genesisHash, height: 0, branchLength: 0, status: 'active' }]);
  });

  it('behavior: the active tip, a valid side branch, a headers-only branch and an invalid branch are each listed, highest first', async () => {
    const { b, chain } = await setup();
    const main = b.extend(b.genesis, 4);
    await chain.processBlocks(main.map((x) => x.block));
    // A valid side branch of one block off height 2.
    const side = b.next(main[1]!, { extraNonce: 1n });
    expect((await chain.processBlock(side.block)).status).toBe('side-chain');
    // Headers of two blocks off height 1, bodies never sent.
    const [h2, h3] = b.extend(main[0]!, 2, { extraNonce: 2n });
    expect((await chain.processHeaders([h2!.block.header, h3!.block.header])).map((o) => o.status)).toEqual(['accepted', 'accepted']);
    // A longer branch off height 1 whose third block overpays its coinbase: invalid from there.
    const x2 = b.next(main[0]!, { extraNonce: 3n });
    const x3 = b.next(x2, { extraNonce: 3n });
    const x4 = b.next(x3, { coinbaseExtra: 1n });
    const x5 = b.next(x4);
    const x6 = b.next(x5);
    await chain.processBlocks([x2, x3, x4, x5, x6].map((x) => x.block));
    expect(chain.tip.hash).toBe(main[3]!.hash);

    expect(chain.tips()).toEqual([
      { hash: x6.hash, height: 6, branchLength: 5, status: 'invalid' },
      { hash: main[3]!.hash, height: 4, branchLength: 0, status: 'active' },
      { hash: side.hash, height: 3, branchLength: 1, status: 'valid-fork' },
      { hash: h3!.hash, height: 3, branchLength: 2, status: 'headers-only' },
    ]);
  });

  it('behavior: the active tip stays listed when a header builds on it, and the header is a tip of its own', async () => {
    const { b, chain } = await setup();
    const [b1, b2] = b.extend(b.genesis, 2);
    await chain.processBlock(b1!.block);
    await chain.processHeader(b2!.block.header);
    expect(chain.tips()).toEqual([
      { hash: b2!.hash, height: 2, branchLength: 1, status: 'headers-only' },
      { hash: b1!.hash, height: 1, branchLength: 0, status: 'active' },
    ]);
  });

  it('behavior: after a reorg the old branch is a valid fork', async () => {
    const { b, chain } = await setup();
    const old = b.extend(b.genesis, 2);
    await chain.processBlocks(old.map((x) => x.block));
    const longer = b.extend(b.genesis, 3, { extraNonce: 1n });
    await chain.processBlocks(longer.map((x) => x.block));
    expect(chain.tips()).toEqual([
      { hash: longer[2]!.hash, height: 3, branchLength: 0, status: 'active' },
      { hash: old[1]!.hash, height: 2, branchLength: 2, status: 'valid-fork' },
    ]);
  });
});

describe('Chain.spentCoins', () => {
  it('behavior: a connected block\'s spent coins come from its undo data; a coin created and spent in the block is not among them', async () => {
    const { b, chain } = await setup();
    const base = b.extend(b.genesis, 6);
    await chain.processBlocks(base.map((x) => x.block));
    const t = b.spend([b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const u = b.spend([b.output(t, 0)], [subsidy - 2n * fee]);
    const block = b.next(base[5]!, { txs: [t, u] });
    expect((await chain.processBlock(block.block)).status).toBe('connected');
    expect(await chain.spentCoins(block.hash)).toEqual([
      { key: outpointKey(txidBytes(base[0]!.block.txs[0]!), 0), amount: subsidy, publicKey: b.key.publicKey, height: 1, coinbase: true },
    ]);
    expect(await chain.spentCoins(base[0]!.hash)).toEqual([]);
    expect(await chain.spentCoins(regtestParams.genesisHash)).toBeUndefined();
    expect(await chain.spentCoins('00'.repeat(32))).toBeUndefined();
  });
});
