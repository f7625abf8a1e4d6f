/**
 * @module Banned peers: a peer that sent an invalid block or tx, a malformed frame or a flood is
 * refused for a while. Bans persist (a reload does not pardon a peer) and lapse when they expire.
 */
import type { Clock } from '../ports.ts';

export interface Ban {
  readonly peerId: string;
  /** Unix seconds when the ban lapses. */
  readonly until: number;
  readonly reason: string;
}

/** Where bans are kept across reloads. */
export interface BanStore {
  load(): Promise<Ban[]>;
  put(ban: Ban): Promise<void>;
  delete(peerIds: readonly string[]): Promise<void>;
}

/** Default ban: one day, as Bitcoin Core's. */
export const DEFAULT_BAN_SECONDS = 24 * 3600;

export class BanList {
  private readonly bans = new Map<string, Ban>();

  private constructor(
    private readonly store: BanStore,
    private readonly clock: Clock,
  ) {}

  /** Loads the stored bans, dropping (and deleting) those that have lapsed. */
  static async open(store: BanStore, clock: Clock): Promise<BanList> {
    const list = new BanList(store, clock);
    const now = clock.now();
    const lapsed: string[] = [];
    for (const ban of await store.load()) {
      if (ban.until > now) list.bans.set(ban.peerId, ban);
      else lapsed.push(ban.peerId);
    }
    if (lapsed.length) await store.delete(lapsed);
    return list;
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
    await this.store.put(ban);
    this.bans.set(peerId, ban);
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
