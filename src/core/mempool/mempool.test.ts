import { describe, expect, it } from 'vitest';
import {
  Chain,
  MemoryChainStore,
  Mempool,
  mainParams,
  regtestParams,
  txSize,
  txid,
  txidBytes,
  type MempoolConfig,
  type MempoolEvents,
  type Result,
  type Transaction,
} from '../index.ts';
import { ChainBuilder, ManualClock, testKey, type BuiltBlock, type Spendable } from '../testing/chain-builder.ts';

const SUBSIDY = 5_000_000_000n;

/**
 * A chain of `blocks` blocks on the test network (block 1 pays testKey(2), the rest the
 * builder's key) with a mempool that follows its tip. With the default 12 blocks the tip is at
 * height 12, so coinbases of heights 2..8 (blocks[1..7]) are mature and blocks[8..11] are not.
 */
async function setup(options: { blocks?: number; mempool?: Partial<MempoolConfig> } = {}) {
  const builder = new ChainBuilder();
  const store = new MemoryChainStore();
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const chain = await Chain.open({ params: regtestParams, store, clock });
  const mempool = new Mempool({ params: regtestParams, fetchCoins: (k) => chain.getCoins(k), tip: () => chain.tip, clock, ...options.mempool });
  let synced: Promise<void> = Promise.resolve();
  chain.on('tip-changed', (e) => {
    synced = mempool.onTipChanged(e);
  });
  const removed: MempoolEvents['tx-removed'][] = [];
  mempool.on('tx-removed', (e) => removed.push(e));
  const first = builder.next(builder.genesis, { payTo: testKey(2).publicKey });
  const blocks = [first, ...builder.extend(first, (options.blocks ?? 12) - 1)];
  const outcomes = await chain.processBlocks(blocks.map((b) => b.block));
  expect(outcomes.every((o) => o.status === 'connected')).toBe(true);
  await synced;

  return {
    builder,
    store,
    clock,
    chain,
    mempool,
    blocks,
    removed,
    tip: blocks[blocks.length - 1]!,
    /** Coinbase output of blocks[i] (block height i + 1). */
    cb: (i: number): Spendable => builder.coinbaseOf(blocks[i]!),
    /** A one-in one-out spend of a whole coinbase paying `fee`. */
    spendCb(i: number, fee: bigint): Transaction {
      return builder.spend([builder.coinbaseOf(blocks[i]!)], [SUBSIDY - fee]);
    },
    /** Processes blocks and waits until the mempool has followed the tip. */
    async process(...built: BuiltBlock[]) {
      const result = await chain.processBlocks(built.map((b) => b.block));
      await synced;
      return result;
    },
  };
}

function expectRejected<T>(result: Result<T>, code: string, punish: boolean): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.code).toBe(code);
  expect(result.punish).toBe(punish);
}

const ONE_IN_ONE_OUT = 4 + 1 + 100 + 1 + 40 + 1;

