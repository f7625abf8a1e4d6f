import { describe, expect, it, vi } from 'vitest';
import { MemoryChainStore, MemoryPendingTxStore, Node, blockSize, encodeAddress, regtestParams, txid } from '../core/index.ts';
import { blockSubsidy } from '../core/consensus/subsidy.ts';
import { ChainBuilder, ManualClock, testKey, type BuiltBlock } from '../core/testing/chain-builder.ts';
import { MAX_HEADERS } from './chain-queries.ts';
import { createTabchainApi } from './tabchain-api.ts';
import { TabchainError } from './tabchain-error.ts';
import type { NodeServices } from './assemble-node.ts';
import { rejection } from '../core/testing/rejection.ts';

const subsidy = blockSubsidy(1, regtestParams);
const fee = 10_000n;
const addr = (key: Uint8Array) => encodeAddress(key, regtestParams.addressPrefix);

async function setup() {
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock });
  // The explorer's calls need only the node.
  const api = createTabchainApi('regtest', Promise.resolve({ node } as unknown as NodeServices));
  const b = new ChainBuilder();
  const connect = async (blocks: readonly BuiltBlock[]) => {
    for (const x of blocks) expect((await node.submitBlock(x.block)).status).toBe('connected');
  };
  return { node, api, b, clock, connect };
}

