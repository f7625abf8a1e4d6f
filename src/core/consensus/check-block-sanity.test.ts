import { describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { blockSize, type Block } from '../primitives/block.ts';
import { blockHash } from '../primitives/header.ts';
import type { Transaction } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock, mineHeader, resealBlock, unmineHeader, type BuiltBlock } from '../testing/chain-builder.ts';
import { checkBlockSanity, checkHeaderSanity } from './check-block-sanity.ts';
import { regtestParams } from './networks.ts';
import type { NetworkParams } from './params.ts';
import { blockSubsidy } from './subsidy.ts';

async function setup(params: NetworkParams = regtestParams) {
  const b = new ChainBuilder();
  const store = new MemoryChainStore();
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const chain = await Chain.open({ params, store, clock });
  return { b, store, clock, chain };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** What a rejected block must leave untouched. */
function snapshot({ chain, store }: Setup) {
  return { tip: chain.tip.hash, height: chain.height, storeTip: store.tip, coins: new Map(store.coins), index: store.index.size, writes: store.writes };
}

/** Processes `n` plain blocks on top of `parent` and returns them. */
async function grow(s: Setup, parent: BuiltBlock, n: number): Promise<BuiltBlock[]> {
  const blocks = s.b.extend(parent, n);
  for (const o of await s.chain.processBlocks(blocks.map((x) => x.block))) expect(o.status).toBe('connected');
  return blocks;
}

const fee = 10_000n;

/** The same block with the coinbase memo set to `length` bytes, merkle root recomputed and mined. */
function withCoinbaseMemo(block: Block, length: number): Block {
  const [cb, ...rest] = block.txs;
  return resealBlock({ header: block.header, txs: [{ ...cb!, memo: new Uint8Array(length).fill(0x61) }, ...rest] });
}

describe('checkBlockSanity', () => {
  it('behavior: a block the builder made passes; so does the genesis block', () => {
    const b = new ChainBuilder();
    expect(checkBlockSanity(b.next(b.genesis).block, regtestParams)).toBeUndefined();
    expect(checkBlockSanity(regtestParams.genesis, regtestParams)).toBeUndefined();
    expect(checkHeaderSanity(regtestParams.genesis.header)).toBeUndefined();
  });

  it('error: hash above the target of its bits is high-hash (punish, permanent)', () => {
    const b = new ChainBuilder();
    const built = b.next(b.genesis);
    const header = unmineHeader(built.block.header);
    expect(checkHeaderSanity(header)).toMatchObject({ code: 'high-hash', punish: true, permanent: true });
    expect(checkBlockSanity({ header, txs: built.block.txs }, regtestParams)).toMatchObject({ code: 'high-hash' });
  });

  it('error: unusable bits (zero, negative, overflowing) never satisfy proof of work', () => {
    const b = new ChainBuilder();
    const header = b.next(b.genesis).block.header;
    for (const bits of [0, 0x00800000 | 0x20000001, 0x23ffffff]) {
      expect(checkHeaderSanity({ ...header, bits }), `bits 0x${bits.toString(16)}`).toMatchObject({ code: 'high-hash' });
    }
  });

  it('error: structure rules in order: empty, coinbase missing, second coinbase', () => {
    const b = new ChainBuilder();
    const [b1] = b.extend(b.genesis, 1);
    const cb = b1!.block.txs[0]!;
    const spend = b.spend([b.coinbaseOf(b1!)], [blockSubsidy(1, regtestParams) - fee]);
    const cb2: Transaction = { ...cb, coinbase: { height: 1, extraNonce: 1n } };
    const header = b.next(b1!).block.header;
    expect(checkBlockSanity(resealBlock({ header, txs: [] }), regtestParams)).toMatchObject({ code: 'bad-blk-empty', punish: true, permanent: false });
    expect(checkBlockSanity(resealBlock({ header, txs: [spend] }), regtestParams)).toMatchObject({ code: 'bad-cb-missing', punish: true, permanent: false });
    expect(checkBlockSanity(resealBlock({ header, txs: [cb, cb2] }), regtestParams)).toMatchObject({ code: 'bad-cb-multiple', punish: true, permanent: false });
  });

  it('behavior: the size is checked before any tx is hashed (a tx that cannot even be encoded)', () => {
    const b = new ChainBuilder();
    const built = b.next(b.genesis);
    const size = blockSize(built.block);
    const malformed: Transaction = { ...built.block.txs[0]!, outputs: [{ amount: 1n, publicKey: new Uint8Array(31) }] };
    const block: Block = { header: built.block.header, txs: [built.block.txs[0]!, malformed] };
    const params = { ...regtestParams, limits: { ...regtestParams.limits, maxBlockSize: size } };
    expect(checkBlockSanity(block, params)).toMatchObject({ code: 'bad-blk-length', punish: true, permanent: false });
  });

  it('error: a tx that breaks a tx rule is reported with its index', () => {
    const b = new ChainBuilder();
    const built = b.next(b.genesis);
    const cb = built.block.txs[0]!;
    const block = resealBlock({ header: built.block.header, txs: [{ ...cb, outputs: [{ ...cb.outputs[0]!, amount: 0n }] }] });
    const rejection = checkBlockSanity(block, regtestParams);
    expect(rejection).toMatchObject({ code: 'bad-txns-vout-zero', punish: true, permanent: true });
    expect(rejection?.message).toMatch(/^tx 0: /);
  });
});

describe('block sanity through the chain', () => {
  it('error: hash above target is high-hash, punished, and the header is never stored', async () => {
    const s = await setup();
    const built = s.b.next(s.b.genesis);
    const block = { header: unmineHeader(built.block.header), txs: built.block.txs };
    const hash = blockHash(block.header);
    const before = snapshot(s);
    const outcome = await s.chain.processBlock(block);
    expect(outcome).toMatchObject({ status: 'rejected', hash, rejection: { code: 'high-hash', punish: true, permanent: true } });
    expect(snapshot(s)).toEqual(before);
    expect(s.store.index.has(hash)).toBe(false);
    expect(s.chain.entry(hash)).toBeUndefined();
    // Remembered as invalid: the same bytes again are rejected the same way.
    expect(await s.chain.processBlock(block)).toMatchObject({ status: 'rejected', rejection: { code: 'high-hash' } });
  });

  it('error: an orphan (unknown parent) with a hash above its target is high-hash, not pooled', async () => {
    const s = await setup();
    const [b1] = s.b.extend(s.b.genesis, 1);
    const b2 = s.b.next(b1!);
    const block = { header: unmineHeader(b2.block.header), txs: b2.block.txs };
    const outcome = await s.chain.processBlock(block);
    expect(outcome).toMatchObject({ status: 'rejected', rejection: { code: 'high-hash', punish: true } });
    expect(s.chain.orphanCount).toBe(0);
  });

  it('error: a merkle root that does not match the txs is bad-txnmrklroot (punish, not permanent), not stored', async () => {
    const s = await setup();
    const built = s.b.next(s.b.genesis);
    const block = { header: mineHeader({ ...built.block.header, merkleRoot: new Uint8Array(32).fill(1) }), txs: built.block.txs };
    const hash = blockHash(block.header);
    const before = snapshot(s);
    const outcome = await s.chain.processBlock(block);
    expect(outcome).toMatchObject({ status: 'rejected', hash, rejection: { code: 'bad-txnmrklroot', punish: true, permanent: false } });
    expect(snapshot(s)).toEqual(before);
    expect(s.store.index.has(hash)).toBe(false);
    expect(await s.chain.processBlock(built.block)).toMatchObject({ status: 'connected', hash: built.hash, height: 1 });
  });

  it('error: CVE-2012-2459, a repeated last tx keeping the root, is bad-txns-duplicate; the honest twin with the same hash connects', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 7);
    const t1 = s.b.spend([s.b.coinbaseOf(base[0]!)], [blockSubsidy(1, regtestParams) - fee]);
    const t2 = s.b.spend([s.b.coinbaseOf(base[1]!)], [blockSubsidy(2, regtestParams) - fee]);
    const honest = s.b.next(base[6]!, { txs: [t1, t2] });
    const mutated: Block = { header: honest.block.header, txs: [...honest.block.txs, t2] };
    expect(blockHash(mutated.header)).toBe(honest.hash);
    const before = snapshot(s);
    const outcome = await s.chain.processBlock(mutated);
    expect(outcome).toMatchObject({ status: 'rejected', hash: honest.hash, rejection: { code: 'bad-txns-duplicate', punish: true, permanent: false } });
    expect(snapshot(s)).toEqual(before);
    expect(s.store.index.has(honest.hash)).toBe(false);
    expect(s.chain.entry(honest.hash)).toBeUndefined();
    expect(await s.chain.processBlock(honest.block)).toEqual({ status: 'connected', hash: honest.hash, height: 8 });
    expect(s.chain.tip.hash).toBe(honest.hash);
  });

  it('error: no txs is bad-blk-empty; first tx not a coinbase is bad-cb-missing; a second coinbase is bad-cb-multiple', async () => {
    const s = await setup();
    const base = await grow(s, s.b.genesis, 6);
    const parent = base[5]!;
    const plain = s.b.next(parent);
    const cb = plain.block.txs[0]!;
    const spend = s.b.spend([s.b.coinbaseOf(base[0]!)], [blockSubsidy(1, regtestParams) - fee]);
    const cases: [Block, string][] = [
      [resealBlock({ header: plain.block.header, txs: [] }), 'bad-blk-empty'],
      [resealBlock({ header: plain.block.header, txs: [spend] }), 'bad-cb-missing'],
      [resealBlock({ header: plain.block.header, txs: [spend, cb] }), 'bad-cb-missing'],
      [resealBlock({ header: plain.block.header, txs: [cb, { ...cb, coinbase: { height: 7, extraNonce: 5n } }] }), 'bad-cb-multiple'],
      [resealBlock({ header: plain.block.header, txs: [cb, spend, { ...cb, coinbase: { height: 7, extraNonce: 5n } }] }), 'bad-cb-multiple'],
    ];
    for (const [block, code] of cases) {
      const hash = blockHash(block.header);
      const before = snapshot(s);
      const outcome = await s.chain.processBlock(block);
      expect(outcome, code).toMatchObject({ status: 'rejected', rejection: { code, punish: true, permanent: false } });
      expect(snapshot(s), code).toEqual(before);
      expect(s.store.index.has(hash), code).toBe(false);
    }
    expect(await s.chain.processBlock(plain.block)).toMatchObject({ status: 'connected', height: 7 });
  });

  describe('size limit', () => {
    // Block 1 with a coinbase memo of 60 bytes (larger than the genesis block, so every stored
    // block decodes under the small limit).
    const b = new ChainBuilder();
    const plain = b.next(b.genesis);
    const exact = withCoinbaseMemo(plain.block, 60);
    const limit = blockSize(exact);
    const params: NetworkParams = { ...regtestParams, limits: { ...regtestParams.limits, maxBlockSize: limit } };

    it('behavior: a block of exactly maxBlockSize bytes is accepted', async () => {
      const s = await setup(params);
      expect(blockSize(exact)).toBe(limit);
      expect(await s.chain.processBlock(exact)).toMatchObject({ status: 'connected', height: 1 });
      expect(s.chain.tip.hash).toBe(blockHash(exact.header));
    });

    it('error: one byte more is bad-blk-length (punish, not permanent), not stored', async () => {
      const s = await setup(params);
      const over = withCoinbaseMemo(plain.block, 61);
      expect(blockSize(over)).toBe(limit + 1);
      const before = snapshot(s);
      const outcome = await s.chain.processBlock(over);
      expect(outcome).toMatchObject({ status: 'rejected', rejection: { code: 'bad-blk-length', punish: true, permanent: false } });
      expect(snapshot(s)).toEqual(before);
      expect(s.store.index.has(blockHash(over.header))).toBe(false);
    });

    it('error: an oversized block with a wrong merkle root reports bad-blk-length (size is checked first)', async () => {
      const s = await setup(params);
      const over = withCoinbaseMemo(plain.block, 61);
      const wrongRoot: Block = { header: mineHeader({ ...over.header, merkleRoot: new Uint8Array(32) }), txs: over.txs };
      expect(checkBlockSanity({ header: wrongRoot.header, txs: exact.txs }, params)).toMatchObject({ code: 'bad-txnmrklroot' });
      const outcome = await s.chain.processBlock(wrongRoot);
      expect(outcome).toMatchObject({ status: 'rejected', rejection: { code: 'bad-blk-length' } });
      expect(s.chain.height).toBe(0);
    });
  });
});
