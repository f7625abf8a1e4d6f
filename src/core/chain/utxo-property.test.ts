/**
 * Test-plan H.44: whatever sequence of extensions, forks (with more, equal or less work) and
 * reorgs the chain goes through, the store's coin set is the coin set rebuilt from scratch by
 * applying the active chain's blocks from genesis; and its address index (issue 15, part 5) is
 * what a full scan of the active chain finds, for every key, page by page.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { regtestParams } from '../consensus/networks.ts';
import { bytesEqual, bytesToHex, hexToBytes, hexToHash } from '../encoding/hex.ts';
import type { Transaction, TxOutput } from '../primitives/transaction.ts';
import { txid, txidBytes } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock, testKey, type BuiltBlock } from '../testing/chain-builder.ts';
import type { AddressTx } from '../ports/chain-store.ts';
import { Chain } from './chain.ts';
import { outpointKey, type Coin, type OutpointKey } from '../coins/coin.ts';
import { MemoryChainStore } from './memory-chain-store.ts';
import type { Block } from '../primitives/block.ts';

type Coins = Map<OutpointKey, Coin>;

/** Applies a block's txs to a coin set (genesis is never applied: its outputs are never added). */
function applyBlock(coins: Coins, block: Block, height: number): void {
  block.txs.forEach((tx, i) => {
    for (const input of tx.inputs) coins.delete(outpointKey(input.prevTxid, input.vout));
    const id = txidBytes(tx);
    tx.outputs.forEach((o, vout) => coins.set(outpointKey(id, vout), { amount: o.amount, publicKey: o.publicKey, height, coinbase: i === 0 }));
  });
}

/** The coin set rebuilt from scratch by walking the chain's active blocks from genesis. */
async function rebuild(chain: Chain): Promise<{ coins: Coins; blocks: Block[] }> {
  const coins: Coins = new Map();
  const blocks: Block[] = [(await chain.getBlock(chain.entryAt(0)!.hash))!];
  for (let h = 1; h <= chain.height; h++) {
    const block = await chain.getBlock(chain.entryAt(h)!.hash);
    if (!block) throw new Error(`active block at ${h} has no body`);
    applyBlock(coins, block, h);
    blocks.push(block);
  }
  return { coins, blocks };
}

/**
 * Every key's txs found by reading the active chain from genesis with a map of every output
 * ever made (not undo data, as the index is built): oldest first.
 */
function scanAddresses(blocks: readonly Block[]): Map<string, AddressTx[]> {
  const outputs = new Map<OutpointKey, TxOutput>();
  const found = new Map<string, AddressTx[]>();
  for (const [h, block] of blocks.entries()) {
    block.txs.forEach((tx, position) => {
      const sums = new Map<string, { received: bigint; sent: bigint }>();
      const sum = (key: Uint8Array) => sums.get(bytesToHex(key)) ?? sums.set(bytesToHex(key), { received: 0n, sent: 0n }).get(bytesToHex(key))!;
      for (const input of tx.inputs) {
        const out = outputs.get(outpointKey(input.prevTxid, input.vout))!;
        sum(out.publicKey).sent += out.amount;
      }
      tx.outputs.forEach((out, vout) => {
        sum(out.publicKey).received += out.amount;
        outputs.set(outpointKey(txidBytes(tx), vout), out);
      });
      for (const [key, { received, sent }] of sums) {
        const list = found.get(key) ?? found.set(key, []).get(key)!;
        list.push({ height: h, position, txid: txid(tx), received, sent });
      }
    });
  }
  return found;
}

