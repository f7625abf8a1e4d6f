import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Chain, MemoryChainStore, decodeBlock, regtestParams, txid, type ChainWrite } from '../../core/index.ts';
import { addressIndexDifferences, rememberKeys } from '../../core/testing/address-index-check.ts';
import { generateBlockSequence } from '../../core/testing/block-sequence.ts';
import { ChainBuilder, ManualClock, testKey } from '../../core/testing/chain-builder.ts';
import { CHAIN_SCHEMA_VERSION, openChainDatabase, type ChainDatabase } from './chain-database.ts';
import { IdbChainStore } from './idb-chain-store.ts';
import { StorageError, StorageFullError } from '../storage-errors.ts';

let dbCount = 0;
const open: ChainDatabase[] = [];
async function freshDb(name = `chain-test-${++dbCount}`, version?: number): Promise<ChainDatabase> {
  const db = await openChainDatabase(name, version === undefined ? {} : { version });
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  vi.restoreAllMocks();
});

const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);

async function snapshot(db: ChainDatabase) {
  const tx = db.transaction(['index', 'bodies', 'undo', 'coins', 'addresses', 'meta'], 'readonly');
  const [index, bodies, undo, coins, addresses, tip] = await Promise.all([
    tx.objectStore('index').getAllKeys(),
    tx.objectStore('bodies').getAllKeys(),
    tx.objectStore('undo').getAllKeys(),
    tx.objectStore('coins').getAll(),
    tx.objectStore('addresses').getAll(),
    tx.objectStore('meta').get('tip'),
  ]);
  return { index, bodies, undo, coins, addresses, tip };
}

