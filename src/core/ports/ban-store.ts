/**
 * @module The `BanStore` port: where banned peers are kept, so a reload does not pardon a peer.
 * The ban policy is net/ban-list.ts's.
 */

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