/** Keys some outputs pay besides the builder's (never spent: the builder cannot sign for them). */
const OTHER_KEYS = [testKey(2).publicKey, testKey(3).publicKey];

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Op {
  readonly kind: 'extend' | 'fork' | 'reopen';
  /** Fork: how far below the tip the branch starts. */
  readonly back: number;
  /** Blocks to build. */
  readonly n: number;
  /** Spends per block, at most. */
  readonly spends: number;
  /** Fork: confirm again the txs of the blocks the fork would take off the active chain. */
  readonly replay: boolean;
  /** Hand the blocks over in one batch (else one by one). */
  readonly batch: boolean;
  readonly seed: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('extend', 'extend', 'fork', 'fork', 'fork', 'reopen'),
  back: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 7 }),
  spends: fc.integer({ min: 0, max: 2 }),
  replay: fc.boolean(),
  batch: fc.boolean(),
  seed: fc.integer(),
});

const maturity = regtestParams.coinbaseMaturity;

class World {
  readonly b = new ChainBuilder();
  readonly store = new MemoryChainStore();
  readonly clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  readonly built = new Map<string, BuiltBlock>([[this.b.genesis.hash, this.b.genesis]]);
  private readonly coinMemo = new Map<string, Coins>([[this.b.genesis.hash, new Map()]]);
  private extraNonce = 0n;
  chain!: Chain;

  async open(): Promise<void> {
    this.chain = await Chain.open({ params: regtestParams, store: this.store, clock: this.clock });
  }

  /** The model's coin set after a built block. */
  coinsAfter(block: BuiltBlock): Coins {
    const memo = this.coinMemo.get(block.hash);
    if (memo) return memo;
    const coins = new Map(this.coinsAfter(block.parent!));
    applyBlock(coins, block.block, block.height);
    this.coinMemo.set(block.hash, coins);
    return coins;
  }

  /** A child of `parent` spending random mature coins (some in chains inside the block), plus `replay` txs that still fit. */
  buildChild(parent: BuiltBlock, spends: number, random: () => number, replay: readonly Transaction[]): BuiltBlock {
    const height = parent.height + 1;
    const avail = new Map(this.coinsAfter(parent));
    const txs: Transaction[] = [];
    const use = (tx: Transaction): void => {
      for (const input of tx.inputs) avail.delete(outpointKey(input.prevTxid, input.vout));
      const id = txidBytes(tx);
      tx.outputs.forEach((o, vout) => avail.set(outpointKey(id, vout), { amount: o.amount, publicKey: o.publicKey, height, coinbase: false }));
      txs.push(tx);
    };
    const mature = (c: Coin): boolean => !c.coinbase || height - c.height >= maturity;
    for (const tx of replay) {
      const fits = tx.inputs.every((input) => {
        const coin = avail.get(outpointKey(input.prevTxid, input.vout));
        return coin !== undefined && mature(coin);
      });
      if (fits) use(tx);
    }
    for (let i = 0; i < spends; i++) {
      const candidates = [...avail].filter(([, c]) => mature(c) && c.amount > 100_000n && bytesEqual(c.publicKey, this.b.key.publicKey));
      if (candidates.length === 0) break;
      const [key, coin] = candidates[Math.floor(random() * candidates.length)]!;
      const [hex, vout] = key.split(':') as [string, string];
      const from = { txid: hexToHash(hex), vout: Number(vout), output: { amount: coin.amount, publicKey: coin.publicKey } };
      const fee = 1_000n + BigInt(Math.floor(random() * 1_000));
      const rest = coin.amount - fee;
      const amounts = random() < 0.5 ? [rest] : [rest / 2n, rest - rest / 2n];
      const tx = this.b.spend([from], amounts);
      use(tx);
      // Sometimes spend the new output again in the same block, to another key now and then.
      const to = random() < 0.5 ? OTHER_KEYS[Math.floor(random() * OTHER_KEYS.length)]! : this.b.key.publicKey;
      if (random() < 0.3) use(this.b.spend([this.b.output(tx, 0)], [amounts[0]! - fee], { to }));
    }
    const child = this.b.next(parent, { txs, extraNonce: ++this.extraNonce });
    this.built.set(child.hash, child);
    return child;
  }

