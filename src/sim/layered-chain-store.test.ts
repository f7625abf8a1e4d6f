import { describe, expect, it } from 'vitest';
import { MemoryChainStore, Node, type Block } from '../core/index.ts';
import { ChainBuilder, ManualClock } from '../core/testing/chain-builder.ts';
import { LayeredChainStore } from './layered-chain-store.ts';

describe('LayeredChainStore', () => {
  it('behavior: two nodes on one base each spend its coins in their own layer; the base and the other node are untouched', async () => {
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 6);
    const clock = new ManualClock(blocks.at(-1)!.block.header.time + 60);
    const base = new MemoryChainStore();
    const setUp = await Node.open({ params: b.params, chainStore: base, clock });
    for (const built of blocks) expect((await setUp.submitBlock(built.block)).status).toBe('connected');
    const baseCoins = base.coins.size;

    const one = await Node.open({ params: b.params, chainStore: new LayeredChainStore(base), clock });
    const two = await Node.open({ params: b.params, chainStore: new LayeredChainStore(base), clock });
    expect(one.tip.hash).toBe(blocks.at(-1)!.hash);
    expect(two.tip.hash).toBe(blocks.at(-1)!.hash);

    // Block 7 spends block 1's coinbase (mature): it connects on `one` only.
    const coin = b.coinbaseOf(blocks[0]!);
    const spend = b.spend([coin], [coin.output.amount - 1000n]);
    const next: Block = b.next(blocks.at(-1)!, { txs: [spend] }).block;
    // `two` has not seen it: its layer is empty.
    expect((await one.submitBlock(next)).status).toBe('connected');
    expect(base.coins.size).toBe(baseCoins);
    expect(two.tip.height).toBe(6);
    // The spent base coin is gone for `one`, still there for `two` (which can connect the same block).
    expect((await two.submitBlock(next)).status).toBe('connected');
    expect(base.coins.size).toBe(baseCoins);
    // A child spending the same coin again is refused by `one`: the coin is spent in its layer.
    const outcome = await one.submitBlock(b.next(b.wrap(next, blocks.at(-1)!), { txs: [spend] }).block);
    expect(outcome.status).not.toBe('connected');
  });

  it('behavior: a layer hides the base coins it spent, counts its own, and gets them back when the spend is undone', async () => {
    const base = new MemoryChainStore();
    const coinA = { amount: 5n, publicKey: new Uint8Array(32), height: 1, coinbase: false };
    base.coins.set('a:0' as never, coinA as never);
    base.coins.set('b:0' as never, coinA as never);
    base.txIndex.set('a', 'block1');
    const layer = new LayeredChainStore(base);
    const empty = { index: [], bodies: [], undo: [], coinsAdded: [], coinsSpent: [], txsDisconnected: [], txsConnected: [], addressesConnected: [], addressesDisconnected: [] };
    await layer.write({ ...empty, coinsSpent: ['a:0' as never], coinsAdded: [['c:0' as never, coinA as never]], txsDisconnected: ['a'] });
    expect([...(await layer.getCoins(['a:0', 'b:0', 'c:0'] as never[])).keys()]).toEqual(['b:0', 'c:0']);
    expect(await layer.coinCount()).toBe(2);
    expect(await layer.getTxBlock('a')).toBeUndefined();
    expect(base.coins.has('a:0' as never)).toBe(true);
    expect(await new LayeredChainStore(base).getTxBlock('a')).toBe('block1');
    // Undone: the base coin is the base's again.
    await layer.write({ ...empty, coinsAdded: [['a:0' as never, coinA as never]], coinsSpent: ['c:0' as never], txsConnected: [['a', 'block1']] });
    expect([...(await layer.getCoins(['a:0', 'b:0', 'c:0'] as never[])).keys()]).toEqual(['a:0', 'b:0']);
    expect(await layer.coinCount()).toBe(2);
    expect(await layer.getTxBlock('a')).toBe('block1');
  });

  it('behavior: nodes writing the same body under a hash share one copy; different bytes under that hash stay their own', async () => {
    const base = new MemoryChainStore();
    const [one, two, three] = [new LayeredChainStore(base), new LayeredChainStore(base), new LayeredChainStore(base)];
    const empty = { index: [], undo: [], coinsAdded: [], coinsSpent: [], txsDisconnected: [], txsConnected: [], addressesConnected: [], addressesDisconnected: [] };
    const body = Uint8Array.of(1, 2, 3);
    await one.write({ ...empty, bodies: [{ hash: 'h', bytes: body }] });
    await two.write({ ...empty, bodies: [{ hash: 'h', bytes: Uint8Array.of(1, 2, 3) }] });
    await three.write({ ...empty, bodies: [{ hash: 'h', bytes: Uint8Array.of(9, 9) }] });
    expect(await two.getBlock('h')).toBe(body);
    expect(await three.getBlock('h')).toEqual(Uint8Array.of(9, 9));
    expect(await new LayeredChainStore(new MemoryChainStore()).getBlock('h')).toBeUndefined();
  });
});
