import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Chain, MemoryChainStore, decodeBlock, regtestParams, txid, type ChainWrite } from '../../core/index.ts';
import { addressIndexDifferences, rememberKeys } from '../../core/testing/address-index-check.ts';
import { verifyCoinSet } from '../../core/chain/verify-coin-set.ts';
import { generateBlockSequence } from '../../core/testing/block-sequence.ts';
import { ChainBuilder, ManualClock, testKey } from '../../core/testing/chain-builder.ts';
import { StorageError, StorageFullError } from '../storage-errors.ts';
import { LevelChainStore } from './level-chain-store.ts';
import { DatabaseVersionError, NODE_SCHEMA_VERSION, openNodeDatabase, pack, text, type NodeDatabase } from './node-database.ts';
import { LevelBanStore, LevelPendingTxStore, LevelSettings, LevelWalletRecords } from './level-small-stores.ts';

const dirs: string[] = [];
const open: NodeDatabase[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tabchain-level-'));
  dirs.push(dir);
  return dir;
}
async function openDb(dir: string): Promise<NodeDatabase> {
  const db = await openNodeDatabase(dir);
  open.push(db);
  return db;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const db of open.splice(0)) await db.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);

/** Every key and value of every sublevel, for before/after comparisons. */
async function snapshot(db: NodeDatabase): Promise<[string, string][]> {
  const all: [string, string][] = [];
  for await (const [key, value] of db.db.iterator({ keyEncoding: 'utf8', valueEncoding: 'hex' } as never)) all.push([String(key), String(value)]);
  return all;
}

