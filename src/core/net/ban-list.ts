/**
 * @module Banned peers: a peer that sent an invalid block or tx, a malformed frame or a flood is
 * refused for a while. Bans persist (a reload does not pardon a peer) and lapse when they expire.
 */
import type { Ban, BanStore } from '../ports/ban-store.ts';
import type { Clock } from '../ports/clock.ts';

/** Default ban: one day, as Bitcoin Core's. */
export const DEFAULT_BAN_SECONDS = 24 * 3600;

/**
 * Bans kept at most. Peer ids cost nothing to make, so a peer that misbehaves under ever new
 * keys must not grow the store without bound (Bitcoin Core bounds its discouragement list the
 * same way, a rolling filter of fixed size); past this the ban that lapses soonest gives way.
 */
export const MAX_BANS = 1000;

export class BanList {
  private readonly bans = new Map<string, Ban>();

  private constructor(
    private readonly store: BanStore,
    private readonly clock: Clock,
    private readonly maxBans: number,
  ) {}

  /** Loads the stored bans, dropping (and deleting) those that have lapsed, and any beyond `maxBans`. */
  static async open(store: BanStore, clock: Clock, maxBans: number = MAX_BANS): Promise<BanList> {
    const list = new BanList(store, clock, maxBans);
    const now = clock.now();
    const dropped: string[] = [];
    for (const ban of await store.load()) {
      if (ban.until > now) list.bans.set(ban.peerId, ban);
      else dropped.push(ban.peerId);
    }
    dropped.push(...list.trim(maxBans));
    if (dropped.length) await store.delete(dropped);
    return list;
  }

  /** Forgets (in memory) the bans that lapse soonest until at most `keep` remain; returns their ids. */
  private trim(keep: number): string[] {
    if (this.bans.size <= keep) return [];
    const soonest = [...this.bans.values()].sort((a, b) => a.until - b.until).slice(0, this.bans.size - keep);
    for (const ban of soonest) this.bans.delete(ban.peerId);
    return soonest.map((ban) => ban.peerId);
  }

  isBanned(peerId: string): boolean {
    const ban = this.bans.get(peerId);
    if (!ban) return false;
    if (ban.until > this.clock.now()) return true;
    this.bans.delete(peerId);
    void this.store.delete([peerId]);
    return false;
  }

  /** Bans a peer for `seconds` (extending, never shortening, an existing ban). */
  async ban(peerId: string, reason: string, seconds: number = DEFAULT_BAN_SECONDS): Promise<Ban> {
    if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError('a ban lasts a positive number of seconds');
    const until = Math.max(this.clock.now() + Math.round(seconds), this.bans.get(peerId)?.until ?? 0);
    const ban = { peerId, until, reason };
    const isNew = !this.bans.has(peerId);
    await this.store.put(ban);
    this.bans.set(peerId, ban);
    if (isNew) {
      const evicted = this.trim(this.maxBans);
      if (evicted.length) await this.store.delete(evicted);
    }
    return ban;
  }

  async unban(peerId: string): Promise<void> {
    await this.store.delete([peerId]);
    this.bans.delete(peerId);
  }

  /** Bans in force, soonest to lapse first. */
  list(): Ban[] {
    const now = this.clock.now();
    return [...this.bans.values()].filter((b) => b.until > now).sort((a, b) => a.until - b.until);
  }
}

/** An in-memory {@link BanStore} for tests and headless use. */
export class MemoryBanStore implements BanStore {
  readonly bans = new Map<string, Ban>();
  async load() {
    return [...this.bans.values()];
  }
  async put(ban: Ban) {
    this.bans.set(ban.peerId, ban);
  }
  async delete(peerIds: readonly string[]) {
    for (const id of peerIds) this.bans.delete(id);
  }
}
