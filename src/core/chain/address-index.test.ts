import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { bytesToHex } from '../encoding/hex.ts';
import { txid } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock, testKey } from '../testing/chain-builder.ts';
import { addressEntries, pageOf } from './address-index.ts';
import { Chain } from './chain.ts';
import { MemoryChainStore } from './memory-chain-store.ts';

const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
const maturity = regtestParams.coinbaseMaturity;
const other = testKey(2).publicKey;

describe('addressEntries', () => {
  it('behavior: a tx is listed under every key it pays or spends from, with both amounts; an in-block spend resolves from the block', () => {
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, maturity + 1);
    const coin = b.coinbaseOf(blocks[0]!);
    const pay = b.spend([coin], [1_000n, coin.output.amount - 2_000n]);
    // Spends pay's first output inside the same block (not in the undo data): still a spend of key 1.
    const again = b.spend([b.output(pay, 0)], [400n], { to: other });
    const block = b.next(blocks.at(-1)!, { txs: [pay, again] });
    const spent = [{ key: `${txid(blocks[0]!.block.txs[0]!)}:0`, ...coin.output, height: 1, coinbase: true }];
    const me = bytesToHex(b.key.publicKey);
    expect(addressEntries(block.block, 9, spent)).toEqual([
      { publicKey: me, height: 9, position: 0, txid: txid(block.block.txs[0]!), received: block.block.txs[0]!.outputs[0]!.amount, sent: 0n },
      { publicKey: me, height: 9, position: 1, txid: txid(pay), received: coin.output.amount - 1_000n, sent: coin.output.amount },
      { publicKey: me, height: 9, position: 2, txid: txid(again), received: 0n, sent: 1_000n },
      { publicKey: bytesToHex(other), height: 9, position: 2, txid: txid(again), received: 400n, sent: 0n },
    ]);
  });

  it('behavior: a page is newest first, strictly before its cursor, at most its limit', () => {
    const at = (height: number, position: number) => ({ height, position, txid: `${height}.${position}`, received: 1n, sent: 0n });
    const list = [at(1, 0), at(3, 0), at(3, 2), at(7, 1)];
    expect(pageOf(list).map((e) => e.txid)).toEqual(['7.1', '3.2', '3.0', '1.0']);
    expect(pageOf(list, { limit: 2 }).map((e) => e.txid)).toEqual(['7.1', '3.2']);
    expect(pageOf(list, { before: { height: 3, position: 2 }, limit: 5 }).map((e) => e.txid)).toEqual(['3.0', '1.0']);
    expect(pageOf(list, { before: { height: 3, position: 1 } }).map((e) => e.txid)).toEqual(['3.0', '1.0']);
    expect(pageOf(list, { before: { height: 1, position: 0 } })).toEqual([]);
  });
});

describe('the address index in the chain write', () => {
  it('behavior: connected blocks add their entries (genesis too), a reorg moves them in the same write', async () => {
    const store = new MemoryChainStore();
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const genesisKey = regtestParams.genesis.txs[0]!.outputs[0]!.publicKey;
    expect(await chain.addressTxs(genesisKey)).toEqual([expect.objectContaining({ height: 0, position: 0, txid: txid(regtestParams.genesis.txs[0]!) })]);

    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, maturity + 1);
    const pay = b.spend([b.coinbaseOf(blocks[0]!)], [5_000n], { to: other });
    const withPay = b.next(blocks.at(-1)!, { txs: [pay] });
    await chain.processBlocks([...blocks, withPay].map((x) => x.block));
    expect(await chain.addressTxs(other)).toEqual([{ height: maturity + 2, position: 1, txid: txid(pay), received: 5_000n, sent: 0n }]);
    const mine = await chain.addressTxs(b.key.publicKey);
    expect(mine.map((e) => [e.height, e.position])).toEqual([[maturity + 2, 1], [maturity + 2, 0], ...blocks.map((x) => [x.height, 0]).reverse()]);

    // A longer branch from below the payment: the payment's entries go, the branch's coinbases come.
    const writes = store.writes;
    const fork = b.extend(blocks.at(-1)!, 2, { extraNonce: 9n, payTo: other });
    await chain.processBlocks(fork.map((x) => x.block));
    expect(store.writes).toBe(writes + 1);
    expect(chain.tip.hash).toBe(fork[1]!.hash);
    expect((await chain.addressTxs(other)).map((e) => [e.height, e.position, e.txid])).toEqual(fork.map((x) => [x.height, 0, txid(x.block.txs[0]!)]).reverse());
    expect((await chain.addressTxs(b.key.publicKey)).map((e) => e.height)).toEqual(blocks.map((x) => x.height).reverse());
  });

  it('behavior: a branch connected then left in the same operation (its block failed, a better one came) leaves no entries', async () => {
    const store = new MemoryChainStore();
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const b = new ChainBuilder();
    // x3 overpays its coinbase (stage 3 refuses it); x1-x2 are kept (more work than genesis), then y1-y3 win.
    const [x1, x2] = b.extend(b.genesis, 2);
    const x3 = b.next(x2!, { coinbaseExtra: 1n });
    const ys = b.extend(b.genesis, 3, { extraNonce: 1n, payTo: other });
    const outcomes = await chain.processBlocks([x1!, x2!, x3, ...ys].map((x) => x.block));
    expect(outcomes.map((o) => o.status)).toEqual(['side-chain', 'side-chain', 'rejected', 'connected', 'connected', 'connected']);
    expect(await chain.addressTxs(b.key.publicKey)).toEqual([]);
    expect((await chain.addressTxs(other)).map((e) => e.height)).toEqual([3, 2, 1]);
  });

  it('error: a failed write leaves the index as it was', async () => {
    const store = new MemoryChainStore();
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const b = new ChainBuilder();
    await chain.processBlocks(b.extend(b.genesis, 2).map((x) => x.block));
    const before = structuredClone([...store.addressIndex]);
    store.failNextWrite = new Error('disk');
    await expect(chain.processBlocks(b.extend(b.genesis, 3, { extraNonce: 1n, payTo: other }).map((x) => x.block))).rejects.toThrow('disk');
    expect([...store.addressIndex]).toEqual(before);
    expect(await chain.addressTxs(other)).toEqual([]);
  });
});
