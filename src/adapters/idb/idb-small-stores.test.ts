import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BanList } from '../../core/index.ts';
import { ManualClock } from '../../core/testing/chain-builder.ts';
import { openChainDatabase } from './chain-database.ts';
import { IdbBanStore } from './idb-ban-store.ts';
import { IdbPendingTxStore } from './idb-pending-tx-store.ts';

let n = 0;

describe('IdbBanStore', () => {
  it('behavior: bans survive reopening the database and lapse', async () => {
    const name = `bans-${++n}`;
    const clock = new ManualClock(100);
    const db = await openChainDatabase(name);
    await (await BanList.open(new IdbBanStore(db), clock)).ban('peer', 'bad frame', 50);
    db.close();
    const db2 = await openChainDatabase(name);
    const bans = await BanList.open(new IdbBanStore(db2), clock);
    expect(bans.list()).toEqual([{ peerId: 'peer', until: 150, reason: 'bad frame' }]);
    clock.time = 151;
    db2.close();
    const db3 = await openChainDatabase(name);
    expect((await BanList.open(new IdbBanStore(db3), clock)).list()).toEqual([]);
    expect(await db3.count('bans')).toBe(0);
    db3.close();
  });
});

describe('IdbPendingTxStore', () => {
  it('behavior: pending txs are put (with whether they are the user\'s own), listed and deleted', async () => {
    const db = await openChainDatabase(`pending-${++n}`);
    const store = new IdbPendingTxStore(db);
    await store.put('a', new Uint8Array([1]), 5);
    await store.put('b', new Uint8Array([2]), 6, true);
    expect((await store.load()).map((t) => [t.txid, t.own])).toEqual([['a', false], ['b', true]]);
    await store.delete(['a', 'zzz']);
    expect(await store.load()).toEqual([{ txid: 'b', bytes: new Uint8Array([2]), time: 6, own: true }]);
    db.close();
  });
});
