/**
 * @module Peer bans in the chain database, so a reload does not pardon a peer.
 */
import type { Ban, BanStore } from '../../core/index.ts';
import type { ChainDatabase } from './chain-database.ts';

export class IdbBanStore implements BanStore {
  constructor(private readonly db: ChainDatabase) {}

  load(): Promise<Ban[]> {
    return this.db.getAll('bans');
  }

  async put(ban: Ban): Promise<void> {
    await this.db.put('bans', ban, ban.peerId);
  }

  async delete(peerIds: readonly string[]): Promise<void> {
    const tx = this.db.transaction('bans', 'readwrite');
    for (const id of peerIds) void tx.store.delete(id).catch(() => undefined);
    await tx.done;
  }
}
