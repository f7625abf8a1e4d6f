import { describe, expect, it } from 'vitest';
import {
  Chain,
  HEADER_SIZE,
  MemoryChainStore,
  Mempool,
  blockSize,
  blockSubsidy,
  bytesEqual,
  coinbaseTx,
  computeMerkleRoot,
  createBlockTemplate,
  hashToHex,
  headerHash,
  regtestParams,
  txSize,
  txid,
  txidBytes,
  varintSize,
  withCoinbase,
  type Block,
  type MempoolEvents,
  type Transaction,
} from '../index.ts';
import { ChainBuilder, ManualClock, mineHeader, resealBlock, testKey } from '../testing/chain-builder.ts';

const SUBSIDY = 5_000_000_000n;
const ONE_IN_ONE_OUT = 147;
const payTo = testKey(3).publicKey;

/** A 12-block test chain (coinbases of blocks[0..7] mature) with a mempool following its tip. */
async function setup() {
  const builder = new ChainBuilder();
  const store = new MemoryChainStore();
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const chain = await Chain.open({ params: regtestParams, store, clock });
  const mempool = new Mempool({ params: regtestParams, fetchCoins: (k) => chain.getCoins(k), tip: () => chain.tip, clock });
  let synced: Promise<void> = Promise.resolve();
  chain.on('tip-changed', (e) => {
    synced = mempool.onTipChanged(e);
  });
  const removed: MempoolEvents['tx-removed'][] = [];
  mempool.on('tx-removed', (e) => removed.push(e));
  const blocks = builder.extend(builder.genesis, 12);
  await chain.processBlocks(blocks.map((b) => b.block));
  await synced;
  return {
    builder,
    clock,
    chain,
    mempool,
    blocks,
    removed,
    spendCb: (i: number, fee: bigint): Transaction => builder.spend([builder.coinbaseOf(blocks[i]!)], [SUBSIDY - fee]),
    template: (select: (n: number) => { txs: readonly Transaction[]; fees: bigint } = (n) => mempool.selectForBlock(n), now?: number) =>
      createBlockTemplate({ params: regtestParams, context: chain.nextBlockContext(now), select, payTo }),
    async process(block: Block) {
      const outcome = await chain.processBlock(block);
      await synced;
      return outcome;
    },
  };
}

const mined = (tpl: Block): Block => ({ ...tpl, header: mineHeader(tpl.header) });
const paid = (block: Block): bigint => block.txs[0]!.outputs.reduce((s, o) => s + o.amount, 0n);