describe('chain.headers', () => {
  it('behavior: lists active-chain headers lowest first, stops at the tip, and adds tx count and size when asked', async () => {
    const s = await setup();
    const blocks = s.b.extend(s.b.genesis, 5);
    await s.connect(blocks);
    const all = await s.api.chain.headers(0, 10);
    expect(all.map((h) => h.height)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(all[3]).toEqual({
      height: 3,
      hash: blocks[2]!.hash,
      time: blocks[2]!.block.header.time,
      bits: `0x${blocks[2]!.block.header.bits.toString(16).padStart(8, '0')}`,
    });
    const detailed = await s.api.chain.headers(4, 2, { details: true });
    expect(detailed.map((h) => [h.height, h.txCount, h.size])).toEqual([
      [4, 1, blockSize(blocks[3]!.block)],
      [5, 1, blockSize(blocks[4]!.block)],
    ]);
    expect(await s.api.chain.headers(6, 5)).toEqual([]);
    expect(await s.api.chain.headers(2, 0)).toEqual([]);
  });

  it('error: a count above the maximum or a height that is not a whole number is an InputError', async () => {
    const s = await setup();
    expect(await rejection(s.api.chain.headers(0, MAX_HEADERS + 1))).toMatchObject({ name: 'InputError', code: 'invalid-input', field: 'count' });
    expect(await rejection(s.api.chain.headers(-1, 5))).toMatchObject({ name: 'InputError', field: 'fromHeight' });
    expect(await rejection(s.api.chain.headers(1.5, 5))).toMatchObject({ name: 'InputError', field: 'fromHeight' });
    expect(await rejection(s.api.chain.headers('3' as unknown as number, 5))).toMatchObject({ name: 'InputError', field: 'fromHeight' });
    expect(await rejection(s.api.chain.headers(0, MAX_HEADERS + 1))).toBeInstanceOf(TabchainError);
    expect(await s.api.chain.headers(0, MAX_HEADERS)).toHaveLength(1);
  });
});

describe('chain.tips', () => {
  it('behavior: after a reorg the replaced branch is a valid fork beside the active tip', async () => {
    const s = await setup();
    const old = s.b.extend(s.b.genesis, 2);
    await s.connect(old);
    expect(await s.api.chain.tips()).toEqual([{ height: 2, hash: old[1]!.hash, branchLength: 0, status: 'active' }]);
    const longer = s.b.extend(s.b.genesis, 3, { extraNonce: 1n });
    await s.node.chain.processBlocks(longer.map((x) => x.block));
    expect(await s.api.chain.tips()).toEqual([
      { height: 3, hash: longer[2]!.hash, branchLength: 0, status: 'active' },
      { height: 2, hash: old[1]!.hash, branchLength: 2, status: 'valid-fork' },
    ]);
    // The old branch's block says it is off the active chain.
    expect(await s.api.chain.block(old[1]!.hash)).toMatchObject({ height: 2, active: false, confirmations: 0, nextHash: null });
  });
});

describe('chain.block and chain.tx with resolved inputs', () => {
  /** Six blocks; block 7 pays B from the first coinbase with a memo, and B's output is spent again in the same block. */
  async function withPayments() {
    const s = await setup();
    const base = s.b.extend(s.b.genesis, 6);
    await s.connect(base);
    const keyB = testKey(2).publicKey;
    const pay = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee], { memo: new TextEncoder().encode('rent') });
    const again = s.b.spend([s.b.output(pay, 0)], [subsidy - 3n * fee], { to: keyB });
    const b7 = s.b.next(base[5]!, { txs: [pay, again] });
    await s.connect([b7]);
    return { ...s, base, b7, pay, again, keyB };
  }

  it('behavior: a block lists each tx with its fee and each input with the amount and address it spends, and links to the next block', async () => {
    const s = await withPayments();
    const block = (await s.api.chain.block(7))!;
    expect(block.nextHash).toBeNull();
    expect(block.txs.map((t) => t.fee)).toEqual([null, fee.toString(), (2n * fee).toString()]);
    expect(block.txs[1]!.inputs).toEqual([{ txid: txid(s.base[0]!.block.txs[0]!), vout: 0, amount: subsidy.toString(), address: addr(s.b.key.publicKey) }]);
    expect(block.txs[2]!.inputs).toEqual([{ txid: txid(s.pay), vout: 0, amount: (subsidy - fee).toString(), address: addr(s.b.key.publicKey) }]);
    expect((await s.api.chain.block(6))!.nextHash).toBe(s.b7.hash);
    expect(await s.api.chain.block(8)).toBeNull();
    expect(await s.api.chain.block('ab'.repeat(32))).toBeNull();
  });

  it('behavior: a confirmed tx has its block, confirmations, time, fee and memo; a coinbase has no fee', async () => {
    const s = await withPayments();
    await s.connect(s.b.extend(s.b7, 2));
    const tx = (await s.api.chain.tx(txid(s.again)))!;
    expect(tx).toMatchObject({ blockHash: s.b7.hash, height: 7, confirmations: 3, time: s.b7.block.header.time, fee: (2n * fee).toString() });
    expect(tx.inputs[0]).toMatchObject({ amount: (subsidy - fee).toString(), address: addr(s.b.key.publicKey) });
    expect(tx.outputs).toEqual([{ amount: (subsidy - 3n * fee).toString(), address: addr(s.keyB) }]);
    expect((await s.api.chain.tx(txid(s.pay)))!.memo).toBe('rent');
    expect((await s.api.chain.tx(txid(s.b7.block.txs[0]!)))!.fee).toBeNull();
    expect(await s.api.chain.tx('cd'.repeat(32))).toBeNull();
  });

  it('behavior: a pool tx has no block, zero confirmations, its pool fee and its inputs resolved from the coin set', async () => {
    const s = await withPayments();
    const t = s.b.spend([s.b.coinbaseOf(s.base[1]!)], [subsidy - 5n * fee]);
    expect((await s.node.submitTx(t)).ok).toBe(true);
    const tx = (await s.api.chain.tx(txid(t)))!;
    expect(tx).toMatchObject({ blockHash: null, height: null, confirmations: 0, time: s.clock.time, fee: (5n * fee).toString() });
    expect(tx.inputs[0]).toMatchObject({ amount: subsidy.toString(), address: addr(s.b.key.publicKey) });
    // Paid to its own key: change, not a payment.
    expect(tx.paid).toBe('0');
  });

  it('behavior: the mempool says what each tx pays (outputs to others), apart from its outputs total, also for a tx spending a pool parent', async () => {
    const s = await withPayments();
    const toB = s.b.spend([s.b.coinbaseOf(s.base[1]!)], [subsidy - 5n * fee], { to: s.keyB, memo: new TextEncoder().encode('for B') });
    const toSelf = s.b.spend([s.b.coinbaseOf(s.base[2]!)], [subsidy - 5n * fee]);
    const child = s.b.spend([s.b.output(toSelf, 0)], [subsidy - 10n * fee]);
    for (const t of [toB, toSelf, child]) expect((await s.node.submitTx(t)).ok).toBe(true);
    const pool = new Map((await s.api.mempool()).map((e) => [(e as { txid: string }).txid, e as { paid: string | null; memo: string }]));
    expect(pool.get(txid(toB))).toMatchObject({ paid: (subsidy - 5n * fee).toString(), memo: 'for B' });
    expect(pool.get(txid(toSelf))).toMatchObject({ paid: '0' });
    expect(pool.get(txid(child))).toMatchObject({ paid: '0' });
    expect((await s.api.chain.tx(txid(toB)))!.paid).toBe((subsidy - 5n * fee).toString());
  });
});