describe('IdbChainStore', () => {
  it('behavior: a branch found invalid (a headers-only block whose body broke a rule for good) reopens invalid, its bodies not wanted (issue 11)', async () => {
    const name = `chain-test-${++dbCount}`;
    const db = await freshDb(name);
    const b = new ChainBuilder();
    const chain = await Chain.open({ params: regtestParams, store: new IdbChainStore(db), clock });
    const bad = b.next(b.genesis, { coinbaseHeight: 5 });
    const child = b.next(bad);
    await chain.processHeaders([bad.block.header, child.block.header]);
    expect(await chain.processBlock(bad.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-height' } });
    db.close();

    const reopened = await freshDb(name);
    const again = await Chain.open({ params: regtestParams, store: new IdbChainStore(reopened), clock });
    expect(again.entry(bad.hash)?.invalid).toEqual({ code: 'bad-cb-height', message: expect.any(String) });
    expect(again.entry(child.hash)?.invalid).toMatchObject({ code: 'bad-prevblk' });
    expect(again.blocksToDownload(10)).toEqual([]);
    expect(again.tips()).toContainEqual({ hash: child.hash, height: 2, branchLength: 2, status: 'invalid' });
  });
  it('behavior: a chain persists and reopens on the same tip and coins without replay', async () => {
    const name = `chain-test-${++dbCount}`;
    const db = await freshDb(name);
    const sequence = generateBlockSequence();
    const chain = await Chain.open({ params: regtestParams, store: new IdbChainStore(db), clock: new ManualClock(sequence.earliestClock + 3600) });
    for (const step of sequence.steps) await chain.processBlock(decodeBlock(step.block));
    expect(chain.tip.hash).toBe(sequence.finalTip);
    const before = await snapshot(db);
    db.close();

    const reopened = await freshDb(name);
    const store = new IdbChainStore(reopened);
    const getBlock = vi.spyOn(store, 'getBlock');
    const getCoins = vi.spyOn(store, 'getCoins');
    const again = await Chain.open({ params: regtestParams, store, clock });
    expect(again.tip.hash).toBe(sequence.finalTip);
    expect(again.tip.height).toBe(sequence.finalHeight);
    expect(getBlock).not.toHaveBeenCalled();
    expect(getCoins).not.toHaveBeenCalled();
    expect(await snapshot(reopened)).toEqual(before);
    // The reopened chain goes on from where it was.
    const b = new ChainBuilder();
    const tipBlock = (await again.getBlock(again.tip.hash))!;
    const parent = b.wrap(tipBlock, { ...b.genesis, height: again.tip.height - 1 });
    const outcome = await again.processBlock(b.next(parent).block);
    expect(outcome.status).toBe('connected');
  });

  it('behavior: coins are found by their owner key (schema v2 index)', async () => {
    const db = await freshDb();
    const store = new IdbChainStore(db);
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const b = new ChainBuilder();
    await chain.processBlocks(b.extend(b.genesis, 3).map((x) => x.block));
    const mine = await store.coinsOf(b.key.publicKey);
    expect(mine).toHaveLength(3);
    expect(mine.every((c) => c.amount === 50n * 100_000_000n && c.coinbase)).toBe(true);
    expect(await store.coinsOf(new Uint8Array(32))).toEqual([]);
  });

  it('error: a write whose request cannot be stored aborts whole and changes nothing', async () => {
    const db = await freshDb();
    const store = new IdbChainStore(db);
    await Chain.open({ params: regtestParams, store, clock });
    const before = await snapshot(db);
    const bad: ChainWrite = {
      index: [],
      bodies: [{ hash: 'aa', bytes: new Uint8Array([1, 2, 3]) }],
      undo: [],
      coinsSpent: [],
      // A function cannot be cloned into IndexedDB: the put throws as it is made.
      coinsAdded: [['x:0', { amount: 1n, publicKey: new Uint8Array(32), height: 1, coinbase: false, oops: () => 1 } as never]],
      txsDisconnected: [],
      txsConnected: [['t', 'aa']],
      addressesDisconnected: [],
      addressesConnected: [{ publicKey: 'cc', height: 1, position: 0, txid: 't', received: 1n, sent: 0n }],
      tip: 'bb',
    };
    await expect(store.write(bad)).rejects.toBeInstanceOf(StorageError);
    expect(await snapshot(db)).toEqual(before);
  });

  it('error: QuotaExceededError aborts the write, surfaces as StorageFullError, and the chain stays consistent', async () => {
    const db = await freshDb();
    const store = new IdbChainStore(db);
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 4);
    await chain.processBlocks(blocks.slice(0, 2).map((x) => x.block));
    const before = await snapshot(db);
    const tipBefore = chain.tip;

    const proto = Object.getPrototypeOf(db.transaction('coins').store) as { put: (...args: unknown[]) => unknown };
    const realPut = proto.put;
    let calls = 0;
    vi.spyOn(proto, 'put').mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (++calls === 3) throw new DOMException('quota', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    await expect(chain.processBlocks(blocks.slice(2).map((x) => x.block))).rejects.toBeInstanceOf(StorageFullError);
    vi.restoreAllMocks();

    expect(await snapshot(db)).toEqual(before);
    expect(chain.tip).toEqual(tipBefore);
    // Once space is back, the same blocks go in.
    await chain.processBlocks(blocks.slice(2).map((x) => x.block));
    expect(chain.tip.hash).toBe(blocks[3]!.hash);
  });

  it('behavior: the tx index finds active-chain txs, forgets them on a reorg, and is rebuilt by the v3 migration', async () => {
    const name = `chain-test-${++dbCount}`;
    const v2 = await openChainDatabase(name, { version: 2 });
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 6);
    const spend = b.spend([b.coinbaseOf(blocks[0]!)], [10n]);
    const withTx = b.next(blocks[5]!, { txs: [spend] });
    // Write a chain at schema v2 the way v2 did (no tx index), through a store that skips it.
    const legacy = new IdbChainStore(v2);
    (legacy as unknown as { write: (c: ChainWrite) => Promise<void> }).write = async (c) => {
      const tx = v2.transaction(['index', 'bodies', 'undo', 'coins', 'meta'], 'readwrite');
      for (const e of c.index) void tx.objectStore('index').put(e, e.hash);
      for (const x of c.bodies) void tx.objectStore('bodies').put(x.bytes, x.hash);
      for (const u of c.undo) void tx.objectStore('undo').put(u.spent, u.hash);
      for (const k of c.coinsSpent) void tx.objectStore('coins').delete(k);
      for (const [k, coin] of c.coinsAdded) void tx.objectStore('coins').put({ ...coin, key: k }, k);
      if (c.tip) void tx.objectStore('meta').put(c.tip, 'tip');
      await tx.done;
    };
    const old = await Chain.open({ params: regtestParams, store: legacy, clock });
    await old.processBlocks([...blocks, withTx].map((x) => x.block));
    v2.close();

    const v3 = await freshDb(name);
    const chain = await Chain.open({ params: regtestParams, store: new IdbChainStore(v3), clock });
    const found = await chain.findTx(txid(spend));
    expect(found).toMatchObject({ blockHash: withTx.hash, height: 7 });
    expect(await chain.findTx(txid(blocks[2]!.block.txs[0]!))).toMatchObject({ height: 3 });

    // A reorg that drops block 7 drops its tx from the index.
    const fork = b.extend(blocks[5]!, 2, { extraNonce: 5n });
    await chain.processBlocks(fork.map((x) => x.block));
    expect(chain.tip.hash).toBe(fork[1]!.hash);
    expect(await chain.findTx(txid(spend))).toBeUndefined();
  });

  it('behavior: the address index answers as the in-memory one through every step of forks and reorgs (schema v4)', async () => {
    const sequence = generateBlockSequence();
    const clock = new ManualClock(sequence.earliestClock + 3600);
    const store = new IdbChainStore(await freshDb());
    const reference = new MemoryChainStore();
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const model = await Chain.open({ params: regtestParams, store: reference, clock });
    const keys = new Set<string>();
    for (const step of sequence.steps) {
      await chain.processBlock(decodeBlock(step.block));
      await model.processBlock(decodeBlock(step.block));
      expect(await addressIndexDifferences(store, reference, rememberKeys(reference, keys))).toEqual([]);
    }
    expect(chain.tip.hash).toBe(sequence.finalTip);
    expect(keys.size).toBeGreaterThan(0);
  });

  it('behavior: a chain stored before the address index (v3) is indexed by the v4 migration, and goes on from there', async () => {
    const name = `chain-test-${++dbCount}`;
    const v3 = await openChainDatabase(name, { version: 3 });
    const b = new ChainBuilder();
    const other = testKey(2).publicKey;
    const blocks = b.extend(b.genesis, regtestParams.coinbaseMaturity + 1);
    const pay = b.spend([b.coinbaseOf(blocks[0]!)], [10n, 20n], { to: other });
    const withPay = b.next(blocks.at(-1)!, { txs: [pay] });
    // Write the chain as v3 did: everything but the address index.
    const legacy = new IdbChainStore(v3);
    (legacy as unknown as { write: (c: ChainWrite) => Promise<void> }).write = async (c) => {
      const tx = v3.transaction(['index', 'bodies', 'undo', 'coins', 'txindex', 'meta'], 'readwrite');
      for (const e of c.index) void tx.objectStore('index').put(e, e.hash);
      for (const x of c.bodies) void tx.objectStore('bodies').put(x.bytes, x.hash);
      for (const u of c.undo) void tx.objectStore('undo').put(u.spent, u.hash);
      for (const k of c.coinsSpent) void tx.objectStore('coins').delete(k);
      for (const [k, coin] of c.coinsAdded) void tx.objectStore('coins').put({ ...coin, key: k }, k);
      for (const id of c.txsDisconnected) void tx.objectStore('txindex').delete(id);
      for (const [id, block] of c.txsConnected) void tx.objectStore('txindex').put(block, id);
      if (c.tip) void tx.objectStore('meta').put(c.tip, 'tip');
      await tx.done;
    };
    const old = await Chain.open({ params: regtestParams, store: legacy, clock });
    // A reorg before the upgrade: the abandoned branch must not be indexed.
    await old.processBlocks(b.extend(b.genesis, 3, { extraNonce: 4n, payTo: other }).map((x) => x.block));
    await old.processBlocks([...blocks, withPay].map((x) => x.block));
    expect(old.tip.hash).toBe(withPay.hash);
    v3.close();

    const reference = new MemoryChainStore();
    const model = await Chain.open({ params: regtestParams, store: reference, clock });
    await model.processBlocks([...blocks, withPay].map((x) => x.block));
    const store = new IdbChainStore(await freshDb(name));
    const keys = rememberKeys(reference, new Set([...reference.addressIndex.keys()]));
    expect(await addressIndexDifferences(store, reference, keys)).toEqual([]);
    expect((await store.addressTxs(other)).map((e) => [e.txid, e.received])).toEqual([[txid(pay), 30n]]);

    // The upgraded store goes on indexing: a reorg away from the payment.
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const fork = b.extend(blocks.at(-1)!, 2, { extraNonce: 5n });
    await chain.processBlocks(fork.map((x) => x.block));
    await model.processBlocks(fork.map((x) => x.block));
    expect(await addressIndexDifferences(store, reference, keys)).toEqual([]);
    expect(await store.addressTxs(other)).toEqual([]);
  });

  it('behavior: migrations upgrade a v1 database keeping its data', async () => {
    const name = `chain-test-${++dbCount}`;
    const v1 = await openChainDatabase(name, { version: 1 });
    await v1.put('coins', { key: 'k:0', amount: 5n, publicKey: new Uint8Array(32).fill(7), height: 1, coinbase: false }, 'k:0');
    await v1.put('meta', 'tiphash', 'tip');
    v1.close();
    const v2 = await freshDb(name);
    expect(v2.version).toBe(CHAIN_SCHEMA_VERSION);
    expect(await v2.get('meta', 'tip')).toBe('tiphash');
    expect(await new IdbChainStore(v2).coinsOf(new Uint8Array(32).fill(7))).toHaveLength(1);
  });

  it('behavior: an upgrade from another tab closes this connection instead of staying blocked (G.41)', async () => {
    const name = `chain-test-${++dbCount}`;
    const onVersionChange = vi.fn();
    const first = await openChainDatabase(name, { version: 1, onVersionChange });
    const second = await openChainDatabase(name, { version: 2 });
    open.push(second);
    expect(onVersionChange).toHaveBeenCalledTimes(1);
    expect(second.version).toBe(2);
    expect(() => first.transaction('meta')).toThrow();
  });
});
