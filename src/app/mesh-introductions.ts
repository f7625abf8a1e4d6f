/**
 * @module Peers this tab learned of from connected peers (their peer lists), each with one
 * connected peer that can relay signaling to it: how a tab keeps finding peers while its
 * signaling servers are away. The table holds at most one list (the wire's maxPeerList) per
 * connected peer, however often one sends, and an introducer that leaves takes its
 * introductions along.
 */
import type { PeerId } from '../core/index.ts';

export class MeshIntroductions {
  /** Introduced peer → the connected peer that introduced it (and relays to it). */
  private readonly introducer = new Map<PeerId, PeerId>();

  /** Takes `from`'s latest list: it replaces its earlier one. */
  noteList(from: PeerId, peers: readonly PeerId[]): void {
    const listed = new Set(peers);
    for (const [p, via] of this.introducer) if (via === from && !listed.has(p)) this.introducer.delete(p);
    for (const p of listed) if (!this.introducer.has(p)) this.introducer.set(p, from);
  }

  /** Forgets a peer that disconnected: as an introduction, and every introduction it made. */
  forgetPeer(id: PeerId): void {
    for (const [p, via] of this.introducer) if (via === id || p === id) this.introducer.delete(p);
  }

  /**
   * Forgets an introduction of `peer` by `via` that nobody answered (the id left its introducer,
   * or never was): not retried through that peer unless it lists the id again.
   */
  forgetUnanswered(peer: PeerId, via: PeerId): void {
    if (this.introducer.get(peer) === via) this.introducer.delete(peer);
  }

  /** The connected peer that can relay to `peer`, if one introduced it. */
  via(peer: PeerId): PeerId | undefined {
    return this.introducer.get(peer);
  }

  /** How many peers are introduced. */
  get size(): number {
    return this.introducer.size;
  }

  has(peer: PeerId): boolean {
    return this.introducer.has(peer);
  }

  /** Every introduced peer with its introducer. */
  entries(): IterableIterator<[PeerId, PeerId]> {
    return this.introducer.entries();
  }
}