describe('createBlockTemplate', () => {
  it('behavior: a template of the whole pool connects, pays exactly subsidy + fees, and empties the pool', async () => {
    const h = await setup();
    const parent = h.spendCb(1, BigInt(ONE_IN_ONE_OUT));
    const child = h.builder.spend([h.builder.output(parent, 0)], [parent.outputs[0]!.amount - 10_000n]);
    const other = h.spendCb(2, 2_000n);
    const another = h.spendCb(3, 3_000n);
    for (const tx of [parent, child, other, another]) expect((await h.mempool.accept(tx)).ok).toBe(true);
    const fees = BigInt(ONE_IN_ONE_OUT) + 10_000n + 2_000n + 3_000n;

    const tpl = h.template();
    expect(tpl.txs).toHaveLength(5);
    expect(tpl.txs.slice(1).map(txid)).toEqual([parent, child, another, other].map(txid));
    const coinbase = tpl.txs[0]!;
    expect(coinbase.inputs).toEqual([]);
    expect(coinbase.coinbase).toEqual({ height: 13, extraNonce: 0n });
    expect(coinbase.outputs).toEqual([{ amount: blockSubsidy(13, regtestParams) + fees, publicKey: payTo }]);
    expect(paid(tpl)).toBe(SUBSIDY + fees);

    const block = mined(tpl);
    expect(block.header.merkleRoot).toEqual(tpl.header.merkleRoot);
    const outcome = await h.process(block);
    expect(outcome).toEqual({ status: 'connected', hash: hashToHex(headerHash(block.header)), height: 13 });
    expect(h.mempool.size).toBe(0);
    expect(h.mempool.totalBytes).toBe(0);
    expect(h.removed.map((r) => r.reason)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed']);
    expect(h.removed.map((r) => r.txid).sort()).toEqual([parent, child, other, another].map(txid).sort());
  });

  it('behavior: an empty pool gives a coinbase-only block paying the subsidy, which connects', async () => {
    const h = await setup();
    const tpl = h.template();
    expect(tpl.txs).toHaveLength(1);
    expect(paid(tpl)).toBe(SUBSIDY);
    expect(tpl.header.merkleRoot).toEqual(txidBytes(tpl.txs[0]!));
    expect((await h.process(mined(tpl))).status).toBe('connected');
  });

  it('behavior: the header builds on the tip with the bits the chain demands and nonce 0', async () => {
    const h = await setup();
    const context = h.chain.nextBlockContext();
    const tpl = h.template();
    expect(hashToHex(tpl.header.prevHash)).toBe(h.chain.tip.hash);
    expect(tpl.header.bits).toBe(context.expectedBits);
    expect(tpl.header.version).toBe(1);
    expect(tpl.header.nonce).toBe(0);
    expect(tpl.header.merkleRoot).toEqual(computeMerkleRoot(tpl.txs.map(txidBytes)).root);
  });

  it('behavior: template time is now when now is past the median time past', async () => {
    const h = await setup();
    const tpl = h.template();
    expect(h.clock.now()).toBeGreaterThan(h.chain.medianTimePast());
    expect(tpl.header.time).toBe(h.clock.now());
  });

  it('behavior: template time is median time past + 1 when the clock is behind it, and the block connects', async () => {
    const h = await setup();
    const mtp = h.chain.medianTimePast();
    const tpl = h.template(undefined, mtp - 50);
    expect(tpl.header.time).toBe(mtp + 1);
    expect((await h.process(mined(tpl))).status).toBe('connected');
  });

  it('behavior: select is offered the block size minus header, tx count and coinbase room', async () => {
    const h = await setup();
    let offered = 0;
    h.template((n) => {
      offered = n;
      return { txs: [], fees: 0n };
    });
    const coinbaseRoom = txSize(coinbaseTx(13, regtestParams.maxMoney, payTo));
    const max = regtestParams.limits.maxBlockSize;
    expect(offered).toBe(max - HEADER_SIZE - varintSize(max) - coinbaseRoom);
  });

  it('behavior: with a tiny select budget the lower-fee txs are left out, and they stay in the pool', async () => {
    const h = await setup();
    const txs = [h.spendCb(1, 1_000n), h.spendCb(2, 5_000n), h.spendCb(3, 3_000n)];
    for (const tx of txs) expect((await h.mempool.accept(tx)).ok).toBe(true);
    const tpl = h.template((n) => h.mempool.selectForBlock(Math.min(n, ONE_IN_ONE_OUT)));
    expect(tpl.txs.slice(1).map(txid)).toEqual([txid(txs[1]!)]);
    expect(paid(tpl)).toBe(SUBSIDY + 5_000n);
    expect((await h.process(mined(tpl))).status).toBe('connected');
    expect(h.mempool.size).toBe(2);
    expect(h.mempool.has(txid(txs[0]!))).toBe(true);
    expect(h.mempool.has(txid(txs[2]!))).toBe(true);
    expect(h.mempool.has(txid(txs[1]!))).toBe(false);
  });

  it('behavior: withCoinbase with a new extraNonce changes the merkle root and the block still connects', async () => {
    const h = await setup();
    const tx = h.spendCb(1, 2_000n);
    expect((await h.mempool.accept(tx)).ok).toBe(true);
    const tpl = h.template();
    const original = tpl.txs[0]!;
    const renewed = coinbaseTx(original.coinbase!.height, original.outputs[0]!.amount, payTo, 1n);
    const rolled = withCoinbase(tpl, renewed);
    expect(bytesEqual(rolled.header.merkleRoot, tpl.header.merkleRoot)).toBe(false);
    expect(rolled.header.merkleRoot).toEqual(computeMerkleRoot(rolled.txs.map(txidBytes)).root);
    expect(rolled.txs.slice(1)).toEqual(tpl.txs.slice(1));
    expect(rolled.txs[0]!.coinbase!.extraNonce).toBe(1n);
    expect({ ...rolled.header, merkleRoot: undefined }).toEqual({ ...tpl.header, merkleRoot: undefined });
    expect((await h.process(mined(rolled))).status).toBe('connected');
    expect(h.mempool.size).toBe(0);
  });

  it('behavior: the coinbase memo and extraNonce of the input are used', async () => {
    const h = await setup();
    const memo = new TextEncoder().encode('mined in a tab');
    const tpl = createBlockTemplate({ params: regtestParams, context: h.chain.nextBlockContext(), select: (n) => h.mempool.selectForBlock(n), payTo, extraNonce: 7n, memo });
    expect(tpl.txs[0]!.memo).toEqual(memo);
    expect(tpl.txs[0]!.coinbase!.extraNonce).toBe(7n);
    expect((await h.process(mined(tpl))).status).toBe('connected');
  });

  it('error: a coinbase paying one unit more than subsidy + fees is rejected with bad-cb-amount', async () => {
    const h = await setup();
    expect((await h.mempool.accept(h.spendCb(1, 2_000n))).ok).toBe(true);
    const tpl = h.template();
    const greedy = coinbaseTx(13, paid(tpl) + 1n, payTo);
    const outcome = await h.process(resealBlock(withCoinbase(tpl, greedy)));
    expect(outcome.status).toBe('rejected');
    expect(outcome.status === 'rejected' && outcome.rejection.code).toBe('bad-cb-amount');
    expect(h.mempool.size).toBe(1);
  });

  it('behavior: a full-pool template fits the block size limit', async () => {
    const h = await setup();
    for (let i = 1; i <= 7; i++) expect((await h.mempool.accept(h.spendCb(i, BigInt(1_000 * i)))).ok).toBe(true);
    const tpl = h.template();
    expect(tpl.txs).toHaveLength(8);
    expect(blockSize(tpl)).toBeLessThanOrEqual(regtestParams.limits.maxBlockSize);
    expect((await h.process(mined(tpl))).status).toBe('connected');
    expect(h.mempool.size).toBe(0);
  });
});
