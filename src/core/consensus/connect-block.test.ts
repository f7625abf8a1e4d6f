import { describe, expect, it } from 'vitest';
import { type BlockOutcome } from '../chain/chain.ts';
import { CoinCache, MapCoinView } from '../coins/coin-cache.ts';
import { outpointKey, type Coin, type OutpointKey } from '../coins/coin.ts';
import type { Block } from '../primitives/block.ts';
import { txidBytes, type Transaction } from '../primitives/transaction.ts';
import { ChainBuilder, resealBlock, type BuiltBlock } from '../testing/chain-builder.ts';
import { connectBlock, disconnectBlock } from './connect-block.ts';
import { regtestParams } from './networks.ts';
import { blockSubsidy } from './subsidy.ts';
import { openTestChain } from '../testing/test-chain.ts';

const subsidy = blockSubsidy(1, regtestParams);
const fee = 10_000n;

const setup = openTestChain;

type Setup = Awaited<ReturnType<typeof setup>>;

/** What a block rejected while connecting must leave untouched (its index entry is kept, marked invalid). */
function state({ chain, store }: Setup) {
  return { tip: chain.tip.hash, height: chain.height, storeTip: store.tip, coins: new Map(store.coins) };
}

async function grow(s: Setup, parent: BuiltBlock, n: number): Promise<BuiltBlock[]> {
  const blocks = s.b.extend(parent, n);
  for (const o of await s.chain.processBlocks(blocks.map((x) => x.block))) expect(o.status).toBe('connected');
  return blocks;
}

/** Processes a block that must fail to connect, and checks it changed nothing but its invalid index entry. */
async function expectConnectRejected(s: Setup, built: BuiltBlock, code: string): Promise<BlockOutcome> {
  const before = state(s);
  const outcome = await s.chain.processBlock(built.block);
  expect(outcome).toMatchObject({ status: 'rejected', hash: built.hash, rejection: { code, punish: true, permanent: true } });
  expect(state(s)).toEqual(before);
  expect(s.store.index.get(built.hash)?.invalid?.code).toBe(code);
  expect(s.chain.entry(built.hash)?.invalid?.code).toBe(code);
  return outcome;
}

/** The coin set after connecting `blocks` (heights 1..n) from scratch. */
function coinsAfter(blocks: readonly BuiltBlock[]): CoinCache {
  const coins = new CoinCache(new MapCoinView());
  for (const built of blocks) {
    const result = connectBlock(built.block, built.height, coins, regtestParams);
    if (!result.ok) throw new Error(result.message);
  }
  return coins;
}

function keyOf(tx: Transaction, vout = 0): OutpointKey {
  return outpointKey(txidBytes(tx), vout);
}

