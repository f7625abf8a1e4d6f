import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/chain-builder.ts';
import { BanList, DEFAULT_BAN_SECONDS, MemoryBanStore } from './ban-list.ts';

describe('BanList', () => {
  it('behavior: a ban persists across a reopen and lapses when it expires (D.27)', async () => {
    const store = new MemoryBanStore();
    const clock = new ManualClock(1000);
    const bans = await BanList.open(store, clock);
    await bans.ban('peer-a', 'invalid block', 60);
    await bans.ban('peer-b', 'flood');
    expect(bans.isBanned('peer-a')).toBe(true);

    const reopened = await BanList.open(store, clock);
    expect(reopened.isBanned('peer-a')).toBe(true);
    expect(reopened.list().map((b) => b.peerId)).toEqual(['peer-a', 'peer-b']);
    expect(reopened.list()[1]!.until).toBe(1000 + DEFAULT_BAN_SECONDS);

    clock.time = 1061;
    expect(reopened.isBanned('peer-a')).toBe(false);
    expect(reopened.list().map((b) => b.peerId)).toEqual(['peer-b']);
    const again = await BanList.open(store, clock);
    expect(again.isBanned('peer-a')).toBe(false);
    expect(store.bans.has('peer-a')).toBe(false);
  });

  it('behavior: a second ban extends but never shortens; unban lifts it', async () => {
    const store = new MemoryBanStore();
    const clock = new ManualClock(0);
    const bans = await BanList.open(store, clock);
    await bans.ban('p', 'x', 100);
    expect((await bans.ban('p', 'y', 10)).until).toBe(100);
    expect((await bans.ban('p', 'z', 500)).until).toBe(500);
    await bans.unban('p');
    expect(bans.isBanned('p')).toBe(false);
    expect(store.bans.size).toBe(0);
  });

  it('error: a ban of no time is refused and stores nothing', async () => {
    const store = new MemoryBanStore();
    const bans = await BanList.open(store, new ManualClock(0));
    await expect(bans.ban('p', 'x', 0)).rejects.toThrow(RangeError);
    await expect(bans.ban('p', 'x', Number.NaN)).rejects.toThrow(RangeError);
    expect(store.bans.size).toBe(0);
  });

  it('behavior: bans under ever new ids keep the store at maxBans; the ban that lapses soonest gives way (issue 11)', async () => {
    const store = new MemoryBanStore();
    const clock = new ManualClock(1000);
    const bans = await BanList.open(store, clock, 3);
    await bans.ban('long', 'flood', 500);
    await bans.ban('short', 'flood', 10);
    await bans.ban('mid', 'flood', 100);
    await bans.ban('new', 'flood', 200);
    expect([...store.bans.keys()].sort()).toEqual(['long', 'mid', 'new']);
    expect(bans.isBanned('short')).toBe(false);
    // Renewing a ban in force adds nothing.
    await bans.ban('mid', 'again', 300);
    expect(store.bans.size).toBe(3);
    // A store that holds more (a larger limit before) is trimmed on open.
    const smaller = await BanList.open(store, clock, 2);
    expect(smaller.list().map((b) => b.peerId)).toEqual(['mid', 'long']);
    expect(store.bans.size).toBe(2);
  });
});