describe('Mempool: signatures (B.12)', () => {
  it('behavior: a validly signed spend of a mature coinbase is accepted with its fee and size', async () => {
    const h = await setup();
    const tx = h.spendCb(1, 1_000n);
    const result = await h.mempool.accept(tx);
    expect(result).toEqual({ ok: true, value: { txid: txid(tx), fee: 1_000n, size: ONE_IN_ONE_OUT } });
    expect(h.mempool.has(txid(tx))).toBe(true);
    expect(h.mempool.size).toBe(1);
    expect(h.mempool.totalBytes).toBe(ONE_IN_ONE_OUT);
    expect(h.mempool.spender(`${txid(h.blocks[1]!.block.txs[0]!)}:0`)).toBe(txid(tx));
  });

  it('error: a tampered signature is rejected with bad-txns-sig and punishes', async () => {
    const h = await setup();
    const tx = h.spendCb(1, 1_000n);
    const signature = Uint8Array.from(tx.inputs[0]!.signature);
    signature[10]! ^= 0x01;
    const bad: Transaction = { ...tx, inputs: [{ ...tx.inputs[0]!, signature }] };
    expectRejected(await h.mempool.accept(bad), 'bad-txns-sig', true);
    expect(h.mempool.size).toBe(0);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('error: a signature made for another network is rejected with bad-txns-sig', async () => {
    const h = await setup();
    const tx = h.builder.spend([h.cb(1)], [SUBSIDY - 1_000n], { network: mainParams.networkId });
    expectRejected(await h.mempool.accept(tx), 'bad-txns-sig', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: an output signed by a key other than the one it pays is rejected with bad-txns-sig', async () => {
    const h = await setup();
    // blocks[0]'s coinbase pays testKey(2); the builder signs with testKey(1).
    expect(h.cb(0).output.publicKey).toEqual(testKey(2).publicKey);
    const tx = h.spendCb(0, 1_000n);
    expectRejected(await h.mempool.accept(tx), 'bad-txns-sig', true);
    expect(h.mempool.size).toBe(0);
    expect(h.mempool.totalBytes).toBe(0);
  });
});

describe('Mempool: amounts (B.13)', () => {
  const key = testKey(1).publicKey;
  const handMade = (prev: Spendable, amounts: bigint[]): Transaction => ({
    version: 1,
    inputs: [{ prevTxid: prev.txid, vout: prev.vout, signature: new Uint8Array(64) }],
    outputs: amounts.map((amount) => ({ amount, publicKey: key })),
    memo: new Uint8Array(),
  });

  it('error: a zero output is rejected with bad-txns-vout-zero', async () => {
    const h = await setup();
    expectRejected(await h.mempool.accept(handMade(h.cb(1), [1_000n, 0n])), 'bad-txns-vout-zero', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: an output above maxMoney is rejected with bad-txns-vout-toolarge', async () => {
    const h = await setup();
    expectRejected(await h.mempool.accept(handMade(h.cb(1), [regtestParams.maxMoney + 1n])), 'bad-txns-vout-toolarge', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: outputs summing past maxMoney are rejected with bad-txns-txouttotal-toolarge', async () => {
    const h = await setup();
    const tx = handMade(h.cb(1), [regtestParams.maxMoney, 1n]);
    expectRejected(await h.mempool.accept(tx), 'bad-txns-txouttotal-toolarge', true);
    expect(h.mempool.size).toBe(0);
  });

  it('behavior: an output of exactly maxMoney passes sanity (and then fails on the inputs)', async () => {
    const h = await setup();
    expectRejected(await h.mempool.accept(handMade(h.cb(1), [regtestParams.maxMoney])), 'bad-txns-in-belowout', true);
  });
});

describe('Mempool: structure and inputs (B.14)', () => {
  it('error: a tx without inputs is refused with coinbase-not-allowed', async () => {
    const h = await setup();
    const tx: Transaction = {
      version: 1,
      inputs: [],
      coinbase: { height: h.chain.height + 1, extraNonce: 0n },
      outputs: [{ amount: SUBSIDY, publicKey: testKey(1).publicKey }],
      memo: new Uint8Array(),
    };
    expectRejected(await h.mempool.accept(tx), 'coinbase-not-allowed', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: a tx without outputs is rejected with bad-txns-vout-empty', async () => {
    const h = await setup();
    const tx = h.builder.spend([h.cb(1)], []);
    expectRejected(await h.mempool.accept(tx), 'bad-txns-vout-empty', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: a tx spending the same outpoint twice is rejected with bad-txns-inputs-duplicate', async () => {
    const h = await setup();
    const tx = h.builder.spend([h.cb(1), h.cb(1)], [SUBSIDY]);
    expectRejected(await h.mempool.accept(tx), 'bad-txns-inputs-duplicate', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: outputs above inputs are rejected with bad-txns-in-belowout', async () => {
    const h = await setup();
    const tx = h.builder.spend([h.cb(1)], [SUBSIDY + 1n]);
    expectRejected(await h.mempool.accept(tx), 'bad-txns-in-belowout', true);
    expect(h.mempool.size).toBe(0);
  });

  it('error: an unknown input gives missing-inputs without punishing, and the tx waits as an orphan', async () => {
    const h = await setup();
    const unknown: Spendable = { txid: new Uint8Array(32).fill(7), vout: 0, output: { amount: SUBSIDY, publicKey: h.builder.key.publicKey } };
    const tx = h.builder.spend([unknown], [SUBSIDY - 1_000n]);
    expectRejected(await h.mempool.accept(tx), 'missing-inputs', false);
    expect(h.mempool.has(txid(tx))).toBe(false);
    expect(h.mempool.orphanCount).toBe(1);
  });

  it('error: an input already spent by a confirmed tx gives missing-inputs', async () => {
    const h = await setup();
    const confirmed = h.spendCb(1, 1_000n);
    const block = h.builder.next(h.tip, { txs: [confirmed] });
    expect((await h.process(block))[0]!.status).toBe('connected');
    const doubleSpend = h.spendCb(1, 2_000n);
    expectRejected(await h.mempool.accept(doubleSpend), 'missing-inputs', false);
    expect(h.mempool.size).toBe(0);
  });

  it('error: a vout past the parent pool tx outputs gives missing-inputs', async () => {
    const h = await setup();
    const parent = h.spendCb(1, 1_000n);
    expect((await h.mempool.accept(parent)).ok).toBe(true);
    const ghost: Spendable = { txid: txidBytes(parent), vout: 5, output: parent.outputs[0]! };
    expectRejected(await h.mempool.accept(h.builder.spend([ghost], [1_000_000n])), 'missing-inputs', false);
    expect(h.mempool.size).toBe(1);
  });
});

describe('Mempool: conflicts, chains, duplicates, fees (B.15)', () => {
  it('error: a tx spending what a pool tx spends gets txn-mempool-conflict and the first stays', async () => {
    const h = await setup();
    const first = h.spendCb(1, 1_000n);
    const second = h.spendCb(1, 50_000n);
    expect((await h.mempool.accept(first)).ok).toBe(true);
    expectRejected(await h.mempool.accept(second), 'txn-mempool-conflict', false);
    expect(h.mempool.has(txid(first))).toBe(true);
    expect(h.mempool.has(txid(second))).toBe(false);
    expect(h.mempool.size).toBe(1);
  });

  it('behavior: a chain of unconfirmed txs (child and grandchild spending pending change) is accepted', async () => {
    const h = await setup();
    const parent = h.builder.spend([h.cb(1)], [1_000_000_000n, SUBSIDY - 1_000_000_000n - 1_000n]);
    const child = h.builder.spend([h.builder.output(parent, 1)], [500_000_000n, parent.outputs[1]!.amount - 500_000_000n - 1_000n]);
    const grandchild = h.builder.spend([h.builder.output(child, 1)], [child.outputs[1]!.amount - 1_000n]);
    for (const tx of [parent, child, grandchild]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    expect(h.mempool.size).toBe(3);
    expect([...h.mempool.get(txid(parent))!.children]).toEqual([txid(child)]);
    expect([...h.mempool.get(txid(child))!.parents]).toEqual([txid(parent)]);
    expect([...h.mempool.get(txid(child))!.children]).toEqual([txid(grandchild)]);
    expect([...h.mempool.get(txid(grandchild))!.parents]).toEqual([txid(child)]);
    // A second spend of the pending change conflicts like any other.
    const rival = h.builder.spend([h.builder.output(parent, 1)], [1_000_000n]);
    expectRejected(await h.mempool.accept(rival), 'txn-mempool-conflict', false);
  });

  it('error: the same tx twice gets txn-already-known', async () => {
    const h = await setup();
    const tx = h.spendCb(1, 1_000n);
    expect((await h.mempool.accept(tx)).ok).toBe(true);
    expectRejected(await h.mempool.accept(tx), 'txn-already-known', false);
    expect(h.mempool.size).toBe(1);
  });

  it('error: a fee below 1 unit per byte gets min-fee-not-met; exactly 1 per byte is accepted', async () => {
    const h = await setup();
    const low = h.spendCb(1, BigInt(ONE_IN_ONE_OUT - 1));
    expect(txSize(low)).toBe(ONE_IN_ONE_OUT);
    expectRejected(await h.mempool.accept(low), 'min-fee-not-met', false);
    expect(h.mempool.size).toBe(0);
    const enough = h.spendCb(1, BigInt(ONE_IN_ONE_OUT));
    expect((await h.mempool.accept(enough)).ok).toBe(true);
  });

  it('error: a zero-fee tx gets min-fee-not-met', async () => {
    const h = await setup();
    expectRejected(await h.mempool.accept(h.spendCb(1, 0n)), 'min-fee-not-met', false);
  });

  it('behavior: minFeeRate is configurable', async () => {
    const h = await setup({ mempool: { minFeeRate: 10n } });
    expectRejected(await h.mempool.accept(h.spendCb(1, BigInt(10 * ONE_IN_ONE_OUT - 1))), 'min-fee-not-met', false);
    expect((await h.mempool.accept(h.spendCb(2, BigInt(10 * ONE_IN_ONE_OUT)))).ok).toBe(true);
  });
});

describe('Mempool: coinbase maturity', () => {
  it('error: spending a coinbase immature at tip height + 1 is refused without punishing', async () => {
    const h = await setup();
    // blocks[8] is at height 9; the next block is 13, and 13 - 9 < 5.
    const tx = h.spendCb(8, 1_000n);
    const result = await h.mempool.accept(tx);
    expectRejected(result, 'bad-txns-premature-spend-of-coinbase', false);
    expect(!result.ok && result.permanent).toBe(false);
    expect(h.mempool.size).toBe(0);
    // It waits with the orphans: the relayer's chain may be ahead of this one.
    expect(h.mempool.orphanCount).toBe(1);
  });

  it('behavior: the same spend enters the pool by itself once one more block makes the coinbase mature', async () => {
    const h = await setup();
    const tx = h.spendCb(8, 1_000n);
    expect((await h.mempool.accept(tx)).ok).toBe(false);
    await h.process(h.builder.next(h.tip));
    expect(h.mempool.has(txid(tx))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });
});

describe('Mempool: size cap and orphans (B.16)', () => {
  it('behavior: a higher-fee tx evicts the lowest fee-rate tx with its descendants', async () => {
    const h = await setup({ mempool: { maxBytes: 3 * ONE_IN_ONE_OUT } });
    const low = h.spendCb(1, 200n);
    const lowChild = h.builder.spend([h.builder.output(low, 0)], [low.outputs[0]!.amount - 5_000n]);
    const mid = h.spendCb(2, 2_000n);
    for (const tx of [low, lowChild, mid]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    expect(h.mempool.totalBytes).toBe(3 * ONE_IN_ONE_OUT);

    const high = h.spendCb(3, 3_000n);
    expect((await h.mempool.accept(high)).ok).toBe(true);
    expect(h.mempool.has(txid(low))).toBe(false);
    expect(h.mempool.has(txid(lowChild))).toBe(false);
    expect(h.mempool.has(txid(mid))).toBe(true);
    expect(h.mempool.has(txid(high))).toBe(true);
    expect(h.mempool.totalBytes).toBe(2 * ONE_IN_ONE_OUT);
    expect(h.removed).toEqual(
      expect.arrayContaining([
        { txid: txid(low), reason: 'evicted' },
        { txid: txid(lowChild), reason: 'evicted' },
      ]),
    );
    // The evicted tx's outpoint is free again.
    expect(h.mempool.spender(`${txid(h.blocks[1]!.block.txs[0]!)}:0`)).toBeUndefined();
  });

  it('error: a tx paying less than everything in a full pool gets mempool-full and the pool is unchanged', async () => {
    const h = await setup({ mempool: { maxBytes: 2 * ONE_IN_ONE_OUT } });
    const a = h.spendCb(1, 2_000n);
    const b = h.spendCb(2, 3_000n);
    for (const tx of [a, b]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    const cheap = h.spendCb(3, 1_000n);
    expectRejected(await h.mempool.accept(cheap), 'mempool-full', false);
    expect(h.mempool.has(txid(cheap))).toBe(false);
    expect(h.mempool.has(txid(a))).toBe(true);
    expect(h.mempool.has(txid(b))).toBe(true);
    expect(h.mempool.totalBytes).toBe(2 * ONE_IN_ONE_OUT);
    expect(h.mempool.spender(`${txid(h.blocks[3]!.block.txs[0]!)}:0`)).toBeUndefined();
  });

  it('error: a refused mempool-full tx evicts nothing, even when it outbids the lowest tx', async () => {
    const h = await setup({ mempool: { maxBytes: 2 * ONE_IN_ONE_OUT } });
    const rich = h.spendCb(1, 5_000n);
    const poor = h.spendCb(2, 300n);
    for (const tx of [rich, poor]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    // 247 bytes at ~2.4/byte: above `poor`, but evicting `poor` alone does not make room, and
    // `rich` pays more: the newcomer cannot stay.
    const wide = h.builder.spend([h.cb(3), h.cb(4)], [2n * SUBSIDY - 600n]);
    expect(txSize(wide)).toBe(247);
    expectRejected(await h.mempool.accept(wide), 'mempool-full', false);
    expect(h.mempool.has(txid(rich))).toBe(true);
    expect(h.mempool.has(txid(poor))).toBe(true);
    expect(h.mempool.totalBytes).toBe(2 * ONE_IN_ONE_OUT);
    expect(h.removed.filter((r) => r.txid !== txid(wide))).toEqual([]);
  });

  it('error: a high-fee child of the lowest-rate tx in a full pool is refused and its parent stays', async () => {
    const h = await setup({ mempool: { maxBytes: 2 * ONE_IN_ONE_OUT } });
    const low = h.spendCb(1, 200n);
    const other = h.spendCb(2, 5_000n);
    for (const tx of [low, other]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    const child = h.builder.spend([h.builder.output(low, 0)], [low.outputs[0]!.amount - 50_000n]);
    expectRejected(await h.mempool.accept(child), 'mempool-full', false);
    expect(h.mempool.has(txid(low))).toBe(true);
    expect(h.mempool.has(txid(other))).toBe(true);
    expect(h.mempool.get(txid(low))!.children.size).toBe(0);
    expect(h.mempool.totalBytes).toBe(2 * ONE_IN_ONE_OUT);
  });

  it('behavior: an orphan is accepted automatically when its parent arrives', async () => {
    const h = await setup();
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    const grandchild = h.builder.spend([h.builder.output(child, 0)], [child.outputs[0]!.amount - 1_000n]);
    expectRejected(await h.mempool.accept(grandchild), 'missing-inputs', false);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    expect(h.mempool.orphanCount).toBe(2);
    expect((await h.mempool.accept(parent)).ok).toBe(true);
    expect(h.mempool.has(txid(child))).toBe(true);
    expect(h.mempool.has(txid(grandchild))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('behavior: an orphan with two missing parents keeps waiting until both have arrived', async () => {
    const h = await setup();
    const p1 = h.spendCb(1, 1_000n);
    const p2 = h.spendCb(2, 1_000n);
    const child = h.builder.spend([h.builder.output(p1, 0), h.builder.output(p2, 0)], [2n * SUBSIDY - 10_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    expect((await h.mempool.accept(p1)).ok).toBe(true);
    expect(h.mempool.has(txid(child))).toBe(false);
    expect(h.mempool.orphanCount).toBe(1);
    expect((await h.mempool.accept(p2)).ok).toBe(true);
    expect(h.mempool.has(txid(child))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('behavior: a tx relayed ahead of the blocks under it waits, through an immature coinbase, until it is valid here', async () => {
    // The relayer's chain is 5 blocks ahead; the tx spends the coinbase of the first of them,
    // mature at the relayer's tip. Here it first lacks its input, then it is premature, then valid.
    const h = await setup();
    const ahead = h.builder.extend(h.tip, 5);
    const tx = h.builder.spend([h.builder.coinbaseOf(ahead[0]!)], [SUBSIDY - 1_000n]);
    expectRejected(await h.mempool.accept(tx), 'missing-inputs', false);
    await h.process(ahead[0]!);
    expect(h.mempool.has(txid(tx))).toBe(false);
    expect(h.mempool.orphanCount).toBe(1);
    await h.process(...ahead.slice(1, 4));
    expect(h.mempool.has(txid(tx))).toBe(false);
    expect(h.mempool.orphanCount).toBe(1);
    await h.process(ahead[4]!);
    expect(h.mempool.has(txid(tx))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('behavior: an orphan is accepted when its parent confirms in a block', async () => {
    const h = await setup();
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    await h.process(h.builder.next(h.tip, { txs: [parent] }));
    expect(h.mempool.has(txid(child))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('behavior: an orphan confirmed in a block, or conflicting with one, leaves the orphan pool', async () => {
    const h = await setup();
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    const parent2 = h.spendCb(2, 1_000n);
    const loser = h.builder.spend([h.builder.output(parent2, 0)], [parent2.outputs[0]!.amount - 1_000n]);
    const winner = h.builder.spend([h.builder.output(parent2, 0)], [parent2.outputs[0]!.amount - 2_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    expectRejected(await h.mempool.accept(loser), 'missing-inputs', false);
    expect(h.mempool.orphanCount).toBe(2);
    await h.process(h.builder.next(h.tip, { txs: [parent, child, parent2, winner] }));
    expect(h.mempool.orphanCount).toBe(0);
    expect(h.mempool.size).toBe(0);
  });

  it('behavior: the orphan pool is bounded by maxOrphans, dropping the oldest', async () => {
    const h = await setup({ mempool: { maxOrphans: 2 } });
    const parents = [1, 2, 3].map((i) => h.spendCb(i, 1_000n));
    const children = parents.map((p) => h.builder.spend([h.builder.output(p, 0)], [p.outputs[0]!.amount - 1_000n]));
    for (const c of children) expectRejected(await h.mempool.accept(c), 'missing-inputs', false);
    expect(h.mempool.orphanCount).toBe(2);
    expect((await h.mempool.accept(parents[0]!)).ok).toBe(true);
    expect(h.mempool.has(txid(children[0]!))).toBe(false);
    expect((await h.mempool.accept(parents[1]!)).ok).toBe(true);
    expect(h.mempool.has(txid(children[1]!))).toBe(true);
    expect((await h.mempool.accept(parents[2]!)).ok).toBe(true);
    expect(h.mempool.has(txid(children[2]!))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('behavior: maxOrphans 0 keeps no orphans', async () => {
    const h = await setup({ mempool: { maxOrphans: 0 } });
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    expect(h.mempool.orphanCount).toBe(0);
    expect((await h.mempool.accept(parent)).ok).toBe(true);
    expect(h.mempool.has(txid(child))).toBe(false);
  });

  it('behavior: an orphan is still accepted at exactly orphanTtl seconds', async () => {
    const h = await setup({ mempool: { orphanTtl: 600 } });
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    h.clock.time += 600;
    expect((await h.mempool.accept(parent)).ok).toBe(true);
    expect(h.mempool.has(txid(child))).toBe(true);
  });

  it('behavior: an orphan older than orphanTtl expires and is not accepted when its parent arrives', async () => {
    const h = await setup({ mempool: { orphanTtl: 600 } });
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    h.clock.time += 601;
    expect((await h.mempool.accept(parent)).ok).toBe(true);
    expect(h.mempool.has(txid(child))).toBe(false);
    expect(h.mempool.orphanCount).toBe(0);
  });

  it('behavior: expired orphans are dropped when a new orphan arrives', async () => {
    const h = await setup({ mempool: { orphanTtl: 600 } });
    const unknown = (n: number): Spendable => ({ txid: new Uint8Array(32).fill(n), vout: 0, output: { amount: SUBSIDY, publicKey: h.builder.key.publicKey } });
    expectRejected(await h.mempool.accept(h.builder.spend([unknown(1)], [SUBSIDY - 1_000n])), 'missing-inputs', false);
    h.clock.time += 601;
    expectRejected(await h.mempool.accept(h.builder.spend([unknown(2)], [SUBSIDY - 1_000n])), 'missing-inputs', false);
    expect(h.mempool.orphanCount).toBe(1);
  });
});

describe('Mempool: following the chain (B.17)', () => {
  it('behavior: a plain block connection removes confirmed txs and conflicting pool txs with descendants', async () => {
    const h = await setup();
    const confirmed = h.spendCb(1, 1_000n);
    const confirmedChild = h.builder.spend([h.builder.output(confirmed, 0)], [confirmed.outputs[0]!.amount - 1_000n]);
    const loser = h.spendCb(2, 1_000n);
    const loserChild = h.builder.spend([h.builder.output(loser, 0)], [loser.outputs[0]!.amount - 1_000n]);
    const bystander = h.spendCb(3, 1_000n);
    for (const tx of [confirmed, confirmedChild, loser, loserChild, bystander]) expect((await h.mempool.accept(tx)).ok).toBe(true);

    const winner = h.spendCb(2, 9_000n);
    const block = h.builder.next(h.tip, { txs: [confirmed, winner] });
    expect((await h.process(block))[0]!.status).toBe('connected');

    expect(h.mempool.has(txid(confirmed))).toBe(false);
    expect(h.mempool.has(txid(loser))).toBe(false);
    expect(h.mempool.has(txid(loserChild))).toBe(false);
    expect(h.mempool.has(txid(confirmedChild))).toBe(true);
    expect(h.mempool.has(txid(bystander))).toBe(true);
    expect(h.mempool.get(txid(confirmedChild))!.parents.size).toBe(0);
    expect(h.mempool.size).toBe(2);
    expect(h.mempool.totalBytes).toBe(2 * ONE_IN_ONE_OUT);
    expect(h.removed).toEqual([
      { txid: txid(confirmed), reason: 'confirmed' },
      { txid: txid(loser), reason: 'conflict' },
      { txid: txid(loserChild), reason: 'conflict' },
    ]);
    // The confirmed outpoint's spender is gone; the winner's outpoint is not the pool's business.
    expect(h.mempool.spender(`${txid(h.blocks[1]!.block.txs[0]!)}:0`)).toBeUndefined();
    expect(h.mempool.spender(`${txid(h.blocks[2]!.block.txs[0]!)}:0`)).toBeUndefined();
  });

  it('behavior: after a reorg, a tx of a disconnected block returns to the pool (and its pool child keeps its link)', async () => {
    const h = await setup();
    const t = h.spendCb(1, 1_000n);
    const x = h.builder.next(h.tip, { txs: [t] });
    expect((await h.process(x))[0]!.status).toBe('connected');
    expect(h.mempool.has(txid(t))).toBe(false);
    const child = h.builder.spend([h.builder.output(t, 0)], [t.outputs[0]!.amount - 1_000n]);
    expect((await h.mempool.accept(child)).ok).toBe(true);

    const [y1, y2] = h.builder.extend(h.tip, 2, { extraNonce: 1n });
    expect((await h.process(y1!))[0]!.status).toBe('side-chain');
    expect((await h.process(y2!))[0]!.status).toBe('connected');
    expect(h.chain.tip.hash).toBe(y2!.hash);

    expect(h.mempool.has(txid(t))).toBe(true);
    expect(h.mempool.get(txid(t))!.fee).toBe(1_000n);
    expect(h.mempool.has(txid(child))).toBe(true);
    expect([...h.mempool.get(txid(child))!.parents]).toEqual([txid(t)]);
    expect([...h.mempool.get(txid(t))!.children]).toEqual([txid(child)]);
  });

  it('behavior: a tx of a disconnected block that conflicts with the new branch is not re-added', async () => {
    const h = await setup();
    const t = h.spendCb(1, 1_000n);
    const oldSpend = h.spendCb(2, 1_000n);
    const newSpend = h.spendCb(2, 2_000n);
    await h.process(h.builder.next(h.tip, { txs: [t, oldSpend] }));
    const branch = h.builder.extend(h.tip, 1, { txs: [newSpend] });
    const more = h.builder.next(branch[0]!);
    await h.process(branch[0]!, more);
    expect(h.chain.tip.hash).toBe(more.hash);
    expect(h.mempool.has(txid(t))).toBe(true);
    expect(h.mempool.has(txid(oldSpend))).toBe(false);
    expect(h.mempool.has(txid(newSpend))).toBe(false);
    expect(h.mempool.size).toBe(1);
  });

  it('behavior: a tx confirmed on both branches does not come back', async () => {
    const h = await setup();
    const t = h.spendCb(1, 1_000n);
    await h.process(h.builder.next(h.tip, { txs: [t] }));
    const y1 = h.builder.next(h.tip, { txs: [t], extraNonce: 1n });
    const y2 = h.builder.next(y1);
    await h.process(y1, y2);
    expect(h.chain.tip.hash).toBe(y2.hash);
    expect(h.mempool.has(txid(t))).toBe(false);
    expect(h.mempool.size).toBe(0);
  });

  it('behavior: a pool tx spending a coinbase of a disconnected block is evicted by the reorg', async () => {
    const h = await setup();
    // Old branch: five blocks on the tip, so the first one's coinbase is mature at the next height.
    const old = h.builder.extend(h.tip, 5);
    await h.process(...old);
    const s = h.builder.spend([h.builder.coinbaseOf(old[0]!)], [SUBSIDY - 1_000n]);
    const kept = h.spendCb(1, 1_000n);
    expect((await h.mempool.accept(s)).ok).toBe(true);
    expect((await h.mempool.accept(kept)).ok).toBe(true);

    const branch = h.builder.extend(h.tip, 6, { extraNonce: 1n });
    await h.process(...branch);
    expect(h.chain.tip.hash).toBe(branch[5]!.hash);
    expect(h.mempool.has(txid(s))).toBe(false);
    expect(h.mempool.has(txid(kept))).toBe(true);
    expect(h.mempool.spender(`${txid(old[0]!.block.txs[0]!)}:0`)).toBeUndefined();
  });

  it('behavior: an orphan whose parent confirms in a reorg\'s new branch is accepted', async () => {
    const h = await setup();
    await h.process(h.builder.next(h.tip));
    const parent = h.spendCb(1, 1_000n);
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 1_000n]);
    expectRejected(await h.mempool.accept(child), 'missing-inputs', false);
    const rival = h.builder.next(h.tip, { extraNonce: 1n });
    const withParent = h.builder.next(rival, { txs: [parent] });
    await h.process(rival, withParent);
    expect(h.chain.tip.hash).toBe(withParent.hash);
    expect(h.mempool.has(txid(child))).toBe(true);
    expect(h.mempool.orphanCount).toBe(0);
  });
});

describe('Mempool: fee-rate ordering and block selection', () => {
  it('behavior: sorted() is highest fee rate first', async () => {
    const h = await setup();
    const fees = [3_000n, 500n, 9_000n, 1_000n];
    const txs = fees.map((fee, i) => h.spendCb(i + 1, fee));
    for (const tx of txs) expect((await h.mempool.accept(tx)).ok).toBe(true);
    expect(h.mempool.sorted().map((e) => e.fee)).toEqual([9_000n, 3_000n, 1_000n, 500n]);
  });

  it('behavior: sorted() compares rates, not absolute fees', async () => {
    const h = await setup();
    // 2-in-1-out (247 bytes) paying 2_000 is a lower rate than 1-in-1-out (147 bytes) paying 1_500.
    const big = h.builder.spend([h.cb(1), h.cb(2)], [2n * SUBSIDY - 2_000n]);
    const small = h.spendCb(3, 1_500n);
    for (const tx of [big, small]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    expect(h.mempool.sorted().map((e) => e.txid)).toEqual([txid(small), txid(big)]);
  });

  it('behavior: selectForBlock respects maxBytes, puts parents first, and lets a high-fee child pull in its parent (CPFP)', async () => {
    const h = await setup();
    const parent = h.spendCb(1, BigInt(ONE_IN_ONE_OUT));
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 10_000n]);
    const medium = h.spendCb(2, 2_000n);
    for (const tx of [parent, child, medium]) expect((await h.mempool.accept(tx)).ok).toBe(true);

    const all = h.mempool.selectForBlock(1_000_000);
    expect(all.txs.map(txid)).toEqual([txid(parent), txid(child), txid(medium)]);
    expect(all.fees).toBe(BigInt(ONE_IN_ONE_OUT) + 10_000n + 2_000n);
    expect(all.bytes).toBe(3 * ONE_IN_ONE_OUT);

    const two = h.mempool.selectForBlock(2 * ONE_IN_ONE_OUT);
    expect(two.txs.map(txid)).toEqual([txid(parent), txid(child)]);
    expect(two.bytes).toBeLessThanOrEqual(2 * ONE_IN_ONE_OUT);

    // Room for one tx: the package does not fit, so the medium tx goes alone.
    const one = h.mempool.selectForBlock(ONE_IN_ONE_OUT);
    expect(one.txs.map(txid)).toEqual([txid(medium)]);
    expect(one.fees).toBe(2_000n);

    expect(h.mempool.selectForBlock(ONE_IN_ONE_OUT - 1)).toEqual({ txs: [], fees: 0n, bytes: 0 });
  });

  it('behavior: selection keeps a chain of three in order even when the grandchild pays the most', async () => {
    const h = await setup();
    const a = h.spendCb(1, 1_000n);
    const b = h.builder.spend([h.builder.output(a, 0)], [a.outputs[0]!.amount - 1_000n]);
    const c = h.builder.spend([h.builder.output(b, 0)], [b.outputs[0]!.amount - 100_000n]);
    const other = h.spendCb(2, 5_000n);
    for (const tx of [a, b, c, other]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    const selected = h.mempool.selectForBlock(1_000_000).txs.map(txid);
    expect(selected).toEqual([txid(a), txid(b), txid(c), txid(other)]);
  });
});