describe('connectBlock / disconnectBlock', () => {
  it('behavior: connecting adds every output (coinbase flagged) and returns the spent coins as undo data', () => {
    const b = new ChainBuilder();
    const base = b.extend(b.genesis, 6);
    const coins = coinsAfter(base);
    expect(coins.added.size).toBe(6);
    const cb1 = base[0]!.block.txs[0]!;
    expect(coins.getCoin(keyOf(cb1))).toEqual({ amount: subsidy, publicKey: b.key.publicKey, height: 1, coinbase: true });

    const t = b.spend([b.coinbaseOf(base[0]!)], [subsidy - fee - 100_000n, 100_000n]);
    const child = b.spend([b.output(t, 1)], [100_000n - fee / 2n]);
    const block = b.next(base[5]!, { txs: [t, child] });
    const result = connectBlock(block.block, 7, coins, regtestParams);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.fees).toBe(fee + fee / 2n);
    // Output 1 of t was created and spent in the block: not undo data.
    expect(result.value.spent).toEqual([{ key: keyOf(cb1), amount: subsidy, publicKey: b.key.publicKey, height: 1, coinbase: true }]);
    expect(coins.getCoin(keyOf(cb1))).toBeUndefined();
    expect(coins.getCoin(keyOf(t, 0))).toEqual({ amount: subsidy - fee - 100_000n, publicKey: b.key.publicKey, height: 7, coinbase: false });
    expect(coins.getCoin(keyOf(t, 1))).toBeUndefined();
    expect(coins.getCoin(keyOf(child))?.amount).toBe(100_000n - fee / 2n);
    expect(coins.getCoin(keyOf(block.block.txs[0]!))?.amount).toBe(subsidy + fee + fee / 2n);

    disconnectBlock(block.block, result.value.spent, coins);
    const fresh = coinsAfter(base);
    const keys = [keyOf(cb1), keyOf(t, 0), keyOf(t, 1), keyOf(child), keyOf(block.block.txs[0]!), ...base.map((x) => keyOf(x.block.txs[0]!))];
    for (const k of keys) expect(coins.getCoin(k), k).toEqual(fresh.getCoin(k));
  });

  it('error: a rejected block leaves the caller\'s cache untouched', () => {
    const b = new ChainBuilder();
    const base = b.extend(b.genesis, 6);
    const coins = coinsAfter(base);
    const snapshot = { added: new Map(coins.added), spent: new Set(coins.spent) };
    const t = b.spend([b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const over = b.next(base[5]!, { txs: [t], coinbaseExtra: 1n });
    expect(connectBlock(over.block, 7, coins, regtestParams)).toMatchObject({ ok: false, code: 'bad-cb-amount' });
    const double = b.next(base[5]!, { txs: [t, b.spend([b.coinbaseOf(base[0]!)], [subsidy - 2n * fee])] });
    expect(connectBlock(double.block, 7, coins, regtestParams)).toMatchObject({ ok: false, code: 'bad-txns-inputs-missingorspent' });
    expect({ added: new Map(coins.added), spent: new Set(coins.spent) }).toEqual(snapshot);
  });

  it('behavior: signatures are verified unless told not to', () => {
    const b = new ChainBuilder();
    const base = b.extend(b.genesis, 6);
    const t = b.spend([b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const sig = t.inputs[0]!.signature.slice();
    sig[0] = sig[0]! ^ 1;
    const forged: Transaction = { ...t, inputs: [{ ...t.inputs[0]!, signature: sig }] };
    const block = b.next(base[5]!, { txs: [forged] });
    expect(connectBlock(block.block, 7, coinsAfter(base), regtestParams)).toMatchObject({ ok: false, code: 'bad-txns-sig' });
    expect(connectBlock(block.block, 7, coinsAfter(base), regtestParams, false).ok).toBe(true);
  });

  it('behavior: a block spending coins it did not create can be connected on any view holding them', () => {
    const key = `${'ab'.repeat(32)}:0`;
    const coin: Coin = { amount: 5n, publicKey: new Uint8Array(32), height: 1, coinbase: false };
    const view = new CoinCache(new MapCoinView(new Map([[key, coin]])));
    const b = new ChainBuilder();
    const block = b.next(b.genesis);
    expect(connectBlock(block.block, 1, view, regtestParams).ok).toBe(true);
    expect(view.getCoin(key)).toBe(coin);
  });
});

describe('connecting blocks through the chain', () => {
  it('behavior: a coinbase paying exactly subsidy + fees connects; one unit more is bad-cb-amount', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const over = s.b.next(base[5]!, { txs: [t], coinbaseExtra: 1n });
    expect(over.block.txs[0]!.outputs[0]!.amount).toBe(subsidy + fee + 1n);
    await expectConnectRejected(s, over, 'bad-cb-amount');
    const exact = s.b.next(base[5]!, { txs: [t] });
    expect(await s.chain.processBlock(exact.block)).toEqual({ status: 'connected', hash: exact.hash, height: 7 });
    expect(s.store.coins.get(keyOf(exact.block.txs[0]!))?.amount).toBe(subsidy + fee);
  });

  it('behavior: a coinbase paying less than allowed connects (the rest is never created)', async () => {
    const s = await setup();
    const under = s.b.next(s.b.genesis, { coinbaseExtra: -1n });
    expect(await s.chain.processBlock(under.block)).toMatchObject({ status: 'connected' });
  });

  it('error: two txs spending one output in a block is bad-txns-inputs-missingorspent', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const a = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const c = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - 2n * fee]);
    await expectConnectRejected(s, s.b.next(base[5]!, { txs: [a, c] }), 'bad-txns-inputs-missingorspent');
  });

  it('error: one tx listing an input twice is bad-txns-inputs-duplicate, caught before the block is stored', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const dup = s.b.spend([s.b.coinbaseOf(base[0]!), s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const block = s.b.next(base[5]!, { txs: [dup] });
    const before = { ...state(s), index: s.store.index.size, writes: s.store.writes };
    expect(await s.chain.processBlock(block.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-txns-inputs-duplicate', punish: true, permanent: true } });
    expect({ ...state(s), index: s.store.index.size, writes: s.store.writes }).toEqual(before);
    expect(s.store.index.has(block.hash)).toBe(false);
  });

  it('error: spending an output created later in the block is missing; created earlier connects', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const parentTx = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const childTx = s.b.spend([s.b.output(parentTx, 0)], [subsidy - 2n * fee]);
    await expectConnectRejected(s, s.b.next(base[5]!, { txs: [childTx, parentTx] }), 'bad-txns-inputs-missingorspent');
    const good = s.b.next(base[5]!, { txs: [parentTx, childTx] });
    expect(await s.chain.processBlock(good.block)).toEqual({ status: 'connected', hash: good.hash, height: 7 });
    expect(s.store.coins.has(keyOf(parentTx))).toBe(false);
    expect(s.store.coins.get(keyOf(childTx))).toEqual({ amount: subsidy - 2n * fee, publicKey: s.b.key.publicKey, height: 7, coinbase: false });
    expect(s.store.undo.get(good.hash)?.map((c) => c.key)).toEqual([keyOf(base[0]!.block.txs[0]!)]);
  });

  it('error: spending a coin already spent in an earlier block is missing', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const a = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const [b7] = s.b.extend(base[5]!, 1, { txs: [a] });
    expect(await s.chain.processBlock(b7!.block)).toMatchObject({ status: 'connected' });
    const again = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - 2n * fee]);
    await expectConnectRejected(s, s.b.next(b7!, { txs: [again] }), 'bad-txns-inputs-missingorspent');
  });

  it('error: a coinbase spent one block before maturity is premature; at maturity (height h + 5) it connects', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 4);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    // Coinbase of height 1 in a block of height 5: one block early.
    const early = s.b.next(base[3]!, { txs: [t] });
    expect(early.height).toBe(1 + regtestParams.coinbaseMaturity - 1);
    await expectConnectRejected(s, early, 'bad-txns-premature-spend-of-coinbase');
    const [b5] = await grow(s, base[3]!, 1);
    const onTime = s.b.next(b5!, { txs: [t] });
    expect(onTime.height).toBe(1 + regtestParams.coinbaseMaturity);
    expect(await s.chain.processBlock(onTime.block)).toEqual({ status: 'connected', hash: onTime.hash, height: 6 });
  });

  it('error: a bad signature is bad-txns-sig', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy - fee]);
    const sig = t.inputs[0]!.signature.slice();
    sig[5] = sig[5]! ^ 0x80;
    const forged: Transaction = { ...t, inputs: [{ ...t.inputs[0]!, signature: sig }] };
    await expectConnectRejected(s, s.b.next(base[5]!, { txs: [forged] }), 'bad-txns-sig');
  });

  it('error: outputs above inputs is bad-txns-in-belowout', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const t = s.b.spend([s.b.coinbaseOf(base[0]!)], [subsidy + 1n]);
    // The builder would make the coinbase claim the negative fee: pay the plain subsidy instead.
    const built = s.b.next(base[5]!, { txs: [t], coinbaseExtra: 1n });
    await expectConnectRejected(s, built, 'bad-txns-in-belowout');
  });

  it('error: genesis outputs are never added, so spending them is missing', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const genesisCoinbase = regtestParams.genesis.txs[0]!;
    expect(s.store.coins.has(keyOf(genesisCoinbase))).toBe(false);
    const t = s.b.spend([s.b.output(genesisCoinbase, 0)], [1000n]);
    const block: Block = resealBlock({ header: s.b.next(base[5]!).block.header, txs: [s.b.next(base[5]!).block.txs[0]!, t] });
    const built = s.b.wrap(block, base[5]!);
    await expectConnectRejected(s, built, 'bad-txns-inputs-missingorspent');
  });
});