  async run(op: Op): Promise<void> {
    const random = prng(op.seed);
    const tip = this.built.get(this.chain.tip.hash)!;
    if (op.kind === 'reopen') {
      const before = this.chain.tip;
      await this.open();
      expect(this.chain.tip).toEqual(before);
      return;
    }
    let parent = tip;
    let replay: Transaction[] = [];
    if (op.kind === 'fork') {
      const forkHeight = Math.max(0, tip.height - op.back);
      parent = this.built.get(this.chain.entryAt(forkHeight)!.hash)!;
      if (op.replay) {
        for (let b: BuiltBlock | undefined = tip; b && b.height > forkHeight; b = b.parent) replay = [...b.block.txs.slice(1), ...replay];
      }
    }
    const blocks: BuiltBlock[] = [];
    for (let i = 0; i < op.n; i++) {
      // Replayed txs go into the first block that can take them.
      const child = this.buildChild(parent, op.spends, random, replay);
      const confirmed = new Set(child.block.txs);
      replay = replay.filter((tx) => !confirmed.has(tx));
      blocks.push(child);
      parent = child;
    }
    const outcomes = op.batch
      ? await this.chain.processBlocks(blocks.map((x) => x.block))
      : await blocks.reduce<Promise<Awaited<ReturnType<Chain['processBlock']>>[]>>(
          async (acc, x) => [...(await acc), await this.chain.processBlock(x.block)],
          Promise.resolve([]),
        );
    for (const o of outcomes) expect(['connected', 'side-chain']).toContain(o.status);
  }

  /** The invariant, checked after every step. */
  async check(): Promise<void> {
    const tip = this.chain.tip;
    // Most work wins: no block the chain knows has more.
    for (const hash of this.built.keys()) expect(this.chain.entry(hash)!.chainWork).toBeLessThanOrEqual(tip.chainWork);
    expect(this.store.tip).toBe(tip.hash);
    const { coins: rebuilt, blocks } = await rebuild(this.chain);
    expect(this.store.coins).toEqual(rebuilt);
    expect(rebuilt).toEqual(this.coinsAfter(this.built.get(tip.hash)!));
    const scanned = scanAddresses(blocks);
    expect(this.store.addressIndex).toEqual(scanned);
    // Read through the port: the newest page, and the pages after it with a cursor (two at most).
    for (const [key, oldestFirst] of scanned) {
      const newestFirst = [...oldestFirst].reverse();
      const pages: AddressTx[] = [];
      for (let page = await this.chain.addressTxs(hexToBytes(key), { limit: 10 }), n = 0; page.length && n < 3; n++) {
        pages.push(...page);
        page = await this.chain.addressTxs(hexToBytes(key), { limit: 10, before: page.at(-1)! });
      }
      expect(pages).toEqual(newestFirst.slice(0, 30));
    }
  }
}

describe('UTXO set under random forks and reorgs (test-plan H.44)', () => {
  it('behavior: after every step the store\'s coins equal the coins rebuilt from the active chain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 8 }), async (ops) => {
        const world = new World();
        await world.open();
        // A start with mature coins to spend.
        await world.run({ kind: 'extend', back: 0, n: maturity + 2, spends: 0, replay: false, batch: true, seed: 1 });
        await world.check();
        for (const op of ops) {
          await world.run(op);
          await world.check();
        }
      }),
      { numRuns: 50 },
    );
    // A property over whole chains: a loaded two-core machine can take well over the default 30 s.
  }, 120_000);

  it('behavior: the same tx confirmed on both sides of repeated reorgs keeps the coin set exact', async () => {
    const world = new World();
    await world.open();
    await world.run({ kind: 'extend', back: 0, n: 8, spends: 0, replay: false, batch: true, seed: 1 });
    await world.run({ kind: 'extend', back: 0, n: 3, spends: 2, replay: false, batch: true, seed: 2 });
    await world.check();
    // Fork below the spends with one block more, confirming the same txs again: reorg; then back and forth.
    for (let i = 0; i < 4; i++) {
      await world.run({ kind: 'fork', back: 3, n: 4, spends: 1, replay: true, batch: i % 2 === 0, seed: 10 + i });
      await world.check();
    }
  });
});