describe('LevelChainStore', () => {
  it('behavior: a branch found invalid (a headers-only block whose body broke a rule for good) reopens invalid, its bodies not wanted (issue 11)', async () => {
    const dir = freshDir();
    const db = await openDb(dir);
    const b = new ChainBuilder();
    const chain = await Chain.open({ params: regtestParams, store: new LevelChainStore(db), clock });
    const bad = b.next(b.genesis, { coinbaseHeight: 5 });
    const child = b.next(bad);
    await chain.processHeaders([bad.block.header, child.block.header]);
    expect(await chain.processBlock(bad.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-height' } });
    await db.close();

    const reopened = await openDb(dir);
    const again = await Chain.open({ params: regtestParams, store: new LevelChainStore(reopened), clock });
    expect(again.entry(bad.hash)?.invalid).toEqual({ code: 'bad-cb-height', message: expect.any(String) });
    expect(again.entry(child.hash)?.invalid).toMatchObject({ code: 'bad-prevblk' });
    expect(again.blocksToDownload(10)).toEqual([]);
    expect(again.tips()).toContainEqual({ hash: child.hash, height: 2, branchLength: 2, status: 'invalid' });
  });
  it('behavior: the block-sequence chain persists and reopens on the same tip and coins without replay', async () => {
    const dir = freshDir();
    const db = await openDb(dir);
    const sequence = generateBlockSequence();
    const chain = await Chain.open({ params: regtestParams, store: new LevelChainStore(db), clock: new ManualClock(sequence.earliestClock + 3600) });
    for (const step of sequence.steps) await chain.processBlock(decodeBlock(step.block));
    expect(chain.tip.hash).toBe(sequence.finalTip);
    const before = await snapshot(db);
    await db.close();

    const reopened = await openDb(dir);
    const store = new LevelChainStore(reopened);
    const getBlock = vi.spyOn(store, 'getBlock');
    const again = await Chain.open({ params: regtestParams, store, clock });
    expect(again.tip).toEqual(chain.tip);
    expect(getBlock).not.toHaveBeenCalled();
    expect(await snapshot(reopened)).toEqual(before);
    const check = await verifyCoinSet(again, store, regtestParams);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('behavior: coins are found by owner, spent coins leave the owner index, and the tx index follows reorgs', async () => {
    const db = await openDb(freshDir());
    const store = new LevelChainStore(db);
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 6);
    await chain.processBlocks(blocks.map((x) => x.block));
    expect(await store.coinsOf(b.key.publicKey)).toHaveLength(6);
    expect(await store.coinCount()).toBe(6);
    expect(await store.coinsOf(new Uint8Array(32))).toEqual([]);

    const spend = b.spend([b.coinbaseOf(blocks[0]!)], [10n]);
    const withTx = b.next(blocks[5]!, { txs: [spend] });
    await chain.processBlock(withTx.block);
    const mine = await store.coinsOf(b.key.publicKey);
    expect(mine.map((c) => c.key)).not.toContain(`${txid(blocks[0]!.block.txs[0]!)}:0`);
    expect(await chain.findTx(txid(spend))).toMatchObject({ blockHash: withTx.hash, height: 7 });

    const fork = b.extend(blocks[5]!, 2, { extraNonce: 5n });
    await chain.processBlocks(fork.map((x) => x.block));
    expect(chain.tip.hash).toBe(fork[1]!.hash);
    expect(await chain.findTx(txid(spend))).toBeUndefined();
    expect((await verifyCoinSet(chain, store, regtestParams)).ok).toBe(true);
  });

  it('behavior: the address index answers as the in-memory one through every step of forks and reorgs', async () => {
    const sequence = generateBlockSequence();
    const clock = new ManualClock(sequence.earliestClock + 3600);
    const store = new LevelChainStore(await openDb(freshDir()));
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

  it('behavior: a layout-1 database (a chain stored before the address index) is indexed when it opens, and goes on from there', async () => {
    const dir = freshDir();
    const db = await openDb(dir);
    const b = new ChainBuilder();
    const other = testKey(2).publicKey;
    const blocks = b.extend(b.genesis, regtestParams.coinbaseMaturity + 1);
    const pay = b.spend([b.coinbaseOf(blocks[0]!)], [10n, 20n], { to: other });
    const withPay = b.next(blocks.at(-1)!, { txs: [pay] });
    // Write the chain as layout 1 did: no address index, and say so.
    const legacy = new LevelChainStore(db);
    const write = legacy.write.bind(legacy);
    legacy.write = (c) => write({ ...c, addressesDisconnected: [], addressesConnected: [] });
    const old = await Chain.open({ params: regtestParams, store: legacy, clock });
    await old.processBlocks(b.extend(b.genesis, 3, { extraNonce: 4n, payTo: other }).map((x) => x.block));
    await old.processBlocks([...blocks, withPay].map((x) => x.block));
    await db.db.batch([{ type: 'put', sublevel: db.meta, key: 'schema', value: text('1') }]);
    await db.close();

    const reference = new MemoryChainStore();
    const model = await Chain.open({ params: regtestParams, store: reference, clock });
    await model.processBlocks([...blocks, withPay].map((x) => x.block));
    const reopened = await openDb(dir);
    expect(new TextDecoder().decode(await reopened.meta.get('schema'))).toBe(String(NODE_SCHEMA_VERSION));
    const store = new LevelChainStore(reopened);
    const keys = new Set(reference.addressIndex.keys());
    expect(await addressIndexDifferences(store, reference, keys)).toEqual([]);
    expect((await store.addressTxs(other)).map((e) => [e.txid, e.received])).toEqual([[txid(pay), 30n]]);

    const chain = await Chain.open({ params: regtestParams, store, clock });
    const fork = b.extend(blocks.at(-1)!, 2, { extraNonce: 5n });
    await chain.processBlocks(fork.map((x) => x.block));
    await model.processBlocks(fork.map((x) => x.block));
    expect(await addressIndexDifferences(store, reference, keys)).toEqual([]);
    expect(await store.addressTxs(other)).toEqual([]);
  });

  it('error: a failed batch (a full disk, a value that cannot be stored) changes nothing and surfaces as a typed error', async () => {
    const db = await openDb(freshDir());
    const store = new LevelChainStore(db);
    const chain = await Chain.open({ params: regtestParams, store, clock });
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 4);
    await chain.processBlocks(blocks.slice(0, 2).map((x) => x.block));
    const before = await snapshot(db);
    const tipBefore = chain.tip;
    vi.spyOn(db.db, 'batch').mockRejectedValueOnce(Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' }));
    await expect(chain.processBlocks(blocks.slice(2).map((x) => x.block))).rejects.toBeInstanceOf(StorageFullError);
    expect(await snapshot(db)).toEqual(before);
    expect(chain.tip).toEqual(tipBefore);
    await chain.processBlocks(blocks.slice(2).map((x) => x.block));
    expect(chain.tip.hash).toBe(blocks[3]!.hash);

    const bad: ChainWrite = {
      index: [],
      bodies: [],
      undo: [],
      coinsSpent: [],
      // A function cannot be serialized: nothing of the write may land.
      coinsAdded: [['x:0', { amount: 1n, publicKey: new Uint8Array(32), height: 1, coinbase: false, oops: () => 1 } as never]],
      txsDisconnected: [],
      txsConnected: [['t', 'aa']],
      addressesDisconnected: [],
      addressesConnected: [{ publicKey: 'cc', height: 1, position: 0, txid: 't', received: 1n, sent: 0n }],
      tip: 'bb',
    };
    const mid = await snapshot(db);
    await expect(store.write(bad)).rejects.toBeInstanceOf(StorageError);
    expect(await snapshot(db)).toEqual(mid);
  });

  it('error: a database of a newer layout is refused, not misread', async () => {
    const dir = freshDir();
    const db = await openDb(dir);
    await db.db.batch([{ type: 'put', sublevel: db.meta, key: 'schema', value: text(String(NODE_SCHEMA_VERSION + 1)) }]);
    await db.close();
    await expect(openNodeDatabase(dir)).rejects.toBeInstanceOf(DatabaseVersionError);
  });
});

describe('level small stores', () => {
  it('behavior: pending txs, bans, settings and wallet records survive a reopen', async () => {
    const dir = freshDir();
    const db = await openDb(dir);
    await new LevelPendingTxStore(db).put('aa', new Uint8Array([1, 2, 3]), 5, true);
    await new LevelPendingTxStore(db).put('bb', new Uint8Array([4]), 6);
    await new LevelPendingTxStore(db).delete(['bb']);
    await new LevelBanStore(db).put({ peerId: 'p1', until: 99, reason: 'invalid-block' } as never);
    await new LevelSettings(db).set('node-key', 'ff');
    await new LevelWalletRecords<{ n: bigint; k: Uint8Array }>(db).put('wallets', { n: 7n, k: new Uint8Array([9]) }, 'test');
    await db.close();

    const again = await openDb(dir);
    const pending = await new LevelPendingTxStore(again).load();
    expect(pending.map((p) => [p.txid, [...p.bytes], p.time, p.own])).toEqual([['aa', [1, 2, 3], 5, true]]);
    expect(await new LevelBanStore(again).load()).toEqual([{ peerId: 'p1', until: 99, reason: 'invalid-block' }]);
    expect(await new LevelSettings(again).get('node-key')).toBe('ff');
    expect(await new LevelSettings(again).get('missing')).toBeUndefined();
    const wallet = await new LevelWalletRecords<{ n: bigint; k: Uint8Array }>(again).get('wallets', 'test');
    expect(wallet?.n).toBe(7n);
    expect([...wallet!.k]).toEqual([9]);
    expect(pack(1)).toBeInstanceOf(Uint8Array);
  });
});
