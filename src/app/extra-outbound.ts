/**
 * @module The extra outbound link, after Bitcoin Core's (net.cpp: the extra block-relay-only peer
 * every EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL, 5 minutes, PR #19858; net_processing.cpp's
 * stale-tip check, `CheckForStaleTipAndEvictPeers`, which tries one more outbound peer when no
 * new block came for 3 target spacings): now and then a tab opens one link beyond its outbound
 * slots to a peer chosen at random, holds it long enough to trade headers (the handshake tells
 * each side the other's work, and the side with less asks for the headers), and then keeps
 * whichever of its own choices brings blocks: the extra stays if it brought a block new to this
 * tab, in place of the own choice that least recently did; otherwise the extra goes.
 *
 * Why (the simulator's partition scenario, issue 16): once the links across a cut time out, each
 * half fills its slots among itself, and a full tab never tries anyone new; both halves mining,
 * neither tip goes stale, so after the cut healed the halves stayed apart for good (16 nodes cut
 * for 10 minutes: no link across and 8 of 16 converged at the end). An extra link now and then,
 * to a random peer, is what finds the other half.
 *
 * The stale-tip check is also what the tab says about itself (`connectivity().staleTip`): linked
 * to peers, yet none brought a new block for 3 target spacings. It cannot tell a network where
 * nobody mines from a tab whose peers all hide blocks from it (an eclipse): it says which it may be.
 */
import type { PeerId, PeerInfo } from '../core/index.ts';

/** Mean time between extra links (ms; drawn exponentially, as Bitcoin's Poisson timer). */
export const EXTRA_INTERVAL_MS = 5 * 60_000;
/** An extra link is judged this long after it opened (ms): a handshake, headers and a few blocks. */
export const EXTRA_HOLD_MS = 30_000;

/** What the extra link needs to know of a kept link. */
export interface ExtraCandidateLink {
  readonly initiator: boolean;
  readonly openedAt?: number;
}

export class ExtraOutbound {
  private nextAt: number;
  private startedAt = -Infinity;
  private lastNewBlockAt: number;
  /** The extra link open now, if any. */
  private peer: PeerId | undefined;

  constructor(
    private readonly random: () => number,
    now: number,
    /** No new block from a peer for this long (ms) is a stale tip: 3 target spacings. */
    private readonly staleTipMs: number,
  ) {
    this.nextAt = now + this.draw();
    this.lastNewBlockAt = now;
  }

  private draw(): number {
    return -Math.log(1 - this.random()) * EXTRA_INTERVAL_MS;
  }

  /** Takes the peers' last new blocks (the Network's `lastBlockAt`, on the same clock). */
  noteBlocks(infos: readonly PeerInfo[]): void {
    for (const info of infos) if (info.lastBlockAt !== undefined && info.lastBlockAt > this.lastNewBlockAt) this.lastNewBlockAt = info.lastBlockAt;
  }

  /** Linked to `readyPeers` peers, yet none brought a new block for the stale-tip time. */
  staleTip(now: number, readyPeers: number): boolean {
    return readyPeers > 0 && now - this.lastNewBlockAt >= this.staleTipMs;
  }

  /** Whether to open an extra link now: when its timer is due, or the tip is stale (once per stale-tip time); one at a time. */
  wanted(now: number, readyPeers: number): boolean {
    if (this.peer !== undefined) return false;
    return now >= this.nextAt || (this.staleTip(now, readyPeers) && now - this.startedAt >= this.staleTipMs);
  }

  /** An extra link to `peer` was made. */
  began(peer: PeerId, now: number): void {
    this.peer = peer;
    this.startedAt = now;
    this.nextAt = now + this.draw();
  }

  /** Whether `peer` is the extra link still being judged. */
  isExtra(peer: PeerId): boolean {
    return this.peer === peer;
  }

  /**
   * The link to drop now, if any. Once the extra has been open {@link EXTRA_HOLD_MS}: itself,
   * unless it brought a block new to this tab since it opened; then the tab's own choice (outbound,
   * open) that least recently brought one (never: first; a tie: the youngest), and the extra takes
   * its place. An extra that closed or never opened is forgotten.
   */
  settle(now: number, links: ReadonlyMap<PeerId, ExtraCandidateLink>, infos: readonly PeerInfo[]): PeerId | null {
    const peer = this.peer;
    if (peer === undefined) return null;
    const link = links.get(peer);
    if (!link) {
      this.peer = undefined;
      return null;
    }
    if (link.openedAt === undefined || now - link.openedAt < EXTRA_HOLD_MS) return null;
    this.peer = undefined;
    const byId = new Map(infos.map((i) => [i.id, i]));
    const brought = byId.get(peer)?.lastBlockAt;
    if (brought === undefined || brought < link.openedAt) return peer;
    let drop: PeerId | null = null;
    let worst = { block: Infinity, opened: -Infinity };
    for (const [id, other] of links) {
      if (id === peer || !other.initiator || other.openedAt === undefined) continue;
      const block = byId.get(id)?.lastBlockAt ?? -Infinity;
      if (block < worst.block || (block === worst.block && other.openedAt > worst.opened)) {
        drop = id;
        worst = { block, opened: other.openedAt };
      }
    }
    return drop;
  }
}