describe('chain.addressHistory', () => {
  it('behavior: lists pending then confirmed txs newest first with the net change, and tells whether the list is complete', async () => {
    const s = await setup();
    const base = s.b.extend(s.b.genesis, 6);
    await s.connect(base);
    const keyB = testKey(2).publicKey;
    const payB = s.b.spend([s.b.coinbaseOf(base[1]!)], [subsidy - fee], { to: keyB });
    const b7 = s.b.next(base[5]!, { txs: [payB] });
    await s.connect([b7]);
    const pending = s.b.spend([s.b.coinbaseOf(base[2]!)], [subsidy - 2n * fee], { to: keyB });
    expect((await s.node.submitTx(pending)).ok).toBe(true);

    const historyB = await s.api.chain.addressHistory(addr(keyB));
    expect(historyB).toEqual({
      address: addr(keyB),
      txs: [
        { txid: txid(pending), height: null, confirmations: 0, time: s.clock.time, received: (subsidy - 2n * fee).toString(), sent: '0', net: (subsidy - 2n * fee).toString(), coinbase: false },
        { txid: txid(payB), height: 7, confirmations: 1, time: b7.block.header.time, received: (subsidy - fee).toString(), sent: '0', net: (subsidy - fee).toString(), coinbase: false },
      ],
      scannedTo: 0,
      complete: true,
    });

    // The miner's address: the pending spend, the confirmed spend, then its coinbases.
    const historyA = await s.api.chain.addressHistory(addr(s.b.key.publicKey));
    expect(historyA.complete).toBe(true);
    expect(historyA.txs.map((t) => [t.height, t.net, t.coinbase])).toEqual([
      [null, (-subsidy).toString(), false],
      [7, (-subsidy).toString(), false],
      [7, (subsidy + fee).toString(), true],
      ...[6, 5, 4, 3, 2, 1].map((h) => [h, subsidy.toString(), true]),
    ]);

    const limited = await s.api.chain.addressHistory(addr(s.b.key.publicKey), { limit: 4 });
    expect(limited.txs.map((t) => t.height)).toEqual([null, 7, 7, 6]);
    expect(limited.complete).toBe(false);
    expect(limited.scannedTo).toBeGreaterThan(0);

    // maxBlocks leaves out what is deeper; the index knows whether anything is.
    const shallow = await s.api.chain.addressHistory(addr(s.b.key.publicKey), { maxBlocks: 1 });
    expect(shallow).toMatchObject({ scannedTo: 7, complete: false });
    expect(shallow.txs.map((t) => t.height)).toEqual([null, 7, 7]);
    expect(await s.api.chain.addressHistory(addr(keyB), { maxBlocks: 1 })).toMatchObject({ scannedTo: 0, complete: true });
    const nobody = await s.api.chain.addressHistory(addr(testKey(3).publicKey));
    expect(nobody).toEqual({ address: addr(testKey(3).publicKey), txs: [], scannedTo: 0, complete: true });
  });

  it('behavior: reads the address index: an address used only near genesis is complete at once, and a reorg takes its tx away', async () => {
    const s = await setup();
    const keyB = testKey(2).publicKey;
    const base = s.b.extend(s.b.genesis, 6);
    const payB = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee], { to: keyB });
    const withPay = s.b.next(base[5]!, { txs: [payB] });
    const later = s.b.extend(withPay, 40);
    await s.connect([...base, withPay, ...later]);
    const getBlock = vi.spyOn(s.node.chain, 'getBlock');
    expect(await s.api.chain.addressHistory(addr(keyB), { limit: 1 })).toMatchObject({ txs: [{ txid: txid(payB), height: 7, confirmations: 41 }], scannedTo: 0, complete: true });
    expect((await s.api.chain.addressHistory(addr(s.b.key.publicKey), { limit: 500 })).txs.map((t) => t.height)).toEqual([...[...Array(47).keys()].map((h) => 47 - h), 7].sort((a, b) => b - a));
    expect(getBlock).not.toHaveBeenCalled();

    const fork = s.b.extend(base[5]!, 42, { extraNonce: 3n });
    for (const x of fork) await s.node.submitBlock(x.block);
    expect(s.node.tip.hash).toBe(fork.at(-1)!.hash);
    const after = await s.api.chain.addressHistory(addr(keyB));
    // The payment went back to the pool (its coin is still there), so it is listed as pending.
    expect(after.txs.map((t) => [t.txid, t.height])).toEqual([[txid(payB), null]]);
    expect(after.complete).toBe(true);
  });

  it('error: a mistyped or other-network address is a WalletError; a bad limit is an InputError', async () => {
    const s = await setup();
    const good = addr(testKey(2).publicKey);
    const typo = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    expect(await rejection(s.api.chain.addressHistory(typo))).toMatchObject({ name: 'WalletError', code: 'bad-address' });
    expect(await rejection(s.api.chain.addressHistory(encodeAddress(testKey(2).publicKey, 'tab')))).toMatchObject({ code: 'wrong-network' });
    expect(await rejection(s.api.chain.addressHistory(good, { limit: 0 }))).toMatchObject({ name: 'InputError', code: 'invalid-input', field: 'limit' });
    expect(await rejection(s.api.chain.addressHistory(good, { limit: 501 }))).toMatchObject({ name: 'InputError', field: 'limit' });
  });
});
